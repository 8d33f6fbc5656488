import { describe, expect, it } from 'vitest';
import { partsAfter } from '../../../src/storage/log/segment.js';

describe('partsAfter (the rest of a frame after a short write)', () => {
  const parts = [Uint8Array.of(1, 2, 3), Uint8Array.of(4), new Uint8Array(0), Uint8Array.of(5, 6, 7, 8)];
  const joined = (list: readonly Uint8Array[]): number[] => list.flatMap((part) => [...part]);

  it('skips whole parts and cuts into the one the write stopped in', () => {
    for (let skipped = 0; skipped <= 8; skipped++) expect(joined(partsAfter(parts, skipped))).toEqual([1, 2, 3, 4, 5, 6, 7, 8].slice(skipped));
  });

  it('keeps the parts past the cut as they are', () => {
    const rest = partsAfter(parts, 3);
    expect(rest[0]).toBe(parts[1]);
    expect(rest.at(-1)).toBe(parts[3]);
  });
});

// CRC32C against published check values and its incremental form.

import { describe, expect, it } from 'vitest';
import { crc32c, crc32cUpdate } from '../../../src/storage/log/crc32c.js';

describe('crc32c', () => {
  it('matches the standard check values', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it('gives the same result at every alignment and split point', () => {
    const bytes = new Uint8Array(300).map((_, index) => (index * 131 + 7) & 0xff);
    const whole = crc32c(bytes, 5, 290);
    for (let shift = 0; shift < 9; shift++) {
      const copy = new Uint8Array(300 + shift);
      copy.set(bytes, shift);
      expect(crc32c(copy, 5 + shift, 290 + shift)).toBe(whole);
    }
    for (const split of [5, 6, 13, 100, 289, 290]) {
      expect(crc32cUpdate(crc32c(bytes, 5, split), bytes, split, 290)).toBe(whole);
    }
  });
});

// ShortTextCache: whatever was cached before, every lookup returns exactly the text of its bytes.

import { describe, expect, it } from 'vitest';
import { ShortTextCache } from '../../src/pgwire/copy/short-text-cache.js';

describe('ShortTextCache', () => {
  it('returns the text of the bytes, reusing strings of repeated values', () => {
    const cache = new ShortTextCache();
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const words = Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? '' : `w${Math.floor(random() * 5000)}`.repeat(1 + (i % 4))));
    for (let round = 0; round < 3; round++) {
      for (const word of words) {
        const bytes = Buffer.from(`|${word}|`, 'latin1');
        expect(cache.text(bytes, 1, bytes.length - 1)).toBe(word);
      }
    }
    const first = Buffer.from('1-URGENT');
    expect(cache.text(first, 0, first.length)).toBe(cache.text(Buffer.from('1-URGENT'), 0, 8));
  });
});

// The KV row cache against a Map model: a seeded random mix of sets, gets and deletes keeps every
// entry it still holds equal to the model's value, its byte count equal to the sum of what it
// holds and within its bound; an entry used while it waits for eviction outlives unused ones.

import { describe, expect, it } from 'vitest';
import { RowCache } from '../../../src/storage/kv/row-cache.js';
import { seededRandom as random } from '../log/log-test-support.js';

const entryOverheadBytes = 96;

function charge(key: string, value: Buffer): number {
  return key.length + value.byteLength + entryOverheadBytes;
}


describe('row cache', () => {
  it('holds only current values, counts its bytes exactly and stays within its bound', () => {
    const next = random(20261122);
    const bytesMax = 40 * (entryOverheadBytes + 24);
    const cache = new RowCache(bytesMax);
    const model = new Map<string, Buffer>();
    for (let step = 0; step < 20_000; step++) {
      const key = `k${Math.floor(next() * 200)}`;
      const action = next();
      if (action < 0.45) {
        const value = Buffer.from(`v${step}`.padEnd(1 + Math.floor(next() * 20), '.'));
        cache.set(key, value);
        model.set(key, value);
      } else if (action < 0.9) {
        const found = cache.get(key);
        if (found !== undefined) expect(found.equals(model.get(key)!)).toBe(true);
      } else {
        cache.delete(key);
        model.delete(key);
      }
      if (step % 500 === 0) {
        let held = 0;
        for (const [modelKey, value] of model) {
          const found = cache.get(modelKey);
          if (found === undefined) continue;
          expect(found.equals(value)).toBe(true);
          held += charge(modelKey, value);
        }
        expect(cache.byteCount).toBe(held);
        expect(cache.byteCount).toBeLessThanOrEqual(bytesMax);
      }
    }
  });

  it('keeps an entry used while it waits for eviction, evicting the unused ones in order', () => {
    const value = Buffer.alloc(4);
    const perEntry = charge('k000', value);
    const cache = new RowCache(10 * perEntry);
    for (let index = 0; index < 10; index++) cache.set(`k${String(index).padStart(3, '0')}`, value);
    // The eleventh entry makes the ten the older generation and evicts the first of them.
    cache.set('n000', value);
    expect(cache.get('k000')).toBeUndefined();
    expect(cache.get('k005')).toBeDefined();
    for (let index = 1; index < 8; index++) cache.set(`n${String(index).padStart(3, '0')}`, value);
    expect(cache.get('k005')).toBeDefined();
    for (const evicted of ['k001', 'k004', 'k006', 'k008']) expect(cache.get(evicted)).toBeUndefined();
    expect(cache.get('k009')).toBeDefined();
    expect(cache.byteCount).toBe(10 * perEntry);
  });

  it('forgets everything on clear', () => {
    const cache = new RowCache(1024);
    cache.set('a', Buffer.from('1'));
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.byteCount).toBe(0);
  });
});

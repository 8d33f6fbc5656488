// The pre-write buffer's layers beside its per-key map: a lookup finds the newest pending state of
// a key whichever holds it, and applies and discards of layers and single entries, in any mix,
// leave each key at its newest entry still pending (or at nothing).

import { describe, expect, it } from 'vitest';
import { PreWriteBuffer, SortedLayer, type BufferedRow } from '../../../src/storage/kv/pre-write-buffer.js';

function entry(name: string, previous: BufferedRow | undefined, changed = true, key = 'k'): BufferedRow {
  return {
    key: Buffer.from(key, 'latin1'), row: undefined, encoded: Buffer.from(name), original: previous?.encoded ?? null,
    changed, sequence: 0, previous, state: 'pending',
  };
}

function stateOf(buffer: PreWriteBuffer, keyId: string): string | undefined {
  return buffer.get(keyId)?.encoded?.toString();
}

describe('pre-write buffer', () => {
  it('finds a single entry put after a layer, and the layer again once the entry is discarded', () => {
    const buffer = new PreWriteBuffer();
    const layered = entry('layer', undefined);
    const layer = new Map([['k', layered], ['other', entry('unchanged', undefined, false)]]);
    buffer.putLayer(layer);
    expect(stateOf(buffer, 'k')).toBe('layer');
    expect(buffer.get('other')).toBeUndefined();
    const single = entry('single', buffer.get('k'));
    buffer.put('k', single);
    expect(stateOf(buffer, 'k')).toBe('single');
    buffer.discarded('k', single);
    expect(stateOf(buffer, 'k')).toBe('layer');
    buffer.appliedLayer(layer);
    expect(buffer.get('k')).toBeUndefined();
    expect(buffer.size).toBe(0);
  });

  it('finds a layer put after a single entry; applying the single entry keeps the layer', () => {
    const buffer = new PreWriteBuffer();
    const single = entry('single', undefined);
    buffer.put('k', single);
    const layer = new Map([['k', entry('layer', buffer.get('k'))]]);
    buffer.putLayer(layer);
    expect(stateOf(buffer, 'k')).toBe('layer');
    buffer.applied('k', single);
    expect(stateOf(buffer, 'k')).toBe('layer');
    buffer.appliedLayer(layer);
    expect(buffer.get('k')).toBeUndefined();
  });

  it('discarding a newer layer leaves the older layer and single entries as they were', () => {
    const buffer = new PreWriteBuffer();
    const older = new Map([['a', entry('a1', undefined)], ['b', entry('b1', undefined)]]);
    buffer.putLayer(older);
    const single = entry('a2', buffer.get('a'));
    buffer.put('a', single);
    const newer = new Map([['a', entry('a3', buffer.get('a'))], ['b', entry('b3', buffer.get('b'))]]);
    buffer.putLayer(newer);
    expect([stateOf(buffer, 'a'), stateOf(buffer, 'b')]).toEqual(['a3', 'b3']);
    buffer.discardedLayer(newer);
    expect([stateOf(buffer, 'a'), stateOf(buffer, 'b')]).toEqual(['a2', 'b1']);
    buffer.appliedLayer(older);
    expect([stateOf(buffer, 'a'), stateOf(buffer, 'b')]).toEqual(['a2', undefined]);
    buffer.applied('a', single);
    expect(buffer.size).toBe(0);
  });

  it('a layer entry restored into the map by a discard leaves it when its layer is applied', () => {
    const buffer = new PreWriteBuffer();
    const layer = new Map([['k', entry('layer', undefined)]]);
    buffer.putLayer(layer);
    const single = entry('single', buffer.get('k'));
    buffer.put('k', single);
    buffer.discarded('k', single);
    buffer.appliedLayer(layer);
    expect(buffer.get('k')).toBeUndefined();
    expect(buffer.size).toBe(0);
  });

  it('finds the entries of a sorted layer by their key bytes, and forgets them on discard', () => {
    const buffer = new PreWriteBuffer();
    const keys = ['a', 'ab', 'abc', 'b', '\u00e9', '\u00e9\u00ff'];
    const layer = new SortedLayer(keys.map((key) => entry(`row ${key}`, undefined, true, key)));
    buffer.putLayer(layer);
    for (const key of keys) expect(stateOf(buffer, key)).toBe(`row ${key}`);
    for (const absent of ['', 'aa', 'abd', 'c', '\u00e8', '\u00e9\u00fe']) expect(buffer.get(absent)).toBeUndefined();
    const single = entry('single', buffer.get('ab'), true, 'ab');
    buffer.put('ab', single);
    buffer.discarded('ab', single);
    expect(stateOf(buffer, 'ab')).toBe('row ab');
    buffer.discardedLayer(layer);
    expect(buffer.get('ab')).toBeUndefined();
    expect(buffer.size).toBe(0);
  });
});

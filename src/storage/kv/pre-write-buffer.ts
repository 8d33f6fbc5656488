// A KV tablet's pre-write buffer (as Fluss's KvPreWriteBuffer): the newest state of every key whose
// change has been prepared (and possibly appended to the log) but not yet applied to RocksDB, so the
// next prepare merges against it. Readers never see it: they see only applied, durable rows.
//
// Entries of small prepares go into one map, key by key: each key maps to its newest entry, and an
// entry remembers the entry it replaced. Applying an entry removes the key only if the entry is
// still the newest; discarding one restores the nearest older entry still pending (or nothing:
// RocksDB holds the state again). A large prepare (a bulk load) instead hands over its own map of
// entries as a layer, in one step, and its apply or discard drops the layer in one step: no map
// operation per key. A lookup takes the newer (by sequence) of the map's entry and the entry of
// the newest layer that changed the key.
// Invariants: the entry a key maps to is always pending, and so is every entry of a layer still
// held; entries are applied in log order, so when one is applied every older entry of its key is
// applied or discarded.

import type { Value } from '../../common/types.js';
import { chunkKey, chunkRow, type LoadChunk } from './kv-load.js';

export type EntryState = 'pending' | 'applied' | 'discarded';

/** A key's state as one prepare left it (also the prepare's working state while it merges). */
export interface BufferedRow {
  /** Full RocksDB key of the row. */
  readonly key: Buffer;
  /** The row after the change: null when deleted, undefined when not decoded from `encoded` yet. */
  row: Value[] | null | undefined;
  /** row-codec encoding of the row (null when the key has no row). */
  encoded: Buffer | null;
  /** The key's encoded row before the prepare (null: none). */
  readonly original: Buffer | null;
  /** Whether the prepare changed the key; an entry that did not is never a key's state. */
  changed: boolean;
  /** Order of buffering among all entries of the buffer. */
  sequence: number;
  previous: BufferedRow | undefined;
  state: EntryState;
}

/** Entries of one large prepare, by key id; only those with `changed` are states of their keys. */
export interface BufferLayer {
  readonly size: number;
  get(keyId: string): BufferedRow | undefined;
  entries(): Iterable<[string, BufferedRow]>;
  values(): Iterable<BufferedRow>;
}

/**
 * A layer of entries in ascending key order (a bulk load of ascending keys into an empty tablet),
 * found by binary search on their keys: no key id string and no map entry per key.
 */
export class SortedLayer implements BufferLayer {
  constructor(private readonly sorted: readonly BufferedRow[]) {}

  get size(): number {
    return this.sorted.length;
  }

  get(keyId: string): BufferedRow | undefined {
    let low = 0;
    let high = this.sorted.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const entry = this.sorted[middle]!;
      const order = compareKeyId(keyId, entry.key);
      if (order === 0) return entry;
      if (order < 0) high = middle - 1;
      else low = middle + 1;
    }
    return undefined;
  }

  *entries(): Iterable<[string, BufferedRow]> {
    for (const entry of this.sorted) yield [entry.key.toString('latin1'), entry];
  }

  values(): Iterable<BufferedRow> {
    return this.sorted;
  }
}

/**
 * The rows of one chunk of a bulk load of ascending keys into an empty tablet (KvTablet.prepareLoad),
 * held packed as the load encoded them and found by binary search. An entry object is made only
 * for a key a later prepare looks up, and kept: `entries()` and `values()` are those entries (no
 * other entry can be any key's state in the map, so applying or discarding the layer needs no
 * more). Every key of the chunk is inserted by it, so each entry is a changed key without an
 * original row.
 */
export class PackedLayer implements BufferLayer {
  /** Order of buffering of the layer's entries, set when the buffer takes the layer. */
  sequence = 0;
  private readonly made = new Map<string, BufferedRow>();

  constructor(readonly chunk: LoadChunk) {}

  get size(): number {
    return this.chunk.rowCount;
  }

  get(keyId: string): BufferedRow | undefined {
    const made = this.made.get(keyId);
    if (made !== undefined) return made;
    const chunk = this.chunk;
    let low = 0;
    let high = chunk.rowCount - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const start = middle === 0 ? 0 : chunk.keyEnds[middle - 1]!;
      const order = compareKeyIdAt(keyId, chunk.keys, start, chunk.keyEnds[middle]!);
      if (order < 0) high = middle - 1;
      else if (order > 0) low = middle + 1;
      else {
        const entry: BufferedRow = {
          key: chunkKey(chunk, middle), row: undefined, encoded: chunkRow(chunk, middle), original: null,
          changed: true, sequence: this.sequence, previous: undefined, state: 'pending',
        };
        this.made.set(keyId, entry);
        return entry;
      }
    }
    return undefined;
  }

  entries(): Iterable<[string, BufferedRow]> {
    return this.made.entries();
  }

  values(): Iterable<BufferedRow> {
    return this.made.values();
  }
}

/** Byte order of a key id against bytes[start, end). */
function compareKeyIdAt(keyId: string, bytes: Buffer, start: number, end: number): number {
  const length = Math.min(keyId.length, end - start);
  for (let index = 0; index < length; index++) {
    const difference = keyId.charCodeAt(index) - bytes[start + index]!;
    if (difference !== 0) return difference;
  }
  return keyId.length - (end - start);
}

/** Byte order of a key id (the key's bytes as latin1 characters) against a key. */
function compareKeyId(keyId: string, key: Buffer): number {
  const length = Math.min(keyId.length, key.byteLength);
  for (let index = 0; index < length; index++) {
    const difference = keyId.charCodeAt(index) - key[index]!;
    if (difference !== 0) return difference;
  }
  return keyId.length - key.byteLength;
}

export class PreWriteBuffer {
  private readonly newest = new Map<string, BufferedRow>();
  /** Layers still pending, oldest first. */
  private layers: BufferLayer[] = [];
  private sequence = 0;

  /** Keys held (a key in several layers counts once per layer); 0 when nothing is pending. */
  get size(): number {
    let size = this.newest.size;
    for (const layer of this.layers) size += layer.size;
    return size;
  }

  /** The pending state of a key (`keyId` is the key's latin1 string), if it has one. */
  get(keyId: string): BufferedRow | undefined {
    const found = this.newest.get(keyId);
    const layers = this.layers;
    for (let index = layers.length - 1; index >= 0; index--) {
      const entry = layers[index]!.get(keyId);
      if (entry === undefined || !entry.changed) continue;
      return found === undefined || entry.sequence > found.sequence ? entry : found;
    }
    return found;
  }

  /** Makes `entry` the newest state of its key. */
  put(keyId: string, entry: BufferedRow): void {
    entry.sequence = ++this.sequence;
    this.newest.set(keyId, entry);
  }

  /** Makes the changed entries of `layer` the newest states of their keys. */
  putLayer(layer: BufferLayer): void {
    const sequence = ++this.sequence;
    if (layer instanceof PackedLayer) layer.sequence = sequence;
    for (const entry of layer.values()) entry.sequence = sequence;
    this.layers.push(layer);
  }

  /** The entry's change is now in RocksDB. */
  applied(keyId: string, entry: BufferedRow): void {
    entry.state = 'applied';
    entry.previous = undefined;
    if (this.newest.get(keyId) === entry) this.newest.delete(keyId);
  }

  /** The changes of a layer are now in RocksDB. */
  appliedLayer(layer: BufferLayer): void {
    this.dropLayer(layer);
    // Only a discard in the map can have put a layer's entry there.
    if (this.newest.size > 0) {
      for (const [keyId, entry] of layer.entries()) if (entry.changed) this.applied(keyId, entry);
      return;
    }
    for (const entry of layer.values()) {
      if (!entry.changed) continue;
      entry.state = 'applied';
      entry.previous = undefined;
    }
  }

  /** The entry's change was never made durable: forget it. */
  discarded(keyId: string, entry: BufferedRow): void {
    entry.state = 'discarded';
    if (this.newest.get(keyId) !== entry) return;
    let restore = entry.previous;
    while (restore !== undefined && restore.state !== 'pending') restore = restore.previous;
    if (restore === undefined) this.newest.delete(keyId);
    else this.newest.set(keyId, restore);
  }

  /** The changes of a layer were never made durable: forget them. */
  discardedLayer(layer: BufferLayer): void {
    this.dropLayer(layer);
    for (const [keyId, entry] of layer.entries()) {
      if (entry.changed) this.discarded(keyId, entry);
    }
  }

  private dropLayer(layer: BufferLayer): void {
    this.layers = this.layers.filter((held) => held !== layer);
  }
}

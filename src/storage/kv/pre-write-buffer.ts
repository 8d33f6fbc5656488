// A KV tablet's pre-write buffer (as Fluss's KvPreWriteBuffer): the newest state of every key whose
// change has been prepared (and possibly appended to the log) but not yet applied to RocksDB, so the
// next prepare merges against it. Readers never see it: they see only applied, durable rows.
//
// Each key maps to its newest entry; an entry remembers the entry it replaced. Applying an entry
// removes the key only if the entry is still the newest; discarding one restores the nearest older
// entry still pending (or nothing: RocksDB holds the state again).
// Invariants: the entry a key maps to is always pending; entries are applied in log order, so when
// one is applied every older entry of its key is applied or discarded.

import type { Value } from '../../common/types.js';

export type EntryState = 'pending' | 'applied' | 'discarded';

export interface BufferedRow {
  /** Full RocksDB key of the row. */
  readonly key: Buffer;
  /** The row after the change, or null when the change deleted it. */
  readonly row: Value[] | null;
  /** row-codec encoding of `row` (null when deleted). */
  readonly encoded: Buffer | null;
  previous: BufferedRow | undefined;
  state: EntryState;
}

export class PreWriteBuffer {
  private readonly newest = new Map<string, BufferedRow>();

  get size(): number {
    return this.newest.size;
  }

  /** The pending state of a key (`keyId` is the key's latin1 string), if it has one. */
  get(keyId: string): BufferedRow | undefined {
    return this.newest.get(keyId);
  }

  /** Makes `entry` the newest state of its key. */
  put(keyId: string, entry: BufferedRow): void {
    this.newest.set(keyId, entry);
  }

  /** The entry's change is now in RocksDB. */
  applied(keyId: string, entry: BufferedRow): void {
    entry.state = 'applied';
    entry.previous = undefined;
    if (this.newest.get(keyId) === entry) this.newest.delete(keyId);
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
}

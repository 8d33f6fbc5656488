// Maintenance of a KV tablet's secondary indexes (index-codec.ts lays out their entries).
//
// - Row changes: for each changed key, the entries of its old row are deleted and those of its new
//   row put, in the same RocksDB write batch as the row and the tablet's metadata (kv-tablet.ts
//   apply, kv-recovery.ts replay), so after a crash RocksDB holds rows and entries that agree.
// - Building: an index is built in a tablet by scanning its rows, in batches, and then writing the
//   index's marker key. The caller guarantees no change is applied to the tablet meanwhile (CREATE
//   INDEX runs under the commit pipeline's exclusive section; recovery runs before the tablet is
//   open). A tablet that opens with an index but no marker (the build, or RocksDB's unsynced tail
//   holding it, was lost) clears the index's entries and builds it again; entries and markers of
//   indexes the catalog no longer has (a DROP INDEX cut short) are deleted when the tablet opens.
// Readers check every entry against the row it names (see index-reader.ts), so even an entry left
// behind by an out-of-order change could never show a row under the wrong values.

import type { Value } from '../../common/types.js';
import type { WriteOperation } from '../rocks-store.js';
import type { IndexCodec } from './index-codec.js';
import { prefixSuccessor } from './key-codec.js';
import type { KvStore } from './kv-store.js';
import type { TabletCodec } from './tablet-codec.js';

/** Index entries written per RocksDB batch while building an index. */
const buildEntriesPerBatch = 4096;

/** Appends the index operations of a key's change from `before` to `after` (null: no row). */
export function indexChanges(indexes: readonly IndexCodec[], rowKey: Buffer, before: readonly Value[] | null,
  after: readonly Value[] | null, operations: WriteOperation[]): void {
  for (const index of indexes) {
    const oldKey = before === null ? null : index.entryKey(before, rowKey);
    const newKey = after === null ? null : index.entryKey(after, rowKey);
    if (oldKey !== null && newKey !== null && oldKey.equals(newKey)) continue;
    if (oldKey !== null) operations.push({ type: 'del', key: oldKey });
    if (newKey !== null) operations.push({ type: 'put', key: newKey, value: index.entryValue(rowKey) });
  }
}

/** Builds one index's entries from the tablet's rows, then writes its marker. */
export async function buildIndex(store: KvStore, tabletId: number, codec: TabletCodec, index: IndexCodec): Promise<void> {
  await store.rocks.clear(index.wholeRange());
  let operations: WriteOperation[] = [];
  const range = { gte: store.dataPrefix(tabletId), lt: store.dataEnd(tabletId) };
  for await (const chunk of store.rocks.scanChunks(range)) {
    for (let entry = 0; entry < chunk.keys.length; entry++) {
      const rowKey = chunk.keys[entry]!;
      indexChanges([index], rowKey, null, codec.decodeRow(chunk.values[entry]!), operations);
    }
    if (operations.length >= buildEntriesPerBatch) {
      await store.rocks.write(operations);
      operations = [];
    }
  }
  operations.push({ type: 'put', key: store.indexMarkerKey(tabletId, index.id), value: Buffer.of(1) });
  await store.rocks.write(operations);
}

/** Deletes one index's entries and marker from the tablet. */
export async function dropIndexEntries(store: KvStore, tabletId: number, indexId: number): Promise<void> {
  await store.rocks.write([{ type: 'del', key: store.indexMarkerKey(tabletId, indexId) }]);
  const prefix = store.indexPrefix(tabletId, indexId);
  await store.rocks.clear({ gte: prefix, lt: prefixSuccessor(prefix)! });
}

/**
 * When a tablet opens (its rows as of its metadata): builds the indexes it has no marker for and
 * deletes the entries of indexes it should no longer have.
 */
export async function reconcileIndexes(store: KvStore, tabletId: number, codec: TabletCodec, indexes: readonly IndexCodec[]): Promise<void> {
  const marked = new Set(await store.indexMarkers(tabletId));
  const wanted = new Set(indexes.map((index) => index.id));
  for (const id of marked) if (!wanted.has(id)) await dropIndexEntries(store, tabletId, id);
  for (const index of indexes) if (!marked.has(index.id)) await buildIndex(store, tabletId, codec, index);
}

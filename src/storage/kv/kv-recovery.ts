// Brings a KV tablet up to date with its log when it opens. The log is the source of truth: the KV
// rows are a replay of its change records (insert and update_after put the row, delete removes it,
// update_before carries no state), and the tablet's metadata says how far the replay got.
//
//   no metadata (new tablet, or the KV directory was lost)  → replay the whole stored log
//   appliedEnd > log end (the log lost batches the KV had applied, e.g. truncateFrom cut
//   uncommitted commits)                                    → clear the tablet and replay from base
//   appliedEnd < log start (retention deleted records never applied), or a rebuild that needs
//   records before the log start                            → XX001: the KV cannot be rebuilt
//   otherwise                                               → replay from appliedEnd
//
// Replay writes rows, their secondary index entries and metadata in the same atomic batches, so a
// crash during recovery resumes. Before replaying, the tablet's indexes are reconciled with the
// rows as they are (kv-indexes.ts): missing ones built, dropped ones deleted. Replay maintains an
// index from each key's previous row (RocksDB's, or the chunk's own earlier record), not from
// update_before records, which a `wal` changelog image does not write.

import { SqlError, SqlState } from '../../common/errors.js';
import type { Value } from '../../common/types.js';
import type { WriteOperation } from '../rocks-store.js';
import type { LogTablet } from '../log/log-tablet.js';
import { ChangeType, rowCountDelta } from './change-batch.js';
import type { KvStore, KvTabletMeta } from './kv-store.js';
import type { TabletCodec } from './tablet-codec.js';
import type { IndexCodec } from './index-codec.js';
import { indexChanges, reconcileIndexes } from './kv-indexes.js';

/** Change records read from the log per replay step. */
const replayRecordsMax = 16_384;

export async function recoverTablet(store: KvStore, tabletId: number, codec: TabletCodec, log: LogTablet,
  indexes: readonly IndexCodec[] = []): Promise<KvTabletMeta> {
  let meta = await store.readMeta(tabletId);
  if (meta === undefined || meta.appliedEnd > log.endOffset) {
    const baseOffset = meta?.baseOffset ?? log.startOffset;
    if (baseOffset < log.startOffset) throw cannotRebuild(tabletId, log, `records from offset ${baseOffset} on`);
    meta = { baseOffset, appliedEnd: baseOffset, rowCount: 0 };
    await store.resetTablet(tabletId, meta);
  } else if (meta.appliedEnd < log.startOffset) {
    throw cannotRebuild(tabletId, log, `records from offset ${meta.appliedEnd} on`);
  }
  await reconcileIndexes(store, tabletId, codec, indexes);
  return replay(store, tabletId, codec, log, meta, indexes);
}

function cannotRebuild(tabletId: number, log: LogTablet, needed: string): SqlError {
  return new SqlError(SqlState.dataCorrupted,
    `KV tablet ${tabletId} cannot be rebuilt: it needs ${needed} but the log in ${log.dir} starts at ${log.startOffset}`,
    { hint: 'Log retention removed change records the KV index had not applied.' });
}

async function replay(store: KvStore, tabletId: number, codec: TabletCodec, log: LogTablet, start: KvTabletMeta,
  indexes: readonly IndexCodec[]): Promise<KvTabletMeta> {
  let meta = start;
  const tableColumns = codec.columns.length;
  const wanted = Array.from({ length: tableColumns + 1 }, (_, index) => index);
  for await (const batch of log.read(meta.appliedEnd, { columns: wanted })) {
    for (let from = 0; from < batch.recordCount; from += replayRecordsMax) {
      const to = Math.min(batch.recordCount, from + replayRecordsMax);
      const operations: WriteOperation[] = [];
      let rowCount = meta.rowCount;
      const changeTypes = batch.columns[0]!;
      const previous = indexes.length === 0 ? null : await previousRows(store, codec, batch.columns, from, to);
      for (let record = from; record < to; record++) {
        const changeType = changeTypes[record];
        if (changeType === ChangeType.updateBefore) continue;
        const row = new Array<Value>(tableColumns);
        for (let column = 0; column < tableColumns; column++) row[column] = batch.columns[column + 1]![record]!;
        const key = codec.rowKey(row);
        let after: Value[] | null;
        if (changeType === ChangeType.insert || changeType === ChangeType.updateAfter) {
          operations.push({ type: 'put', key, value: codec.encodeRow(row) });
          after = row;
        } else if (changeType === ChangeType.delete) {
          operations.push({ type: 'del', key });
          after = null;
        } else {
          throw new SqlError(SqlState.dataCorrupted, `log ${log.dir} has change type ${String(changeType)} at offset ${batch.baseOffset + BigInt(record)}`);
        }
        if (previous !== null) {
          const keyId = key.toString('latin1');
          indexChanges(indexes, key, previous.get(keyId) ?? null, after, operations);
          previous.set(keyId, after);
        }
        rowCount += rowCountDelta(changeType);
      }
      meta = { baseOffset: meta.baseOffset, appliedEnd: batch.baseOffset + BigInt(to), rowCount };
      operations.push({ type: 'put', key: store.metaKey(tabletId), value: store.encodeMeta(meta) });
      await store.rocks.write(operations);
    }
  }
  return meta;
}

/** The stored rows (null: none) of the keys of records [from, to), by key in latin1. */
async function previousRows(store: KvStore, codec: TabletCodec, columns: readonly (readonly Value[])[], from: number, to: number): Promise<Map<string, Value[] | null>> {
  const keys = new Map<string, Buffer>();
  const tableColumns = codec.columns.length;
  for (let record = from; record < to; record++) {
    const row = new Array<Value>(tableColumns);
    for (let column = 0; column < tableColumns; column++) row[column] = columns[column + 1]![record]!;
    const key = Buffer.from(codec.rowKey(row));
    keys.set(key.toString('latin1'), key);
  }
  const values = await store.rocks.getMany([...keys.values()]);
  const rows = new Map<string, Value[] | null>();
  let index = 0;
  for (const keyId of keys.keys()) {
    const bytes = values[index++];
    rows.set(keyId, bytes === undefined ? null : codec.decodeRow(bytes));
  }
  return rows;
}

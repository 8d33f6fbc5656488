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
// Replay writes rows and metadata in the same atomic batches, so a crash during recovery resumes.

import { SqlError, SqlState } from '../../common/errors.js';
import type { Value } from '../../common/types.js';
import type { WriteOperation } from '../rocks-store.js';
import type { LogTablet } from '../log/log-tablet.js';
import { ChangeType, rowCountDelta } from './change-batch.js';
import type { KvStore, KvTabletMeta } from './kv-store.js';
import type { TabletCodec } from './tablet-codec.js';

/** Change records read from the log per replay step. */
const replayRecordsMax = 16_384;

export async function recoverTablet(store: KvStore, tabletId: number, codec: TabletCodec, log: LogTablet): Promise<KvTabletMeta> {
  let meta = await store.readMeta(tabletId);
  if (meta === undefined || meta.appliedEnd > log.endOffset) {
    const baseOffset = meta?.baseOffset ?? log.startOffset;
    if (baseOffset < log.startOffset) throw cannotRebuild(tabletId, log, `records from offset ${baseOffset} on`);
    meta = { baseOffset, appliedEnd: baseOffset, rowCount: 0 };
    await store.resetTablet(tabletId, meta);
  } else if (meta.appliedEnd < log.startOffset) {
    throw cannotRebuild(tabletId, log, `records from offset ${meta.appliedEnd} on`);
  }
  return replay(store, tabletId, codec, log, meta);
}

function cannotRebuild(tabletId: number, log: LogTablet, needed: string): SqlError {
  return new SqlError(SqlState.dataCorrupted,
    `KV tablet ${tabletId} cannot be rebuilt: it needs ${needed} but the log in ${log.dir} starts at ${log.startOffset}`,
    { hint: 'Log retention removed change records the KV index had not applied.' });
}

async function replay(store: KvStore, tabletId: number, codec: TabletCodec, log: LogTablet, start: KvTabletMeta): Promise<KvTabletMeta> {
  let meta = start;
  const tableColumns = codec.columns.length;
  const wanted = Array.from({ length: tableColumns + 1 }, (_, index) => index);
  for await (const batch of log.read(meta.appliedEnd, { columns: wanted })) {
    for (let from = 0; from < batch.recordCount; from += replayRecordsMax) {
      const to = Math.min(batch.recordCount, from + replayRecordsMax);
      const operations: WriteOperation[] = [];
      let rowCount = meta.rowCount;
      const changeTypes = batch.columns[0]!;
      for (let record = from; record < to; record++) {
        const changeType = changeTypes[record];
        if (changeType === ChangeType.updateBefore) continue;
        const row = new Array<Value>(tableColumns);
        for (let column = 0; column < tableColumns; column++) row[column] = batch.columns[column + 1]![record]!;
        const key = codec.rowKey(row);
        if (changeType === ChangeType.insert || changeType === ChangeType.updateAfter) {
          operations.push({ type: 'put', key, value: codec.encodeRow(row) });
        } else if (changeType === ChangeType.delete) {
          operations.push({ type: 'del', key });
        } else {
          throw new SqlError(SqlState.dataCorrupted, `log ${log.dir} has change type ${String(changeType)} at offset ${batch.baseOffset + BigInt(record)}`);
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

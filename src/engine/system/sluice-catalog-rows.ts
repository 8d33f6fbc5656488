// Rows of sluice_catalog's views: the storage layout of each table, bucket by bucket.

import type { SystemRecord, SystemRowProducer, SystemRowsContext } from './system-rows.js';

function buckets(context: SystemRowsContext): SystemRecord[] {
  const records: SystemRecord[] = [];
  for (const relation of context.snapshot.relations) {
    const table = relation.table;
    if (table === null || relation.indexOf !== null || relation.kind === 'p') continue;
    if (relation.partition === null && table.schema.partitionKey.length > 0) continue;
    for (const tablet of context.storage.bucketsOf(table, relation.partition)) {
      const start = tablet.log.startOffset;
      const end = tablet.visibleEndOffset;
      records.push({
        table_schema: relation.namespace.name, table_name: table.name, partition_name: relation.partition?.name ?? null,
        bucket: tablet.bucket, tablet_id: BigInt(tablet.tabletId), start_offset: start, end_offset: end,
        rows: tablet.kv !== null ? BigInt(tablet.kv.count()) : end - start,
      });
    }
  }
  return records;
}

function materializedViews(context: SystemRowsContext): SystemRecord[] {
  const applied = context.applied?.().sequence ?? 0n;
  const now = Date.now();
  return (context.views?.() ?? [])
    .filter((status) => status.view.databaseOid === context.snapshot.database.oid)
    .map((status) => ({
      view_schema: context.snapshot.relations.find((relation) => relation.table?.oid === status.view.oid)?.namespace.name ?? null,
      view_name: status.view.name,
      pending_commits: BigInt(status.pendingCommits),
      lag_ms: BigInt(status.oldestPendingMs === null ? 0 : Math.max(0, now - status.oldestPendingMs)),
      last_input_commit: status.lastSourceSequence,
      commits_behind: applied > status.lastSourceSequence ? applied - status.lastSourceSequence : 0n,
      records_behind: status.recordsBehind,
      started_from: status.startedFrom,
      error: status.error,
    }));
}

function subscriptions(context: SystemRowsContext): SystemRecord[] {
  return (context.subscriptions?.() ?? [])
    .filter((status) => status.table.databaseOid === context.snapshot.database.oid)
    .map((status) => ({
      pid: status.processId,
      table_schema: context.snapshot.relations.find((relation) => relation.table?.oid === status.table.oid)?.namespace.name ?? null,
      table_name: status.table.name,
      records_behind: status.recordsBehind,
      rows_queued: BigInt(status.rowsQueued),
      rows_sent: BigInt(status.rowsSent),
      started_at: BigInt(status.startedAtMs) * 1000n,
    }));
}

function server(context: SystemRowsContext): SystemRecord[] {
  const memory = process.memoryUsage();
  const storage = context.storage.memoryBytes();
  return [{
    pid: process.pid, rss_bytes: BigInt(memory.rss), heap_used_bytes: BigInt(memory.heapUsed), heap_total_bytes: BigInt(memory.heapTotal),
    external_bytes: BigInt(memory.external), rocksdb_memtable_bytes: storage.memtables, rocksdb_table_readers_bytes: storage.tableReaders,
    rocksdb_block_cache_bytes: storage.blockCache, row_cache_bytes: storage.rowCache, log_frame_cache_bytes: storage.frameCache, uptime_ms: BigInt(Math.round(process.uptime() * 1000)),
  }];
}

export const sluiceCatalogProducers: Readonly<Record<string, SystemRowProducer>> = { buckets, materialized_views: materializedViews, server, subscriptions };

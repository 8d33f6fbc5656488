// Owns every tablet of the server: one log tablet per bucket of every table and partition (and,
// for primary-key tables, the KV tablet built from it), the commit pipeline and its watermark.
// On start it cuts, from every log, the batches of commits that never became durable.
//
// Layout under the data directory: log/<tabletId>/ (log segments), kv/ (one RocksDB for all KV
// tablets), commit-watermark.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionDef, TableDef } from '../common/catalog-model.js';
import type { TableSchema } from '../common/schema.js';
import { SqlError, SqlState } from '../common/errors.js';
import { Types, type Value } from '../common/types.js';
import type { TabletCommit } from './commit/commit-pipeline.js';
import type { ColumnarBatch } from './log/columnar-batch.js';
import { KvStore } from './kv/kv-store.js';
import { kvIndexSpecsOf } from './kv/index-codec.js';
import { KvTablet, type KvSchema, type KvWrite, type ScanOptions } from './kv/kv-tablet.js';
import type { KvLoad, LoadChunk } from './kv/kv-load.js';
import { EncodedBatch } from './log/encoded-batch.js';
import { CommitPipeline } from './commit/commit-pipeline.js';
import { CommitWatermark } from './commit/commit-watermark.js';
import type { LogSchema } from './log/log-schema.js';
import type { LogStage } from './log/log-stage.js';
import { LogTablet } from './log/log-tablet.js';
import { FrameCache } from './log/frame-cache.js';
import { limits } from '../common/limits.js';

/** The change-type column every primary-key table's log starts with. */
export const changeTypeColumn = '_change_type';
export { ChangeType } from './kv/change-batch.js';
import { ChangeType } from './kv/change-batch.js';
export const changeTypeNames = ['insert', 'update_before', 'update_after', 'delete'] as const;

export interface BucketTablet {
  readonly tabletId: number;
  readonly bucket: number;
  readonly partition: PartitionDef | null;
  readonly log: LogTablet;
  /** The KV tablet of a primary-key table's bucket, built from its log. */
  readonly kv: KvTablet | null;
  /** End offset of the durable, acknowledged data: readers stop here. */
  visibleEndOffset: bigint;
}

/** Rows for one KV tablet: upserts (optionally of some columns only) or inserts that skip existing keys. */
export interface KvWriteBatch {
  readonly kind: 'append' | 'upsert' | 'nothing' | 'delete' | 'update' | 'retract';
  readonly rows: readonly Value[][];
  readonly merge?: (existing: readonly Value[], proposed: readonly Value[]) => Value[] | null;
  readonly columns: readonly number[] | null;
}

export function kvSchemaOf(schema: TableSchema): KvSchema {
  const indexOf = (name: string): number => schema.columns.findIndex((column) => column.name === name);
  return {
    columns: schema.columns.map((column) => ({
      name: column.name, type: column.type, ...(column.nullable && schema.primaryKey.includes(column.name) ? { nullableKey: true } : {}),
    })),
    primaryKey: schema.primaryKey.map(indexOf),
    mergeEngine: schema.options.mergeEngine,
    ...(schema.options.versionColumn === undefined ? {} : { versionColumn: indexOf(schema.options.versionColumn) }),
    changelogImage: schema.options.changelogImage,
  };
}

export function logSchemaOf(schema: TableSchema): LogSchema {
  const columns = schema.columns.map((column) => ({ name: column.name, type: column.type }));
  return {
    schemaId: schema.schemaId,
    columns: schema.primaryKey.length > 0 ? [{ name: changeTypeColumn, type: Types.int2 }, ...columns] : columns,
  };
}

/** NOT NULL of the rows a change batch inserts or updates to (column 0 is the change type). */
function checkInsertedRows(table: TableDef, batch: ColumnarBatch): void {
  const changeTypes = batch.columns[0] ?? [];
  table.schema.columns.forEach((column, index) => {
    if (column.nullable) return;
    const values = batch.columns[index + 1] ?? [];
    for (let row = 0; row < batch.rowCount; row++) {
      const change = changeTypes[row];
      if ((change === ChangeType.insert || change === ChangeType.updateAfter) && values[row] === null) {
        throw new SqlError(SqlState.notNullViolation, `null value in column "${column.name}" of relation "${table.name}" violates not-null constraint`,
          { table: table.name, column: column.name });
      }
    }
  });
}

function countInserts(batch: ColumnarBatch): number {
  const changeTypes = batch.columns[0] ?? [];
  let count = 0;
  for (let row = 0; row < batch.rowCount; row++) if (changeTypes[row] === ChangeType.insert) count++;
  return count;
}

export interface TableStorageOptions {
  /** Size at which log segments roll (default: the log tablet's own). */
  readonly logSegmentBytes?: number;
  /** Bytes of the bounded caches together, a quarter each (default limits.cacheMemoryBytesDefault). */
  readonly cacheBytes?: number;
}

/** Bytes of each of the four bounded caches. */
function cacheShare(options: TableStorageOptions): number {
  return Math.floor((options.cacheBytes ?? limits.cacheMemoryBytesDefault) / 4);
}

export class TableStorage {
  private readonly tablets = new Map<number, BucketTablet>();

  /** Log frames read before, for later reads of every log tablet. */
  private readonly frameCache: FrameCache;

  private constructor(private readonly directory: string, private readonly watermark: CommitWatermark,
    private readonly kvStore: KvStore, readonly pipeline: CommitPipeline, private readonly options: TableStorageOptions) {
    this.frameCache = new FrameCache(cacheShare(options));
  }

  static async open(directory: string, options: TableStorageOptions = {}): Promise<TableStorage> {
    const watermark = await CommitWatermark.open(join(directory, 'commit-watermark'));
    const kvStore = await KvStore.open(join(directory, 'kv'), cacheShare(options));
    return new TableStorage(directory, watermark, kvStore, new CommitPipeline(watermark), options);
  }

  /** Opens (and recovers) every tablet of a table; idempotent. */
  async openTable(table: TableDef): Promise<void> {
    await this.openTables([table], false);
  }

  /**
   * Opens (and recovers) the tablets of these tables together. With `everyTable` (the server's
   * start), they are all the tablets there are, so a commit group above the watermark with no batch
   * in any of them was lost as a whole, and everything after it is cut too.
   */
  async openTables(tables: readonly TableDef[], everyTable = true): Promise<void> {
    const opening: { table: TableDef; partition: PartitionDef | null; bucket: number; tabletId: number; log: LogTablet }[] = [];
    for (const table of tables) {
      const sets: [PartitionDef | null, readonly number[]][] = table.schema.partitionKey.length === 0 ? [[null, table.tabletIds]] : [];
      for (const partition of table.partitions) sets.push([partition, partition.tabletIds]);
      for (const [partition, tabletIds] of sets) {
        for (const [bucket, tabletId] of tabletIds.entries()) {
          if (this.tablets.has(tabletId) || opening.some((entry) => entry.tabletId === tabletId)) continue;
          const log = await LogTablet.open(join(this.directory, 'log', String(tabletId)), logSchemaOf(table.schema), {
            frameCache: this.frameCache, ...(this.options.logSegmentBytes === undefined ? {} : { segmentBytes: this.options.logSegmentBytes }),
          });
          opening.push({ table, partition, bucket, tabletId, log });
        }
      }
    }
    if (opening.length === 0) return;
    await this.cutIncompleteGroups(opening.map((entry) => entry.log), everyTable);
    for (const { table, partition, bucket, tabletId, log } of opening) {
      const kv = table.schema.primaryKey.length > 0 ? await KvTablet.open(this.kvStore, tabletId, kvSchemaOf(table.schema), log, kvIndexSpecsOf(table)) : null;
      this.tablets.set(tabletId, { tabletId, bucket, partition, log, kv, visibleEndOffset: log.endOffset });
    }
  }

  /**
   * Recovery of the logs' tails: batches at or below the commit watermark are complete; above it,
   * commit groups are kept in sequence order while all their batches are present (each batch says
   * how many its group appended), and from the first incomplete (or, with `noGaps`, missing) group
   * on, every batch is cut: those commits were never acknowledged.
   */
  private async cutIncompleteGroups(logs: readonly LogTablet[], noGaps: boolean): Promise<void> {
    const watermark = this.watermark;
    const groups = new Map<bigint, { expected: number; found: number; timestampMs: number }>();
    const above = new Map<LogTablet, { offset: bigint; sequence: bigint }[]>();
    for (const log of logs) {
      const from = await log.offsetForTimestamp(watermark.timestampMs);
      const batches: { offset: bigint; sequence: bigint }[] = [];
      for await (const batch of log.read(from, { columns: [] })) {
        if (batch.commitSequence <= watermark.sequence) continue;
        batches.push({ offset: batch.baseOffset, sequence: batch.commitSequence });
        const group = groups.get(batch.commitSequence) ?? { expected: batch.groupBatches, found: 0, timestampMs: batch.commitTimestampMs };
        group.found++;
        groups.set(batch.commitSequence, group);
      }
      above.set(log, batches);
    }
    let kept = watermark.sequence;
    let keptTimestampMs = watermark.timestampMs;
    for (const sequence of [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const group = groups.get(sequence)!;
      if (noGaps && sequence !== kept + 1n) break;
      if (group.expected === 0 || group.found !== group.expected) break;
      kept = sequence;
      keptTimestampMs = group.timestampMs;
    }
    for (const [log, batches] of above) {
      const cut = batches.find((batch) => batch.sequence > kept);
      if (cut !== undefined) await log.truncateFrom(cut.offset);
    }
    if (kept > watermark.sequence) {
      await watermark.advance(kept, keptTimestampMs);
      if (kept > this.pipeline.appliedCommit.sequence) this.pipeline.recovered({ sequence: kept, timestampMs: keptTimestampMs });
    }
  }

  /** The tablets of a table, or of one partition, in bucket order. */
  bucketsOf(table: TableDef, partition: PartitionDef | null): BucketTablet[] {
    const ids = partition !== null ? partition.tabletIds : table.tabletIds;
    return ids.map((id) => this.tablets.get(id)).filter((tablet): tablet is BucketTablet => tablet !== undefined);
  }

  /** Every tablet of a table: all buckets of all partitions. */
  allTablets(table: TableDef): BucketTablet[] {
    if (table.schema.partitionKey.length === 0) return this.bucketsOf(table, null);
    return table.partitions.flatMap((partition) => this.bucketsOf(table, partition));
  }

  /** Applies a new schema (ADD COLUMN) to every open tablet of the table. */
  async evolveTable(table: TableDef): Promise<void> {
    for (const tablet of this.allTablets(table)) {
      await tablet.log.evolveSchema(logSchemaOf(table.schema));
      await tablet.kv?.evolveSchema(kvSchemaOf(table.schema));
    }
  }

  /**
   * Log retention (`log_ttl`): deletes whole segments of log tables older than their TTL (`onCut`
   * hears of each table that lost some). Primary-key tables keep their whole log: their KV tablets
   * are rebuilt from it.
   */
  async enforceRetention(tables: readonly TableDef[], nowMs = Date.now(), onCut?: (table: TableDef) => void): Promise<number> {
    let deleted = 0;
    await this.watermark.sync();
    for (const table of tables) {
      if (table.schema.primaryKey.length > 0) continue;
      let cut = 0;
      for (const tablet of this.allTablets(table)) cut += await tablet.log.deleteSegmentsOlderThan(nowMs - table.schema.options.logTtlMs);
      if (cut > 0) onCut?.(table);
      deleted += cut;
    }
    return deleted;
  }

  /** Removes every row of a table (TRUNCATE), ordered after all earlier commits. */
  truncate(table: TableDef): Promise<void> {
    return this.pipeline.exclusive(async () => {
      for (const tablet of this.allTablets(table)) {
        await tablet.log.truncateAll();
        await tablet.kv?.truncate(tablet.log.endOffset);
        tablet.visibleEndOffset = tablet.log.endOffset;
      }
    });
  }

  /** Closes and deletes tablets (DROP TABLE, dropped partitions). */
  async dropTablets(tabletIds: readonly number[]): Promise<void> {
    // drain() also makes the watermark durable: no group recovery may need a deleted batch.
    await this.pipeline.drain();
    for (const tabletId of tabletIds) {
      const tablet = this.tablets.get(tabletId);
      this.tablets.delete(tabletId);
      await tablet?.kv?.drop();
      await tablet?.log.close();
      await rm(join(this.directory, 'log', String(tabletId)), { recursive: true, force: true });
    }
  }

  /**
   * Current rows of a primary-key table, read from its KV tablets: [columns..., _bucket, _offset,
   * _commit_timestamp]; only keys in `range` of each tablet, and at most `range.limit` rows in all.
   */
  async *scanKv(table: TableDef, tablets: readonly BucketTablet[], signal: AbortSignal, range: ScanOptions = {}): AsyncGenerator<Value[][]> {
    const width = table.schema.columns.length;
    let remaining = range.limit ?? Number.POSITIVE_INFINITY;
    // Every bucket's RocksDB iterator is created at one consistent point (an iterator takes its
    // snapshot when created), so the scan sees whole commits across buckets.
    const scans = await this.pipeline.atConsistentPoint(() => tablets.filter((tablet) => tablet.kv !== null).map((tablet) => {
      const rows = tablet.kv!.scan(range);
      const first = rows.next();
      first.catch(() => undefined);
      return { tablet, rows, first };
    }));
    try {
      for (const { tablet, rows, first } of scans) {
        if (remaining <= 0) return;
        let result = await first;
        while (result.done !== true && remaining > 0) {
          const batch = result.value.length > remaining ? result.value.slice(0, remaining) : result.value;
          remaining -= batch.length;
          if (signal.aborted) throw new SqlError(SqlState.queryCanceled, 'canceling statement due to user request');
          for (const row of batch) {
            row.length = width;
            row.push(tablet.bucket, null, null);
          }
          yield batch;
          if (remaining > 0) result = await rows.next();
        }
      }
    } finally {
      for (const { rows } of scans) await rows.return(undefined);
    }
  }

  /** Each tablet's visible end offset, all taken at one consistent point (whole commits only). */
  visibleEnds(tablets: readonly BucketTablet[]): Promise<bigint[]> {
    return this.pipeline.atConsistentPoint(() => tablets.map((tablet) => tablet.visibleEndOffset));
  }

  /**
   * Prepares writes to one bucket of a primary-key table: the KV tablet merges them into change
   * records for the log; they are applied to the KV tablet once durable. Rows the changes insert
   * must satisfy NOT NULL (a partial update may leave out columns only an existing row has).
   */
  async prepareKvCommit(table: TableDef, tablet: BucketTablet, writes: readonly KvWriteBatch[],
    inserted?: { count: number }): Promise<TabletCommit> {
    const kv = tablet.kv;
    if (kv === null) throw new SqlError(SqlState.internalError, `tablet ${tablet.tabletId} has no KV tablet`);
    const kvWrites: KvWrite[] = [];
    const keyIndexes = kvSchemaOf(table.schema).primaryKey;
    for (const write of writes) {
      for (const row of write.rows) {
        if (write.kind === 'delete') kvWrites.push({ kind: 'delete', key: keyIndexes.map((index) => row[index] ?? null) });
        else if (write.kind === 'retract') kvWrites.push({ kind: 'retract', row, columns: write.columns ?? [] });
        else if (write.kind === 'nothing') kvWrites.push({ kind: 'insertIfAbsent', row });
        else if (write.kind === 'update' && write.merge !== undefined) {
          const merge = write.merge;
          kvWrites.push({ kind: 'upsertMerge', row, merge: (existing) => merge(existing, row) });
        }
        else kvWrites.push(write.columns === null ? { kind: 'upsert', row } : { kind: 'upsert', row, columns: write.columns });
      }
    }
    const prepared = await kv.prepare(kvWrites);
    try {
      checkInsertedRows(table, prepared.batch);
      if (inserted !== undefined) inserted.count += countInserts(prepared.batch);
    } catch (error) {
      await kv.discard(prepared);
      throw error;
    }
    return {
      log: tablet.log,
      batch: prepared.batch,
      afterDurable: async (lastOffset) => {
        await kv.apply(prepared, lastOffset);
        tablet.visibleEndOffset = lastOffset + 1n;
      },
      discard: () => kv.discard(prepared),
    };
  }

  /**
   * The parts of a bulk load into a KV tablet (see KvTablet.prepareLoad): one per chunk, each
   * applied once durable. If one cannot be prepared, none is.
   */
  async prepareKvLoad(table: TableDef, tablet: BucketTablet, load: KvLoad, chunks: readonly LoadChunk[], staged?: LogStage): Promise<TabletCommit[]> {
    const kv = tablet.kv;
    if (kv === null) throw new SqlError(SqlState.internalError, `tablet ${tablet.tabletId} has no KV tablet`);
    const prepared = await kv.prepareLoad(load, chunks);
    try {
      for (const changes of prepared) if (!(changes.batch instanceof EncodedBatch)) checkInsertedRows(table, changes.batch);
    } catch (error) {
      for (let index = prepared.length - 1; index >= 0; index--) await kv.discard(prepared[index]!);
      throw error;
    }
    // The staged log batches are the first chunks' own when the load was taken as it is.
    const stagedCount = staged?.frameCount ?? 0;
    const asStaged = staged !== undefined && stagedCount > 0 && staged.owner === tablet.log && prepared.length === chunks.length
      && staged.chunks.every((batch, index) => prepared[index]!.batch === batch && chunks[index]!.log === batch);
    if (staged !== undefined && !asStaged) await staged.discard();
    const parts: TabletCommit[] = [];
    if (asStaged) {
      const stagedChanges = prepared.slice(0, stagedCount);
      parts.push({
        log: tablet.log,
        batch: staged,
        afterDurable: async (lastOffset) => {
          // The staged batches end at lastOffset, one after the other.
          let end = lastOffset - BigInt(staged.rowCount);
          const applies = stagedChanges.map((changes) => {
            end += BigInt(changes.recordCount);
            return kv.apply(changes, end);
          });
          await Promise.all(applies);
          tablet.visibleEndOffset = lastOffset + 1n;
        },
        discard: async () => {
          for (let index = stagedChanges.length - 1; index >= 0; index--) await kv.discard(stagedChanges[index]!);
          await staged.discard();
        },
      });
    }
    return parts.concat((asStaged ? prepared.slice(stagedCount) : prepared).map((changes): TabletCommit => ({
      log: tablet.log,
      batch: changes.batch,
      afterDurable: async (lastOffset) => {
        await kv.apply(changes, lastOffset);
        tablet.visibleEndOffset = lastOffset + 1n;
      },
      discard: () => kv.discard(changes),
    })));
  }

  /** A materialized view's recorded progress, kept beside its first tablet (see view-maintainer.ts). */
  readViewProgress(tabletId: number): Promise<Buffer | undefined> {
    return this.kvStore.readViewProgress(tabletId);
  }

  writeViewProgress(tabletId: number, progress: Buffer): Promise<void> {
    return this.kvStore.writeViewProgress(tabletId, progress);
  }

  /** Memory held by the storage's bounded caches and RocksDB (see RocksStore.memoryBytes). */
  memoryBytes(): { memtables: bigint; tableReaders: bigint; blockCache: bigint; rowCache: bigint; frameCache: bigint } {
    return { ...this.kvStore.rocks.memoryBytes(), rowCache: BigInt(this.kvStore.rowCache.byteCount), frameCache: BigInt(this.frameCache.byteCount) };
  }

  async close(): Promise<void> {
    await this.pipeline.drain();
    for (const tablet of this.tablets.values()) {
      await tablet.kv?.close();
      await tablet.log.close();
    }
    this.tablets.clear();
    await this.kvStore.close();
    await this.watermark.close();
  }
}

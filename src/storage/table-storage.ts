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
import { notSupported } from '../common/errors.js';
import { Types, type Value } from '../common/types.js';
import type { TabletCommit } from './commit/commit-pipeline.js';
import { CommitPipeline } from './commit/commit-pipeline.js';
import { CommitWatermark } from './commit/commit-watermark.js';
import type { LogSchema } from './log/log-schema.js';
import { LogTablet } from './log/log-tablet.js';

/** The change-type column every primary-key table's log starts with. */
export const changeTypeColumn = '_change_type';
export const ChangeType = { insert: 0, updateBefore: 1, updateAfter: 2, delete: 3 } as const;
export const changeTypeNames = ['insert', 'update_before', 'update_after', 'delete'] as const;

export interface BucketTablet {
  readonly tabletId: number;
  readonly bucket: number;
  readonly partition: PartitionDef | null;
  readonly log: LogTablet;
  /** End offset of the durable, acknowledged data: readers stop here. */
  visibleEndOffset: bigint;
}

/** Rows for one KV tablet: upserts (optionally of some columns only) or inserts that skip existing keys. */
export interface KvWriteBatch {
  readonly kind: 'append' | 'upsert' | 'nothing';
  readonly rows: readonly Value[][];
  readonly columns: readonly number[] | null;
}

export function logSchemaOf(schema: TableSchema): LogSchema {
  const columns = schema.columns.map((column) => ({ name: column.name, type: column.type }));
  return {
    schemaId: schema.schemaId,
    columns: schema.primaryKey.length > 0 ? [{ name: changeTypeColumn, type: Types.int2 }, ...columns] : columns,
  };
}

export class TableStorage {
  private readonly tablets = new Map<number, BucketTablet>();

  private constructor(private readonly directory: string, private readonly watermark: CommitWatermark,
    readonly pipeline: CommitPipeline) {}

  static async open(directory: string): Promise<TableStorage> {
    const watermark = await CommitWatermark.open(join(directory, 'commit-watermark'));
    return new TableStorage(directory, watermark, new CommitPipeline(watermark));
  }

  /** Opens (and recovers) every tablet of a table; idempotent. */
  async openTable(table: TableDef): Promise<void> {
    if (table.schema.partitionKey.length === 0) {
      await this.openTablets(table, null, table.tabletIds);
    }
    for (const partition of table.partitions) await this.openTablets(table, partition, partition.tabletIds);
  }

  private async openTablets(table: TableDef, partition: PartitionDef | null, tabletIds: readonly number[]): Promise<void> {
    for (const [bucket, tabletId] of tabletIds.entries()) {
      if (this.tablets.has(tabletId)) continue;
      const log = await LogTablet.open(join(this.directory, 'log', String(tabletId)), logSchemaOf(table.schema));
      await this.cutUncommitted(log);
      this.tablets.set(tabletId, { tabletId, bucket, partition, log, visibleEndOffset: log.endOffset });
    }
  }

  /** Removes the tail of batches whose commit sequence is above the durable watermark. */
  private async cutUncommitted(log: LogTablet): Promise<void> {
    const from = await log.offsetForTimestamp(this.watermark.timestampMs);
    for await (const batch of log.read(from, { columns: [] })) {
      if (batch.commitSequence > this.watermark.sequence) {
        await log.truncateFrom(batch.baseOffset);
        return;
      }
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
    for (const tablet of this.allTablets(table)) await tablet.log.evolveSchema(logSchemaOf(table.schema));
  }

  /** Removes every row of a table (TRUNCATE), ordered after all earlier commits. */
  truncate(table: TableDef): Promise<void> {
    return this.pipeline.exclusive(async () => {
      for (const tablet of this.allTablets(table)) {
        await tablet.log.truncateAll();
        tablet.visibleEndOffset = tablet.log.endOffset;
      }
    });
  }

  /** Closes and deletes tablets (DROP TABLE, dropped partitions). */
  async dropTablets(tabletIds: readonly number[]): Promise<void> {
    await this.pipeline.drain();
    for (const tabletId of tabletIds) {
      const tablet = this.tablets.get(tabletId);
      this.tablets.delete(tabletId);
      await tablet?.log.close();
      await rm(join(this.directory, 'log', String(tabletId)), { recursive: true, force: true });
    }
  }

  /** Current rows of a primary-key table, read from its KV tablets. */
  scanKv(table: TableDef, _tablets: readonly BucketTablet[], _signal: AbortSignal): AsyncGenerator<Value[][]> {
    throw notSupported(`reading primary-key table "${table.name}" is not supported yet`);
  }

  /** Prepares the changelog of writes to one bucket of a primary-key table. */
  prepareKvCommit(table: TableDef, _tablet: BucketTablet, _writes: readonly KvWriteBatch[]): Promise<TabletCommit> {
    throw notSupported(`writing primary-key table "${table.name}" is not supported yet`);
  }

  async close(): Promise<void> {
    await this.pipeline.drain();
    for (const tablet of this.tablets.values()) await tablet.log.close();
    this.tablets.clear();
    await this.watermark.close();
  }
}

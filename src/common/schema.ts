// Table definitions as every layer sees them: columns with types, the primary key, the bucket key,
// partitioning and table options. Stored by the catalog; storage reads it to lay out log batches
// and KV keys.

import type { DataType } from './types.js';

export interface ColumnSchema {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** Stable id of the column, never reused in its table (survives ADD COLUMN). */
  readonly id: number;
}

export type MergeEngine = 'last_row' | 'first_row' | 'versioned';

export interface TableOptions {
  readonly buckets: number;
  /** Bucket key column names; empty for a log table that spreads rows over buckets. */
  readonly bucketKey: readonly string[];
  /** Log retention in milliseconds. */
  readonly logTtlMs: number;
  readonly mergeEngine: MergeEngine;
  /** Column holding the version for merge_engine = 'versioned'. */
  readonly versionColumn?: string;
  readonly changelogImage: 'full' | 'wal';
  /** Automatic partitioning: 'hour' | 'day' | 'month' | 'year', with retention and precreation counts. */
  readonly autoPartition?: { readonly unit: 'hour' | 'day' | 'month' | 'year'; readonly retention?: number; readonly precreate: number };
}

export interface TableSchema {
  /** Schema version id; bumps on ADD COLUMN. Log batches record the one they were written with. */
  readonly schemaId: number;
  readonly columns: readonly ColumnSchema[];
  /** Primary key column names in key order; empty for a log table. */
  readonly primaryKey: readonly string[];
  /** Partition key column names (LIST partitioning); empty when unpartitioned. */
  readonly partitionKey: readonly string[];
  readonly options: TableOptions;
}

export function isPrimaryKeyTable(schema: TableSchema): boolean {
  return schema.primaryKey.length > 0;
}

export function columnIndex(schema: TableSchema, name: string): number {
  return schema.columns.findIndex((column) => column.name === name);
}

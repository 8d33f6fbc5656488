// Routes the rows of a write to tablets: the partition by the partition key's value (creating it
// when the table partitions automatically), then the bucket by a stable hash of the bucket key.
// Log tables without a bucket key spread rows round-robin over their buckets.

import type { PartitionDef, TableDef } from '../common/catalog-model.js';
import { SqlError, SqlState } from '../common/errors.js';
import type { DataType, Value } from '../common/types.js';
import { formatText } from '../common/value-text.js';
import { bucketOf } from '../common/bucket-hash.js';

export interface RoutedRows {
  readonly partition: PartitionDef | null;
  readonly bucket: number;
  readonly rows: Value[][];
}

export class WriteRouter {
  private roundRobin: number;
  /** Column indexes and types of the bucket key, in key order. */
  private readonly bucketKeyIndexes: readonly number[];
  private readonly bucketKeyTypes: readonly (DataType | undefined)[];

  constructor(private readonly table: TableDef) {
    this.roundRobin = Math.floor(Math.random() * table.schema.options.buckets);
    const columns = table.schema.columns;
    this.bucketKeyIndexes = table.schema.options.bucketKey.map((name) => columns.findIndex((column) => column.name === name));
    this.bucketKeyTypes = this.bucketKeyIndexes.map((index) => columns[index]?.type);
  }

  /** The bucket the next row of a table without a bucket key goes to (each row goes to the next bucket in turn). */
  peekSpreadBucket(): number {
    return this.roundRobin % this.table.schema.options.buckets;
  }

  /** The bucket of the next row of a table without a bucket key; the row after it goes to the next. */
  nextSpreadBucket(): number {
    const bucket = this.peekSpreadBucket();
    this.roundRobin = bucket + 1;
    return bucket;
  }

  /** Text form of a row's partition-key values. */
  partitionValues(row: readonly Value[]): string[] {
    return this.table.schema.partitionKey.map((name) => {
      const index = this.table.schema.columns.findIndex((column) => column.name === name);
      const column = this.table.schema.columns[index];
      const value = row[index] ?? null;
      if (column === undefined || value === null) {
        throw new SqlError(SqlState.notNullViolation, `null value in column "${name}" of relation "${this.table.name}" violates not-null constraint`);
      }
      return formatText(column.type, value);
    });
  }

  /** The bucket of a row of a table with a bucket key. */
  bucketOfRow(row: readonly Value[]): number {
    const values = this.bucketKeyIndexes.map((index, i) => {
      const value = row[index] ?? null;
      const type = this.bucketKeyTypes[i];
      return value === null || type === undefined ? '' : formatText(type, value);
    });
    return bucketOf(values, this.table.schema.options.buckets);
  }

  /**
   * Groups rows by partition (by its values in text form) and bucket. Without a bucket key, each
   * row goes to the next bucket in turn.
   */
  route(rows: readonly Value[][], partitions: ReadonlyMap<string, PartitionDef | null>): RoutedRows[] {
    const schema = this.table.schema;
    const buckets = schema.options.buckets;
    const hashed = this.bucketKeyIndexes.length > 0;
    const partitioned = schema.partitionKey.length > 0;
    // The groups of each partition, by bucket number (one partition, keyed '', when unpartitioned).
    const groupsByPartition = new Map<string, (RoutedRows | undefined)[]>();
    const groups: RoutedRows[] = [];
    let partitionKey = '';
    let partitionGroups: (RoutedRows | undefined)[] = [];
    for (const row of rows) {
      const key = partitioned ? this.partitionValues(row).join('\u0000') : '';
      if (key !== partitionKey || groupsByPartition.size === 0) {
        partitionKey = key;
        let known = groupsByPartition.get(key);
        if (known === undefined) {
          known = new Array<RoutedRows | undefined>(buckets);
          groupsByPartition.set(key, known);
        }
        partitionGroups = known;
      }
      let bucket: number;
      if (buckets === 1) {
        bucket = 0;
      } else if (hashed) {
        bucket = this.bucketOfRow(row);
      } else {
        bucket = this.nextSpreadBucket();
      }
      let group = partitionGroups[bucket];
      if (group === undefined) {
        group = { partition: partitions.get(key) ?? null, bucket, rows: [] };
        partitionGroups[bucket] = group;
        groups.push(group);
      }
      group.rows.push(row as Value[]);
    }
    return groups;
  }
}

// Routes the rows of a write to tablets: the partition by the partition key's value (creating it
// when the table partitions automatically), then the bucket by a stable hash of the bucket key.
// Log tables without a bucket key spread rows round-robin over their buckets.

import type { PartitionDef, TableDef } from '../common/catalog-model.js';
import { SqlError, SqlState } from '../common/errors.js';
import type { Value } from '../common/types.js';
import { formatText } from '../common/value-text.js';

export interface RoutedRows {
  readonly partition: PartitionDef | null;
  readonly bucket: number;
  readonly rows: Value[][];
}

/** FNV-1a over the text forms of the bucket-key values: stable across restarts and versions. */
export function bucketOf(values: readonly string[], buckets: number): number {
  let hash = 0x811c9dc5;
  for (const value of values) {
    for (let i = 0; i < value.length; i++) {
      hash ^= value.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= 0xff;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}

export class WriteRouter {
  private roundRobin: number;

  constructor(private readonly table: TableDef) {
    this.roundRobin = Math.floor(Math.random() * table.schema.options.buckets);
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
    const schema = this.table.schema;
    const values = schema.options.bucketKey.map((name) => {
      const index = schema.columns.findIndex((column) => column.name === name);
      const value = row[index] ?? null;
      const type = schema.columns[index]?.type;
      return value === null || type === undefined ? '' : formatText(type, value);
    });
    return bucketOf(values, schema.options.buckets);
  }

  /** Groups rows by partition (by its values in text form) and bucket. */
  route(rows: readonly Value[][], partitions: ReadonlyMap<string, PartitionDef | null>): RoutedRows[] {
    const groups = new Map<string, RoutedRows>();
    const buckets = this.table.schema.options.buckets;
    const keyIndexes = this.table.schema.options.bucketKey.map((name) => this.table.schema.columns.findIndex((column) => column.name === name));
    for (const row of rows) {
      const partitionKey = this.table.schema.partitionKey.length === 0 ? '' : this.partitionValues(row).join('\u0000');
      const partition = partitions.get(partitionKey) ?? null;
      const bucket = keyIndexes.length === 0 ? this.roundRobin++ % buckets : this.bucketOfRow(row);
      const key = `${partitionKey}\u0001${bucket}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { partition, bucket, rows: [] };
        groups.set(key, group);
      }
      group.rows.push(row as Value[]);
    }
    return [...groups.values()];
  }
}

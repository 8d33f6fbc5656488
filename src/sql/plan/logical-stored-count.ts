// count(*) of a whole table (or partition) without a filter, answered from the counts storage keeps
// (KV row counts, log offsets) instead of scanning. Output: one row with one bigint.
import type { PartitionDef, TableDef } from '../../common/catalog-model.js';

export interface LogicalStoredCount {
  readonly kind: 'StoredCount';
  readonly table: TableDef;
  readonly partition: PartitionDef | null;
}

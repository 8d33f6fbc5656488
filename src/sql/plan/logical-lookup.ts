// Point lookup of one row of a primary-key table by its whole key (from WHERE pk = ... AND ...):
// a KV get in the one bucket the key hashes to. Output: the table's scan row layout.
import type { PartitionDef, TableDef } from '../../common/catalog-model.js';
import type { BoundExpr } from '../bound-expr.js';

export interface LogicalLookup {
  readonly kind: 'Lookup';
  readonly table: TableDef;
  readonly partition: PartitionDef | null;
  /** One expression per primary-key column, in key order (constants or parameters). */
  readonly key: readonly BoundExpr[];
}

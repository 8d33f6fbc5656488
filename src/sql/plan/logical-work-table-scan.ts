// Inside the recursive term of WITH RECURSIVE: the rows the previous round produced (see
// LogicalRecursiveUnion). `name` is the WITH query's, for EXPLAIN.
import type { DataType } from '../../common/types.js';

export interface LogicalWorkTableScan {
  readonly kind: 'WorkTableScan';
  readonly id: number;
  readonly name: string;
  readonly columnNames: readonly string[];
  readonly columnTypes: readonly DataType[];
}

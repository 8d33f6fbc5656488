// WITH RECURSIVE: the non-recursive term's rows, then the recursive term run again and again over
// the rows the previous round produced (its work table, read by WorkTableScan with the same id),
// until a round produces none. Without ALL, a row already produced is not produced again (and so
// does not feed the next round). Output row: the non-recursive term's columns.
import type { LogicalPlan } from './logical-plan.js';

export interface LogicalRecursiveUnion {
  readonly kind: 'RecursiveUnion';
  /** Identifies the work table the recursive term reads (unique within the statement). */
  readonly id: number;
  readonly all: boolean;
  readonly base: LogicalPlan;
  readonly recursive: LogicalPlan;
}

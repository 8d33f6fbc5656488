// UNION / INTERSECT / EXCEPT [ALL] of two inputs with the same number of columns, already of the
// same types (the binder inserted the casts). Rows compare as in DISTINCT: NULLs are equal.
// Without ALL the result has no duplicates; INTERSECT ALL keeps min(m, n) copies of a row, EXCEPT
// ALL max(m - n, 0).
import type { LogicalPlan } from './logical-plan.js';

export type SetOperator = 'union' | 'intersect' | 'except';

export interface LogicalSetOp {
  readonly kind: 'SetOp';
  readonly op: SetOperator;
  readonly all: boolean;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
}

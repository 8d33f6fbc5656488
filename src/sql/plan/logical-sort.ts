// ORDER BY: orders the input rows by keys evaluated over them. NULLs sort as larger than every
// value (last ascending, first descending) unless NULLS FIRST/LAST says otherwise, as in PostgreSQL.
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';

export interface SortKey {
  readonly expr: BoundExpr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface LogicalSort {
  readonly kind: 'Sort';
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
}

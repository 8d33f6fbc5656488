// SELECT DISTINCT and DISTINCT ON: passes on the first input row of each distinct key, in input
// order (so a sort below decides which row DISTINCT ON keeps). NULLs are equal to each other here.
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';

export interface LogicalDistinct {
  readonly kind: 'Distinct';
  readonly input: LogicalPlan;
  /** The key over the input row; null means the whole row. */
  readonly keys: readonly BoundExpr[] | null;
}

// A join whose right input reads columns of the left row: `FROM t, LATERAL (SELECT ... t.a ...)`,
// and functions in FROM taking earlier items' columns (`FROM t, unnest(t.tags)`). For each left
// row the right plan runs with `correlation` (expressions over the left row) as the values of its
// outer references (as for subqueries in expressions, see BoundOuterRef). Output row:
// [left row..., right row...]; a LEFT lateral join keeps left rows without a match, NULL-padded.
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';

export interface LogicalLateralJoin {
  readonly kind: 'LateralJoin';
  readonly joinType: 'inner' | 'left';
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly correlation: readonly BoundExpr[];
  /** Over [left row..., right row...]; null means true. */
  readonly condition: BoundExpr | null;
  /** Names of the output columns as EXPLAIN prints them. */
  readonly labels?: readonly string[];
}

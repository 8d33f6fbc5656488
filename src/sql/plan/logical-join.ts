// Joins two inputs. Output row: [left row..., right row...], or only the left row for semi and
// anti joins (EXISTS / IN, and NOT EXISTS). The binder gives the whole ON condition in `condition`;
// the optimizer moves the equalities between a left and a right expression into `keys` (a hash
// join builds a table of the right input on them) and leaves the rest as the residual condition,
// tested on each pair of rows that the keys matched. Without keys the join is a nested loop.
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

export interface JoinKey {
  /** Over the left input's row. */
  readonly left: BoundExpr;
  /** Over the right input's row. */
  readonly right: BoundExpr;
}

export interface LogicalJoin {
  readonly kind: 'Join';
  readonly joinType: JoinType;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly keys: readonly JoinKey[];
  /** Over [left row..., right row...]; null means true (a cross join when there are no keys). */
  readonly condition: BoundExpr | null;
  /**
   * Inner hash joins only: build the hash table from the left input instead of the right one
   * (the optimizer knows the left input is the smaller one, e.g. a point lookup).
   */
  readonly buildLeft?: boolean;
  /** Names of the output columns as EXPLAIN prints them (`o.cust`), from the binder's scope. */
  readonly labels?: readonly string[];
}

// A set-returning function in FROM (`generate_series(1, 3) s`, `unnest(arr)`): its arguments are
// evaluated once per execution (they may read parameters and outer columns of a correlated
// subquery, but no sibling FROM items) and the function's rows are the node's rows.
import type { DataType } from '../../common/types.js';
import type { SetReturningFunction } from '../../functions/set-returning.js';
import type { BoundExpr } from '../bound-expr.js';

export interface LogicalFunctionScan {
  readonly kind: 'FunctionScan';
  readonly fn: SetReturningFunction;
  readonly args: readonly BoundExpr[];
  readonly columnTypes: readonly DataType[];
}

// GROUP BY and aggregates: output row = [group keys..., aggregate results...]. Without group keys
// it produces exactly one row, even for empty input.
import type { DataType } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';
import type { SortKey } from './logical-sort.js';

export type AggregateFunction = 'count' | 'count_star' | 'sum' | 'avg' | 'min' | 'max' | 'bool_and' | 'bool_or' | 'string_agg' | 'array_agg';

export interface AggregateCall {
  readonly fn: AggregateFunction;
  readonly args: readonly BoundExpr[];
  readonly distinct: boolean;
  /** Result type (PostgreSQL's: sum(int4) is bigint, avg(int) is numeric, ...). */
  readonly type: DataType;
  /** `agg(x ORDER BY y)`: the order the rows reach the aggregate in (over the input row). */
  readonly orderBy?: readonly SortKey[];
}

export interface LogicalAggregate {
  readonly kind: 'Aggregate';
  readonly input: LogicalPlan;
  readonly groupKeys: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
}

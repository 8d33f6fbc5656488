// GROUP BY and aggregates: output row = [group keys..., aggregate results...]. Without group keys
// it produces exactly one row, even for empty input.
import type { DataType } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';

export type AggregateFunction = 'count' | 'count_star' | 'sum' | 'avg' | 'min' | 'max' | 'bool_and' | 'bool_or' | 'string_agg';

export interface AggregateCall {
  readonly fn: AggregateFunction;
  readonly args: readonly BoundExpr[];
  readonly distinct: boolean;
  /** Result type (PostgreSQL's: sum(int4) is bigint, avg(int) is numeric, ...). */
  readonly type: DataType;
}

export interface LogicalAggregate {
  readonly kind: 'Aggregate';
  readonly input: LogicalPlan;
  readonly groupKeys: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
}

// Window functions: output row = [input row..., one value per window call]. Each call sees the
// rows of its partition (equal PARTITION BY values) in its ORDER BY order; rows equal on every
// ORDER BY key are peers. The frame always starts at the partition's first row and ends at the
// current row with its peers (RANGE, the default), the current row alone (ROWS), or the
// partition's last row.
import type { DataType } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';
import type { AggregateCall } from './logical-aggregate.js';
import type { LogicalPlan } from './logical-plan.js';
import type { SortKey } from './logical-sort.js';

export type WindowFrameEnd = 'current-peers' | 'current-row' | 'partition-end';

/** A ranking function, or an aggregate computed over the frame. */
export type WindowFunction =
  | { readonly kind: 'row_number' | 'rank' | 'dense_rank' }
  | { readonly kind: 'aggregate'; readonly call: AggregateCall };

export interface WindowCall {
  readonly fn: WindowFunction;
  readonly partitionBy: readonly BoundExpr[];
  readonly orderBy: readonly SortKey[];
  readonly frameEnd: WindowFrameEnd;
  readonly type: DataType;
}

export interface LogicalWindow {
  readonly kind: 'Window';
  readonly input: LogicalPlan;
  readonly calls: readonly WindowCall[];
}

/** Every expression a window call evaluates over its input row. */
export function windowCallExprs(call: WindowCall): BoundExpr[] {
  const args = call.fn.kind === 'aggregate' ? call.fn.call.args : [];
  return [...args, ...call.partitionBy, ...call.orderBy.map((key) => key.expr)];
}

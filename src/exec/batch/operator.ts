// Batch operators: each turns a logical plan node into a pull-based stream of row batches. An
// operator is immutable; every execution gets its own state (the async generator's frame).

import type { Value } from '../../common/types.js';
import type { FunctionContext } from '../../functions/function.js';

export type Row = Value[];
export type RowBatch = Row[];

export interface ExecContext {
  readonly params: readonly Value[];
  readonly functions: FunctionContext;
  readonly signal: AbortSignal;
}

export interface BatchOperator {
  execute(context: ExecContext): AsyncGenerator<RowBatch>;
}

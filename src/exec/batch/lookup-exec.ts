// Point lookup by primary key through the engine's TableReader (one KV get). Key values that are
// parameters or literals (the usual prepared lookup) are read directly, without compiling.
import type { Value } from '../../common/types.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import type { LogicalLookup } from '../../sql/plan/logical-lookup.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class LookupExec implements BatchOperator {
  constructor(private readonly lookup: LogicalLookup) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const key = this.lookup.key.map((expr) => keyValue(expr, context));
    if (key.some((value) => value === null)) return;
    const row = await context.tables.lookup(this.lookup, key);
    if (row !== undefined) yield [row];
  }
}

function keyValue(expr: BoundExpr, context: ExecContext): Value {
  if (expr.kind === 'Parameter') return context.params[expr.index] ?? null;
  if (expr.kind === 'Literal') return expr.value;
  return compileExpr(expr, context.functions)([], context.params);
}

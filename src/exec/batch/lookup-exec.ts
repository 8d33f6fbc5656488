// Point lookup by primary key through the engine's TableReader (one KV get).
import type { LogicalLookup } from '../../sql/plan/logical-lookup.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class LookupExec implements BatchOperator {
  constructor(private readonly lookup: LogicalLookup) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const key = this.lookup.key.map((expr) => compileExpr(expr, context.functions)([], context.params));
    if (key.some((value) => value === null)) return;
    const row = await context.tables.lookup(this.lookup, key);
    if (row !== undefined) yield [row];
  }
}

// Keeps rows whose predicate is true; false and NULL drop the row.
import type { BoundExpr } from '../../sql/bound-expr.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class FilterExec implements BatchOperator {
  constructor(private readonly input: BatchOperator, private readonly predicate: BoundExpr) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const test = compileExpr(this.predicate, context.functions);
    const params = context.params;
    for await (const batch of this.input.execute(context)) {
      const out = batch.filter((row) => test(row, params) === true);
      if (out.length > 0) yield out;
    }
  }
}

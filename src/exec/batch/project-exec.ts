// Computes the output columns of each input row with expressions compiled once per execution.
import type { BoundExpr } from '../../sql/bound-expr.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class ProjectExec implements BatchOperator {
  constructor(private readonly input: BatchOperator, private readonly exprs: readonly BoundExpr[]) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const compiled = this.exprs.map((expr) => compileExpr(expr, context.functions));
    const width = compiled.length;
    const params = context.params;
    for await (const batch of this.input.execute(context)) {
      const out: RowBatch = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const row = batch[i] ?? [];
        const result = new Array(width);
        for (let c = 0; c < width; c++) result[c] = (compiled[c] as (typeof compiled)[number])(row, params);
        out[i] = result;
      }
      yield out;
    }
  }
}

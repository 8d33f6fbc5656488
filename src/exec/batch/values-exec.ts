// Emits rows given as expressions (VALUES, or the one empty row of SELECT without FROM).
import type { BoundExpr } from '../../sql/bound-expr.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class ValuesExec implements BatchOperator {
  constructor(private readonly rows: readonly (readonly BoundExpr[])[]) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const empty: never[] = [];
    const batch: RowBatch = this.rows.map((row) => row.map((expr) => compileExpr(expr, context.functions)(empty, context.params)));
    if (batch.length > 0) yield batch;
  }
}

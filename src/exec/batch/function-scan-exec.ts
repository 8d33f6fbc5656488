// Runs a set-returning function in FROM: its arguments are evaluated once (with the statement's
// parameters, through which a correlated subquery's outer values arrive) and its rows emitted.
import type { LogicalFunctionScan } from '../../sql/plan/logical-function-scan.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';
import { limits } from '../../common/limits.js';

export class FunctionScanExec implements BatchOperator {
  constructor(private readonly plan: LogicalFunctionScan) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const empty: never[] = [];
    const args = this.plan.args.map((arg) => compileExpr(arg, context.functions)(empty, context.params));
    const rows = this.plan.fn.rows(args, context.functions);
    for (let start = 0; start < rows.length; start += limits.rowsPerBatchMax) yield rows.slice(start, start + limits.rowsPerBatchMax);
  }
}

// LATERAL joins: runs the right plan once per distinct set of correlation values of the left rows
// (remembering at most limits.subqueryCacheEntriesMax results of at most limits.joinBuildRowsMax
// rows in all) and pairs each left row with those rows.
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import { compileExpr } from '../expr/compile.js';
import { concatRow } from './join-matcher.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';
import { exactRowKey } from './row-key.js';

export class LateralJoinExec implements BatchOperator {
  constructor(private readonly left: BatchOperator, private readonly right: BatchOperator, private readonly joinType: 'inner' | 'left',
    private readonly correlation: readonly BoundExpr[], private readonly condition: BoundExpr | null, private readonly rightWidth: number) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const correlation = this.correlation.map((expr) => compileExpr(expr, context.functions));
    const test = this.condition === null ? null : compileExpr(this.condition, context.functions);
    const params = context.params;
    const cache = new Map<string, Row[]>();
    let cachedRows = 0;
    const nullRight: Value[] = new Array<Value>(this.rightWidth).fill(null);
    for await (const batch of this.left.execute(context)) {
      const out: RowBatch = [];
      for (const row of batch) {
        const values = correlation.map((fn) => fn(row, params));
        const key = exactRowKey(values);
        let rows = cache.get(key);
        if (rows === undefined) {
          rows = await this.run(context, values);
          if (cache.size >= limits.subqueryCacheEntriesMax || cachedRows + rows.length > limits.joinBuildRowsMax) {
            cache.clear();
            cachedRows = 0;
          }
          cache.set(key, rows);
          cachedRows += rows.length;
        }
        let found = false;
        for (const right of rows) {
          const joined = concatRow(row, right);
          if (test !== null && test(joined, params) !== true) continue;
          found = true;
          out.push(joined);
        }
        if (!found && this.joinType === 'left') out.push(concatRow(row, nullRight));
      }
      if (out.length > 0) yield out;
    }
  }

  private async run(context: ExecContext, values: readonly Value[]): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const batch of this.right.execute({ ...context, params: [...context.params, ...[...values].reverse()] })) {
      for (const row of batch) rows.push(row);
      if (rows.length > limits.joinBuildRowsMax) {
        throw new SqlError(SqlState.programLimitExceeded, `a LATERAL item can return at most ${limits.joinBuildRowsMax} rows per outer row`);
      }
    }
    return rows;
  }
}

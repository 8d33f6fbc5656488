// Sorts all input rows by the keys (computed once per row), then emits them in batches. Holds at
// most limits.sortRowsMax rows; beyond that the query fails with 54000 rather than exhaust memory.
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import { comparatorFor } from '../../functions/compare.js';
import type { SortKey } from '../../sql/plan/logical-sort.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class SortExec implements BatchOperator {
  constructor(private readonly input: BatchOperator, private readonly keys: readonly SortKey[]) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const keyFunctions = this.keys.map((key) => compileExpr(key.expr, context.functions));
    const comparators = this.keys.map((key) => comparatorFor(key.expr.type));
    const entries: { keys: Value[]; row: Value[] }[] = [];
    for await (const batch of this.input.execute(context)) {
      for (const row of batch) entries.push({ keys: keyFunctions.map((key) => key(row, context.params)), row });
      if (entries.length > limits.sortRowsMax) {
        throw new SqlError(SqlState.programLimitExceeded, `ORDER BY can sort at most ${limits.sortRowsMax} rows`);
      }
    }
    entries.sort((a, b) => this.compare(a.keys, b.keys, comparators));
    for (let start = 0; start < entries.length; start += limits.rowsPerBatchMax) {
      yield entries.slice(start, start + limits.rowsPerBatchMax).map((entry) => entry.row);
    }
  }

  private compare(a: readonly Value[], b: readonly Value[], comparators: readonly ((x: Value, y: Value) => number)[]): number {
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i] as SortKey;
      const x = a[i] ?? null;
      const y = b[i] ?? null;
      let order: number;
      if (x === null || y === null) {
        if (x === y) continue;
        order = (x === null) === key.nullsFirst ? -1 : 1;
        if (order !== 0) return order;
        continue;
      }
      order = (comparators[i] as (x: Value, y: Value) => number)(x, y);
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  }
}

// DISTINCT / DISTINCT ON: passes the first row of each key on, in input order. Remembers at most
// limits.distinctRowsMax keys.
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';
import { rowKey } from './row-key.js';

export class DistinctExec implements BatchOperator {
  constructor(private readonly input: BatchOperator, private readonly keys: readonly BoundExpr[] | null) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const keyFunctions = this.keys?.map((key) => compileExpr(key, context.functions)) ?? null;
    const params = context.params;
    const seen = new Set<string>();
    for await (const batch of this.input.execute(context)) {
      const out: RowBatch = [];
      for (const row of batch) {
        const key = rowKey(keyFunctions === null ? row : keyFunctions.map((fn) => fn(row, params)));
        if (seen.has(key)) continue;
        if (seen.size >= limits.distinctRowsMax) {
          throw new SqlError(SqlState.programLimitExceeded, `DISTINCT can hold at most ${limits.distinctRowsMax} rows`);
        }
        seen.add(key);
        out.push(row);
      }
      if (out.length > 0) yield out;
    }
  }
}

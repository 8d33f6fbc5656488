// LIMIT / OFFSET: skips `offset` rows, passes at most `limit`, and stops pulling its input once
// the limit is reached (so scans below it stop reading early).
import { SqlError } from '../../common/errors.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class LimitExec implements BatchOperator {
  constructor(private readonly input: BatchOperator, private readonly limit: BoundExpr | null, private readonly offset: BoundExpr | null) {}

  private count(expr: BoundExpr | null, context: ExecContext, what: string): bigint | null {
    if (expr === null) return null;
    const value = compileExpr(expr, context.functions)([], context.params);
    if (value === null) return null;
    const count = BigInt(value as bigint | number);
    if (count < 0n) throw new SqlError('2201W', `${what} must not be negative`);
    return count;
  }

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const limit = this.count(this.limit, context, 'LIMIT');
    let skip = Number(this.count(this.offset, context, 'OFFSET') ?? 0n);
    let remaining = limit === null ? Number.POSITIVE_INFINITY : Number(limit);
    if (remaining === 0) return;
    for await (let batch of this.input.execute(context)) {
      if (skip > 0) {
        const dropped = Math.min(skip, batch.length);
        batch = batch.slice(dropped);
        skip -= dropped;
      }
      if (batch.length === 0) continue;
      if (batch.length >= remaining) {
        yield batch.slice(0, remaining);
        return;
      }
      remaining -= batch.length;
      yield batch;
    }
  }
}


// UNION / INTERSECT / EXCEPT [ALL] by row keys: UNION ALL streams both inputs; the others count
// the right input's rows per key, then stream the left input (then, for UNION, the right one)
// against those counts. NULLs are equal here, as PostgreSQL's set operations treat them.
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { SetOperator } from '../../sql/plan/logical-set-op.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';
import { rowKey } from './row-key.js';

function tooMany(): SqlError {
  return new SqlError(SqlState.programLimitExceeded, `a set operation can hold at most ${limits.distinctRowsMax} distinct rows`);
}

export class SetOpExec implements BatchOperator {
  constructor(private readonly left: BatchOperator, private readonly right: BatchOperator,
    private readonly op: SetOperator, private readonly all: boolean) {}

  execute(context: ExecContext): AsyncGenerator<RowBatch> {
    if (this.op === 'union') return this.all ? this.unionAll(context) : this.union(context);
    return this.compare(context);
  }

  private async *unionAll(context: ExecContext): AsyncGenerator<RowBatch> {
    yield* this.left.execute(context);
    yield* this.right.execute(context);
  }

  private async *union(context: ExecContext): AsyncGenerator<RowBatch> {
    const seen = new Set<string>();
    for (const input of [this.left, this.right]) {
      for await (const batch of input.execute(context)) {
        const out: RowBatch = [];
        for (const row of batch) {
          const key = rowKey(row);
          if (seen.has(key)) continue;
          if (seen.size >= limits.distinctRowsMax) throw tooMany();
          seen.add(key);
          out.push(row);
        }
        if (out.length > 0) yield out;
      }
    }
  }

  /** INTERSECT and EXCEPT: right-side counts per key decide which left rows pass. */
  private async *compare(context: ExecContext): AsyncGenerator<RowBatch> {
    const counts = new Map<string, number>();
    for await (const batch of this.right.execute(context)) {
      for (const row of batch) {
        const key = rowKey(row);
        if (!counts.has(key) && counts.size >= limits.distinctRowsMax) throw tooMany();
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const intersect = this.op === 'intersect';
    const emitted = new Set<string>();
    for await (const batch of this.left.execute(context)) {
      const out: Row[] = [];
      for (const row of batch) {
        const key = rowKey(row);
        const count = counts.get(key) ?? 0;
        if (this.all) {
          if (count > 0) counts.set(key, count - 1);
          if ((count > 0) === intersect) out.push(row);
          continue;
        }
        if ((count > 0) !== intersect || emitted.has(key)) continue;
        if (emitted.size >= limits.distinctRowsMax) throw tooMany();
        emitted.add(key);
        out.push(row);
      }
      if (out.length > 0) yield out;
    }
  }
}

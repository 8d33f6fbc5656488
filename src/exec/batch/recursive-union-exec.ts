// WITH RECURSIVE: emits the base rows, then runs the recursive term over the previous round's rows
// (given to it as a work table in the execution context) until a round adds nothing. Without ALL
// it remembers every row produced and drops repeats, which is also what stops cycles. At most
// limits.recursiveRowsMax rows in all.
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';
import { rowKey } from './row-key.js';

export class RecursiveUnionExec implements BatchOperator {
  constructor(private readonly base: BatchOperator, private readonly recursive: BatchOperator,
    private readonly id: number, private readonly all: boolean) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const seen = this.all ? null : new Set<string>();
    let produced = 0;
    const fresh = (batch: RowBatch): RowBatch => {
      const rows = seen === null ? batch : batch.filter((row) => {
        const key = rowKey(row);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      produced += rows.length;
      if (produced > limits.recursiveRowsMax) {
        throw new SqlError(SqlState.programLimitExceeded, `a recursive query may produce at most ${limits.recursiveRowsMax} rows`);
      }
      return rows;
    };
    let working: Row[] = [];
    for await (const batch of this.base.execute(context)) {
      const rows = fresh(batch);
      for (const row of rows) working.push(row);
      if (rows.length > 0) yield rows;
    }
    while (working.length > 0) {
      const workTables = new Map(context.workTables ?? []);
      workTables.set(this.id, working);
      const next: Row[] = [];
      for await (const batch of this.recursive.execute({ ...context, workTables })) {
        const rows = fresh(batch);
        for (const row of rows) next.push(row);
        if (rows.length > 0) yield rows;
      }
      working = next;
    }
  }
}

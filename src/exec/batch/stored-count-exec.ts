// count(*) answered from storage's counts, without reading rows.
import type { LogicalStoredCount } from '../../sql/plan/logical-stored-count.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class StoredCountExec implements BatchOperator {
  constructor(private readonly count: LogicalStoredCount) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    yield [[context.tables.storedCount(this.count)]];
  }
}

// Reads a table (or its changelog) through the TableReader the engine provides; the reader owns
// storage access, this operator only passes its batches on.
import type { LogicalScan } from '../../sql/plan/logical-scan.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class ScanExec implements BatchOperator {
  constructor(private readonly scan: LogicalScan) {}

  execute(context: ExecContext): AsyncGenerator<RowBatch> {
    return context.tables.scan(this.scan, context.signal);
  }
}

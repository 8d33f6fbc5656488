// The previous round's rows of a WITH RECURSIVE query, from the execution context.
import { notSupported } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class WorkTableScanExec implements BatchOperator {
  constructor(private readonly id: number, private readonly name: string) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const rows = context.workTables?.get(this.id);
    if (rows === undefined) throw notSupported(`recursive reference to query "${this.name}" is not supported here`);
    for (let start = 0; start < rows.length; start += limits.rowsPerBatchMax) yield rows.slice(start, start + limits.rowsPerBatchMax);
  }
}

// Change records of a primary-key table, gathered column by column into a batch for its log:
// `_change_type` (int2, Fluss's change types) followed by the table's columns. Also the count of
// rows each change type adds, which is how recovery keeps the row count without reading old rows.

import type { Value } from '../../common/types.js';
import type { ColumnarBatch } from '../log/columnar-batch.js';

export const ChangeType = { insert: 0, updateBefore: 1, updateAfter: 2, delete: 3 } as const;
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];

/** Rows a change record adds to its table (update_before and update_after keep the count). */
export function rowCountDelta(changeType: number): number {
  return changeType === ChangeType.insert ? 1 : changeType === ChangeType.delete ? -1 : 0;
}

export class ChangeBatchBuilder {
  private readonly changeTypes: Value[] = [];
  private readonly columns: Value[][];
  rowCountDelta = 0;

  constructor(columnCount: number) {
    this.columns = Array.from({ length: columnCount }, () => []);
  }

  get recordCount(): number {
    return this.changeTypes.length;
  }

  add(changeType: ChangeType, row: readonly Value[]): void {
    this.changeTypes.push(changeType);
    const columns = this.columns;
    for (let column = 0; column < columns.length; column++) columns[column]!.push(row[column]!);
    this.rowCountDelta += rowCountDelta(changeType);
  }

  build(): ColumnarBatch {
    return { rowCount: this.changeTypes.length, columns: [this.changeTypes, ...this.columns] };
  }
}

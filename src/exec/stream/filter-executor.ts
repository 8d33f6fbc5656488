// Keeps the changes whose row satisfies the predicate: a filter is stateless on changes, since a
// retraction of a row that passed passes too.
import type { Value } from '../../common/types.js';
import type { CompiledExpr } from '../expr/compile.js';
import type { ChangeChunk } from './change-chunk.js';

export class FilterExecutor {
  constructor(private readonly test: CompiledExpr, private readonly params: readonly Value[]) {}

  apply(chunk: ChangeChunk): ChangeChunk {
    const rows: Value[][] = [];
    const diffs: number[] = [];
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = chunk.rows[i]!;
      if (this.test(row, this.params) === true) {
        rows.push(row);
        diffs.push(chunk.diffs[i]!);
      }
    }
    return { rows, diffs };
  }
}

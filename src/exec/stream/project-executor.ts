// Computes each change's output row; the multiplicity is unchanged.
import type { Value } from '../../common/types.js';
import type { CompiledExpr } from '../expr/compile.js';
import type { ChangeChunk } from './change-chunk.js';

export class ProjectExecutor {
  constructor(private readonly exprs: readonly CompiledExpr[], private readonly params: readonly Value[]) {}

  apply(chunk: ChangeChunk): ChangeChunk {
    const exprs = this.exprs;
    const width = exprs.length;
    const rows = new Array<Value[]>(chunk.rows.length);
    for (let i = 0; i < rows.length; i++) {
      const input = chunk.rows[i]!;
      const output = new Array<Value>(width);
      for (let c = 0; c < width; c++) output[c] = exprs[c]!(input, this.params);
      rows[i] = output;
    }
    return { rows, diffs: chunk.diffs };
  }
}

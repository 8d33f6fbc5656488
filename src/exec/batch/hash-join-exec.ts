// Hash join on equality keys: builds a table of the right input by its key values, then streams
// the left input through it. Rows with a NULL in their key match nothing (SQL's `=`), but still
// appear NULL-padded in outer joins. The residual condition is tested on each key match.
import type { JoinKey } from '../../sql/plan/logical-join.js';
import { compileExpr } from '../expr/compile.js';
import { collectBuildRows, probe, type JoinShape } from './join-matcher.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';
import { rowKey } from './row-key.js';
import type { Value } from '../../common/types.js';

export class HashJoinExec implements BatchOperator {
  constructor(private readonly left: BatchOperator, private readonly right: BatchOperator,
    private readonly keys: readonly JoinKey[], private readonly shape: JoinShape) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const params = context.params;
    const keyOf = (functions: readonly ((row: readonly Value[], params: readonly Value[]) => Value)[], row: Row): string | null => {
      const values = functions.map((fn) => fn(row, params));
      return values.includes(null) ? null : rowKey(values);
    };
    const leftKeys = this.keys.map((key) => compileExpr(key.left, context.functions));
    const rightKeys = this.keys.map((key) => compileExpr(key.right, context.functions));
    const table = new Map<string, number[]>();
    const buildRows = await collectBuildRows(this.right, context, (row, index) => {
      const key = keyOf(rightKeys, row);
      if (key === null) return;
      const bucket = table.get(key);
      if (bucket === undefined) table.set(key, [index]);
      else bucket.push(index);
    });
    if (buildRows.length === 0 && (this.shape.joinType === 'inner' || this.shape.joinType === 'semi' || this.shape.joinType === 'right')) return;
    yield* probe(this.shape, this.left, context, buildRows, (row) => {
      const key = keyOf(leftKeys, row);
      return key === null ? undefined : table.get(key);
    });
  }
}

// Nested-loop join for conditions without equality keys (and cross joins): holds the right input
// in memory and tests the condition on every pair.
import { collectBuildRows, probe, type JoinShape } from './join-matcher.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

export class NestedLoopJoinExec implements BatchOperator {
  constructor(private readonly left: BatchOperator, private readonly right: BatchOperator, private readonly shape: JoinShape) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const buildRows = await collectBuildRows(this.right, context, () => undefined);
    const all = buildRows.map((_, index) => index);
    yield* probe(this.shape, this.left, context, buildRows, () => all);
  }
}

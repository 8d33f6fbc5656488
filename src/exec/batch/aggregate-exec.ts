// Hash aggregation: groups input rows by their key values and feeds each group's accumulators.
// Output rows are [group keys..., aggregate results...]; with no group keys, exactly one row.
// The number of groups is bounded by limits.aggregateGroupsMax.
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import type { AggregateCall } from '../../sql/plan/logical-aggregate.js';
import { createAccumulator, valueKey, type Accumulator } from '../aggregate/accumulator.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, RowBatch } from './operator.js';

interface Group { readonly keys: Value[]; readonly accumulators: Accumulator[] }

export class AggregateExec implements BatchOperator {
  constructor(private readonly input: BatchOperator, private readonly groupKeys: readonly BoundExpr[],
    private readonly aggregates: readonly AggregateCall[]) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const keyFunctions = this.groupKeys.map((expr) => compileExpr(expr, context.functions));
    const argFunctions = this.aggregates.map((call) => call.args.map((arg) => compileExpr(arg, context.functions)));
    const groups = new Map<string, Group>();
    const newGroup = (keys: Value[]): Group => ({ keys, accumulators: this.aggregates.map(createAccumulator) });
    if (this.groupKeys.length === 0) groups.set('', newGroup([]));
    for await (const batch of this.input.execute(context)) {
      for (const row of batch) {
        const keys = keyFunctions.map((key) => key(row, context.params));
        const id = keys.length === 0 ? '' : keys.length === 1 ? valueKey(keys[0] ?? null) : keys.map(valueKey).join('\u0002');
        let group = groups.get(id);
        if (group === undefined) {
          if (groups.size >= limits.aggregateGroupsMax) {
            throw new SqlError(SqlState.programLimitExceeded, `GROUP BY can hold at most ${limits.aggregateGroupsMax} groups`);
          }
          group = newGroup(keys);
          groups.set(id, group);
        }
        for (let i = 0; i < argFunctions.length; i++) {
          const args = (argFunctions[i] ?? []).map((arg) => arg(row, context.params));
          group.accumulators[i]?.add(args);
        }
      }
    }
    let out: RowBatch = [];
    for (const group of groups.values()) {
      out.push([...group.keys, ...group.accumulators.map((accumulator) => accumulator.result())]);
      if (out.length >= limits.rowsPerBatchMax) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }
}

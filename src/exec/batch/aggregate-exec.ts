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
  private groupOf(groups: Map<string, Group>, keys: Value[], newGroup: (keys: Value[]) => Group): Group {
    const id = keys.length === 1 ? valueKey(keys[0] ?? null) : keys.map(valueKey).join('\u0002');
    let group = groups.get(id);
    if (group === undefined) {
      if (groups.size >= limits.aggregateGroupsMax) {
        throw new SqlError(SqlState.programLimitExceeded, `GROUP BY can hold at most ${limits.aggregateGroupsMax} groups`);
      }
      group = newGroup(keys);
      groups.set(id, group);
    }
    return group;
  }

  constructor(private readonly input: BatchOperator, private readonly groupKeys: readonly BoundExpr[],
    private readonly aggregates: readonly AggregateCall[]) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const keyFunctions = this.groupKeys.map((expr) => compileExpr(expr, context.functions));
    // An aggregate with ORDER BY also gets its sort keys' values, after its arguments.
    const argFunctions = this.aggregates.map((call) => [...call.args, ...(call.orderBy ?? []).map((key) => key.expr)]
      .map((arg) => compileExpr(arg, context.functions)));
    const groups = new Map<string, Group>();
    const newGroup = (keys: Value[]): Group => ({ keys, accumulators: this.aggregates.map(createAccumulator) });
    if (this.groupKeys.length === 0) groups.set('', newGroup([]));
    const params = context.params;
    const single = groups.get('');
    // One reused argument array per aggregate: accumulators read it during add() only.
    const argValues = argFunctions.map((functions) => new Array<Value>(functions.length));
    // An aggregate of one input column (max(x), sum(x)) reads it from the row without a call.
    const argColumns = this.aggregates.map((call) => {
      const arg = call.args[0];
      return call.args.length === 1 && (call.orderBy ?? []).length === 0 && arg?.kind === 'Column' ? arg.index : -1;
    });
    for await (const batch of this.input.execute(context)) {
      for (const row of batch) {
        const group = single ?? this.groupOf(groups, keyFunctions.map((key) => key(row, params)), newGroup);
        for (let i = 0; i < argFunctions.length; i++) {
          const values = argValues[i] as Value[];
          const column = argColumns[i] as number;
          if (column >= 0) values[0] = row[column] ?? null;
          else {
            const functions = argFunctions[i] as ((row: readonly Value[], params: readonly Value[]) => Value)[];
            for (let a = 0; a < functions.length; a++) values[a] = (functions[a] as (typeof functions)[number])(row, params);
          }
          (group.accumulators[i] as Accumulator).add(values);
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

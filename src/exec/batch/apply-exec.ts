// Subqueries in expressions: appends each subquery's value to every input row. An uncorrelated
// subquery runs once per execution; a correlated one runs with its correlation values appended to
// the parameters (last slot first, see BoundOuterRef), once per distinct set of values (remembered
// up to limits.subqueryCacheEntriesMax results holding at most limits.subqueryRowsMax values in
// all). A scalar subquery returning two rows is error 21000.
// IN / = ANY compare by hash keys when the types allow, with SQL's NULL rules: no match and a
// NULL among the values (or a NULL operand) gives NULL, not false.
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import { hashableType } from '../../functions/hashable.js';
import type { BoundSubquery } from '../../sql/bound-expr.js';
import { compileExpr, type CompiledExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';
import { exactRowKey, valueKey } from './row-key.js';

export interface AppliedSubquery {
  readonly spec: BoundSubquery;
  readonly operator: BatchOperator;
}

/** One run's result: the value itself, or the first column's values (ANY / ALL). */
type RunResult =
  | { readonly kind: 'value'; readonly value: Value }
  | { readonly kind: 'values'; readonly values: readonly Value[]; readonly keys: ReadonlySet<string> | null; readonly hasNull: boolean };

interface SubqueryState {
  readonly subquery: AppliedSubquery;
  readonly correlation: readonly CompiledExpr[];
  readonly arg: CompiledExpr | null;
  readonly test: ((a: Value, b: Value) => Value) | null;
  readonly cache: Map<string, RunResult>;
  /** Values held by the cached results. */
  cachedValues: number;
}

export class ApplyExec implements BatchOperator {
  constructor(private readonly input: BatchOperator, private readonly subqueries: readonly AppliedSubquery[]) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const states = this.subqueries.map((subquery): SubqueryState => {
      const { spec } = subquery;
      const compare = spec.compare;
      return {
        subquery,
        correlation: spec.correlation.map((expr) => compileExpr(expr, context.functions)),
        arg: spec.arg === null ? null : compileExpr(spec.arg, context.functions),
        test: compare === null ? null : (a, b) => (compare.def.strict && (a === null || b === null) ? null : compare.def.impl([a, b], context.functions)),
        cache: new Map(),
        cachedValues: 0,
      };
    });
    const params = context.params;
    for await (const batch of this.input.execute(context)) {
      const out: RowBatch = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const row = batch[i] as Row;
        const extended = row.slice();
        for (const state of states) {
          const values = state.correlation.map((fn) => fn(row, params));
          const key = values.length === 0 ? '' : exactRowKey(values);
          let result = state.cache.get(key);
          if (result === undefined) {
            result = await run(state.subquery, values, context);
            const size = result.kind === 'values' ? result.values.length : Array.isArray(result.value) ? result.value.length : 1;
            if (state.cache.size >= limits.subqueryCacheEntriesMax || state.cachedValues + size > limits.subqueryRowsMax) {
              state.cache.clear();
              state.cachedValues = 0;
            }
            state.cache.set(key, result);
            state.cachedValues += size;
          }
          extended.push(finish(state, result, row, params));
        }
        out[i] = extended;
      }
      yield out;
    }
  }
}

async function run(subquery: AppliedSubquery, correlation: readonly Value[], context: ExecContext): Promise<RunResult> {
  const params = correlation.length === 0 ? context.params : [...context.params, ...[...correlation].reverse()];
  const rows = subquery.operator.execute({ ...context, params });
  const kind = subquery.spec.subquery;
  const values: Value[] = [];
  for await (const batch of rows) {
    if (kind === 'exists' && batch.length > 0) return { kind: 'value', value: true };
    for (const row of batch) values.push(row[0] ?? null);
    if (kind === 'scalar' && values.length > 1) {
      throw new SqlError(SqlState.cardinalityViolation, 'more than one row returned by a subquery used as an expression');
    }
    if (values.length > limits.subqueryRowsMax) {
      throw new SqlError(SqlState.programLimitExceeded, `a subquery in an expression can return at most ${limits.subqueryRowsMax} rows`);
    }
  }
  switch (kind) {
    case 'exists': return { kind: 'value', value: false };
    case 'scalar': return { kind: 'value', value: values[0] ?? null };
    case 'array': return { kind: 'value', value: values };
    case 'any': case 'all': {
      const compare = subquery.spec.compare;
      const byKey = kind === 'any' && compare !== null && compare.def.name === '='
        && compare.argTypes.every((type) => hashableType(type)) && subquery.spec.arg !== null && hashableType(subquery.spec.arg.type);
      const keys = byKey ? new Set(values.filter((value) => value !== null).map(valueKey)) : null;
      return { kind: 'values', values, keys, hasNull: values.includes(null) };
    }
  }
}

/** The subquery's value for this row: a run result, or ANY/ALL of the row's operand against it. */
function finish(state: SubqueryState, result: RunResult, row: Row, params: readonly Value[]): Value {
  if (result.kind === 'value') return result.value;
  if (result.values.length === 0) return state.subquery.spec.subquery === 'all';
  const arg = state.arg === null ? null : state.arg(row, params);
  if (result.keys !== null) {
    if (arg === null) return null;
    if (result.keys.has(valueKey(arg))) return true;
    return result.hasNull ? null : false;
  }
  const test = state.test;
  if (test === null) return null;
  const wantAll = state.subquery.spec.subquery === 'all';
  let unknown = false;
  for (const value of result.values) {
    const outcome = test(arg, value);
    if (outcome === null) unknown = true;
    else if (outcome === !wantAll) return !wantAll;
  }
  return unknown ? null : wantAll;
}

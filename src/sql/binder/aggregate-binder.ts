// Aggregates in a SELECT: collects the aggregate calls of the select list, HAVING and ORDER BY,
// types them as PostgreSQL does, and rewrites those expressions over the aggregate's output row
// ([group keys..., aggregates...]). While binding, an aggregate call stands as a Column with a
// negative index (-1 - its number); the rewrite replaces it, and a plain input column that is not
// a group key is error 42803.

import { SqlError, SqlState } from '../../common/errors.js';
import { Types, formatType, type DataType } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';
import { exprKey, mapExpr } from '../bound-expr-walk.js';
import type { AggregateCall, AggregateFunction } from '../plan/logical-aggregate.js';
import type { SortKey } from '../plan/logical-sort.js';
import { isWindowPlaceholder } from './window-binder.js';

const aggregateNames = new Set(['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg']);

export function isAggregateName(name: string): boolean {
  return aggregateNames.has(name);
}

function resultType(fn: AggregateFunction, args: readonly BoundExpr[]): DataType {
  const argType: DataType = args[0]?.type ?? Types.int8;
  const missing = (): SqlError => new SqlError(SqlState.undefinedFunction,
    `function ${fn}(${args.map((arg) => formatType(arg.type)).join(', ')}) does not exist`,
    { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  switch (fn) {
    case 'count': case 'count_star': return Types.int8;
    case 'sum':
      if (argType.name === 'int2' || argType.name === 'int4') return Types.int8;
      if (argType.name === 'int8' || argType.name === 'numeric') return Types.numeric;
      if (argType.name === 'float4' || argType.name === 'float8') return argType.name === 'float4' ? Types.float4 : Types.float8;
      throw missing();
    case 'avg':
      if (['int2', 'int4', 'int8', 'numeric'].includes(argType.name)) return Types.numeric;
      if (argType.name === 'float4' || argType.name === 'float8') return Types.float8;
      throw missing();
    case 'min': case 'max':
      if (argType.name === 'json' || argType.name === 'unknown' || argType.element !== undefined) throw missing();
      return { name: argType.name };
    case 'bool_and': case 'bool_or':
      if (argType.name !== 'bool') throw missing();
      return Types.bool;
    case 'string_agg':
      if (args.length !== 2) throw missing();
      return Types.text;
    case 'array_agg':
      if (args.length !== 1 || argType.element !== undefined || argType.name === 'unknown') throw missing();
      return { name: argType.name, element: argType };
  }
}

/** A plain aggregate call (no DISTINCT, no ORDER BY), as a window computes it. */
export function plainAggregateCall(name: string, args: readonly BoundExpr[], star: boolean): AggregateCall {
  const fn: AggregateFunction = star ? 'count_star' : name === 'every' ? 'bool_and' : name as AggregateFunction;
  if (!star && fn === 'count' && args.length !== 1) throw new SqlError(SqlState.undefinedFunction, 'function count() does not exist');
  return { fn, args, distinct: false, type: resultType(fn, args) };
}

export class AggregateCollector {
  readonly calls: AggregateCall[] = [];

  /** Registers an aggregate call; returns its placeholder. */
  add(name: string, args: readonly BoundExpr[], star: boolean, distinct: boolean, orderBy: readonly SortKey[] = []): BoundExpr {
    const fn: AggregateFunction = star ? 'count_star' : name === 'every' ? 'bool_and' : name as AggregateFunction;
    if (!star && fn === 'count' && args.length !== 1) throw new SqlError(SqlState.undefinedFunction, 'function count() does not exist');
    const type = resultType(fn, args);
    if (distinct && orderBy.some((sortKey) => !args.some((arg) => exprKey(arg) === exprKey(sortKey.expr)))) {
      throw new SqlError(SqlState.invalidColumnReference, 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list');
    }
    const call: AggregateCall = orderBy.length === 0 ? { fn, args, distinct, type } : { fn, args, distinct, type, orderBy };
    const identity = (candidate: AggregateCall): string => `${candidate.fn}|${candidate.distinct}|${candidate.args.map(exprKey).join(',')}`
      + `|${(candidate.orderBy ?? []).map((sortKey) => `${exprKey(sortKey.expr)} ${sortKey.descending} ${sortKey.nullsFirst}`).join(',')}`;
    const key = identity(call);
    const existing = this.calls.findIndex((candidate) => identity(candidate) === key);
    const index = existing >= 0 ? existing : this.calls.push(call) - 1;
    return { kind: 'Column', type, index: -1 - index, name: fn };
  }
}

/** Whether an expression contains an aggregate call (a placeholder column). */
export function containsAggregate(expr: BoundExpr): boolean {
  let found = false;
  mapExpr(expr, (node) => {
    if (node.kind === 'Column' && node.index < 0) found = true;
    return undefined;
  });
  return found;
}

/** Rewrites an expression bound over the input row to one over [group keys..., aggregates...]. */
export function overAggregateRow(expr: BoundExpr, groupKeys: readonly BoundExpr[]): BoundExpr {
  const keys = groupKeys.map(exprKey);
  return mapExpr(expr, (node) => {
    if (isWindowPlaceholder(node)) return node;
    if (node.kind === 'Column' && node.index < 0) return { ...node, index: groupKeys.length + (-1 - node.index) };
    const match = keys.indexOf(exprKey(node));
    if (match >= 0) return { kind: 'Column', type: node.type, index: match, name: node.kind === 'Column' ? node.name : `key${match}` };
    if (node.kind === 'Column') {
      throw new SqlError(SqlState.groupingError, `column "${node.name}" must appear in the GROUP BY clause or be used in an aggregate function`);
    }
    return undefined;
  });
}

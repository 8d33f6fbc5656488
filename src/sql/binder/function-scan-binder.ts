// FROM items that call set-returning functions: `generate_series(1, n) AS s`, `unnest(arr) x`,
// `ROWS FROM (f(), g()) AS z(a, b)`, `pg_partition_ancestors(oid)`. The arguments see the
// enclosing query's names (for a correlated subquery) but not the other FROM items, as without
// LATERAL in PostgreSQL (from-binder makes a function after other items lateral). Also the
// rewrite of set-returning calls in a select list into such an item.

import type { FuncCall, Node, RangeFunction, ResTarget, SelectStmt, SortBy } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { isSetReturningName, resolveSetReturning, zipSetReturning, type SetReturningFunction } from '../../functions/set-returning.js';
import type { BoundExpr } from '../bound-expr.js';
import { ExprBinder, locationOf, qualifiedName, stringValue } from './expr-binder.js';
import type { FromItem } from './from-binder.js';
import { nestingOf, type QueryEnv } from './query-env.js';
import { Scope, type ScopeColumn } from './scope.js';
import { isAggregateName } from './aggregate-binder.js';
import { figureColumnName } from './column-name.js';

export function bindRangeFunction(range: RangeFunction, env: QueryEnv): FromItem {
  if (range.lateral === true) throw notSupported('LATERAL function calls are not supported yet');
  if (range.ordinality === true) throw notSupported('WITH ORDINALITY is not supported yet');
  const calls = (range.functions ?? []).map((item) => {
    const list = 'List' in item ? item.List.items ?? [] : [];
    const call = list[0] !== undefined && 'FuncCall' in list[0] ? list[0].FuncCall : undefined;
    if (call === undefined) throw notSupported('only function calls are supported in FROM');
    if (list[1] !== undefined && Object.keys(list[1]).length > 0) throw notSupported('column definition lists are not supported');
    return call;
  });
  const binder = new ExprBinder(env.context, Scope.empty, nestingOf(env));
  const alias = range.alias?.aliasname ?? functionName(calls[0]);
  const single = calls.length === 1;
  const bound = calls.map((call) => bindCall(call, binder, single ? alias : functionName(call), env));
  const fn = zipSetReturning(bound.map((item) => item.fn));
  const names = (range.alias?.colnames ?? []).map(stringValue);
  if (names.length > fn.columns.length) {
    throw new SqlError(SqlState.invalidColumnReference, `table "${alias}" has ${fn.columns.length} columns available but ${names.length} columns specified`);
  }
  const columns = fn.columns.map((column, index): ScopeColumn => ({
    qualifier: alias, name: names[index] ?? column.name, type: column.type, index, tableOid: 0, columnNumber: 0,
    hidden: alias === selectListAlias, ...(alias === selectListAlias ? { qualifiedOnly: true } : {}),
  }));
  return {
    plan: { kind: 'FunctionScan', fn, args: bound.flatMap((item) => item.args), columnTypes: fn.columns.map((column) => column.type) },
    scope: new Scope(columns), names: [alias],
  };
}

function functionName(call: FuncCall | undefined): string {
  const names = qualifiedName(call?.funcname);
  return names[names.length - 1] ?? '';
}

/** One set-returning call: its function (a single column named `column`) and coerced arguments. */
function bindCall(call: FuncCall, binder: ExprBinder, column: string, env: QueryEnv): { fn: SetReturningFunction; args: BoundExpr[] } {
  const names = qualifiedName(call.funcname);
  const name = names[names.length - 1] ?? '';
  const position = env.context.source.positionOfByte(call.location);
  const at = position === undefined ? {} : { position };
  if (names.length > 1 && names[0] !== 'pg_catalog' && names[0] !== 'information_schema') {
    throw new SqlError(SqlState.undefinedSchema, `schema "${names[0] ?? ''}" does not exist`, at);
  }
  const args = (call.args ?? []).map((arg) => binder.bind(arg));
  const fn = isSetReturningName(names) ? resolveSetReturning(name, args.map((arg) => arg.type), column) : undefined;
  if (fn === undefined) {
    throw new SqlError(SqlState.undefinedFunction, `function ${names.join('.')}(${args.map((arg) => arg.type.name).join(', ')}) does not exist`, at);
  }
  const coerced = args.map((arg, i) => binder.coerceTo(arg, fn.argTypes[i] ?? arg.type, 'implicit', locationOf((call.args ?? [])[i])));
  return { fn, args: coerced };
}

/** The FROM item the select-list rewrite adds; its columns are hidden and reachable only qualified. */
const selectListAlias = '?set-returning?';

/** Column names of a set-returning function with several (its whole row is a record of them). */
const recordColumns: Readonly<Record<string, readonly string[]>> = { _pg_expandarray: ['x', 'n'] };

/**
 * Set-returning functions in a select list, read as a lateral ROWS FROM after the FROM items:
 * `SELECT a, f(x), (g(y)).n FROM t` becomes `SELECT a, s.c0, s.c2 FROM t, ROWS FROM (f(x), g(y))
 * s(c0, c1, c2)`, which gives PostgreSQL's rows: one per row of the functions run side by side,
 * none for an input row where all return none. Calls written alike are one call (they would give
 * the same rows side by side). A function with several columns stands for its whole row, a record
 * whose fields (`(g(y)).n`) are those columns. Over grouping or aggregates, which PostgreSQL runs
 * before the functions, the grouped query becomes a subquery first (see groupedSetReturning).
 */
export function selectListSetReturning(statement: SelectStmt): SelectStmt {
  if ((statement.targetList ?? []).some(containsSetReturning) && isGrouped(statement)) {
    return selectListSetReturning(groupedSetReturning(statement));
  }
  const calls: FuncCall[] = [];
  const callKeys: string[] = [];
  const firstColumns: number[] = [];
  let width = 0;
  const columnRef = (index: number, location: number | undefined): Node => ({
    ColumnRef: { fields: [{ String: { sval: selectListAlias } }, { String: { sval: `c${index}` } }], ...(location === undefined ? {} : { location }) },
  });
  const replace = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replace);
    if (node === null || typeof node !== 'object') return node;
    if ('SubLink' in node || 'SelectStmt' in node) return node;
    if ('FuncCall' in node) {
      const call = (node as { FuncCall: FuncCall }).FuncCall;
      const names = qualifiedName(call.funcname);
      if (call.over === undefined && isSetReturningName(names)) {
        const key = JSON.stringify(call, (name, value: unknown) => (name === 'location' ? undefined : value));
        let index = callKeys.indexOf(key);
        const fields = recordColumns[(names[names.length - 1] ?? '').toLowerCase()];
        if (index < 0) {
          index = calls.length;
          calls.push(call);
          callKeys.push(key);
          firstColumns.push(width);
          width += fields?.length ?? 1;
        }
        const first = firstColumns[index] ?? 0;
        if (fields === undefined) return columnRef(first, call.location);
        return {
          RowExpr: {
            args: fields.map((_, i) => columnRef(first + i, call.location)),
            colnames: fields.map((sval) => ({ String: { sval } })),
            row_format: 'COERCE_IMPLICIT_CAST',
            ...(call.location === undefined ? {} : { location: call.location }),
          },
        };
      }
    }
    return Object.fromEntries(Object.entries(node).map(([name, value]) => [name, replace(value)]));
  };
  const targetList = (statement.targetList ?? []).map((target): Node => {
    if (!('ResTarget' in target) || target.ResTarget.val === undefined) return target;
    const before = calls.length;
    const val = replace(target.ResTarget.val) as Node;
    if (calls.length === before && val === target.ResTarget.val) return target;
    return { ResTarget: { ...target.ResTarget, name: target.ResTarget.name ?? figureColumnName(target.ResTarget.val), val } };
  });
  if (calls.length === 0) return statement;
  const fromItem: Node = {
    RangeFunction: {
      functions: calls.map((call) => ({ List: { items: [{ FuncCall: call }] } })),
      alias: { aliasname: selectListAlias, colnames: Array.from({ length: width }, (_, i) => ({ String: { sval: `c${i}` } })) },
    },
  };
  return { ...statement, fromClause: [...(statement.fromClause ?? []), fromItem], targetList };
}

/** The subquery the grouped-query rewrite reads from; its columns are named `?g0?`, `?g1?`, ... */
const groupedAlias = '?grouped?';

/** Parse-tree node kinds that are expressions: the units the grouped rewrite moves into its subquery. */
const expressionKinds = new Set([
  'ColumnRef', 'FuncCall', 'A_Expr', 'TypeCast', 'CaseExpr', 'BoolExpr', 'NullTest', 'BooleanTest', 'SubLink', 'A_Indirection',
  'CoalesceExpr', 'MinMaxExpr', 'NullIfExpr', 'A_ArrayExpr', 'RowExpr', 'SQLValueFunction', 'CollateClause',
]);

/**
 * A grouped query with set-returning calls in its select list, as a query over the grouped one:
 * `SELECT k, generate_series(1, count(*)) FROM t GROUP BY k ORDER BY 1` becomes `SELECT g."?g0?",
 * generate_series(1, g."?g1?") FROM (SELECT k AS "?g0?", count(*) AS "?g1?" FROM t GROUP BY k) g
 * ORDER BY 1`, whose calls the select-list rewrite then takes as over any FROM. Each largest part of
 * an output expression without a set-returning call is computed in the subquery; ORDER BY,
 * DISTINCT and LIMIT apply to the outer query, as PostgreSQL sorts and limits after the functions.
 */
function groupedSetReturning(statement: SelectStmt): SelectStmt {
  const targets = statement.targetList ?? [];
  const inner: Node[] = [];
  const reference = (name: string): Node => ({ ColumnRef: { fields: [{ String: { sval: groupedAlias } }, { String: { sval: name } }] } });
  const computeInside = (node: Node, name = `?g${inner.length}?`): Node => {
    inner.push({ ResTarget: { name, val: node } });
    return reference(name);
  };
  const hoist = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(hoist);
    if (node === null || typeof node !== 'object') return node;
    const kind = Object.keys(node)[0] ?? '';
    if (expressionKinds.has(kind) && !containsSetReturning(node)) return computeInside(node as Node);
    if (kind === 'FuncCall' && isAggregateCall((node as { FuncCall: FuncCall }).FuncCall)) {
      throw notSupported('aggregate function calls cannot contain set-returning function calls');
    }
    return Object.fromEntries(Object.entries(node).map(([name, value]) => [name, hoist(value)]));
  };
  const outputNames: string[] = [];
  const outerTargets = targets.map((target): Node => {
    const res: ResTarget = 'ResTarget' in target ? target.ResTarget : {};
    if (res.val === undefined || containsStar(res.val)) throw notSupported('set-returning functions in a select list with * and GROUP BY or aggregates are not supported yet');
    const name = res.name ?? figureColumnName(res.val);
    outputNames.push(name);
    return { ResTarget: { ...res, name, val: hoist(res.val) as Node } };
  });
  // GROUP BY 2 means the second output column, which the subquery does not have at that place.
  const groupClause = (statement.groupClause ?? []).map((item): Node => {
    const position = integerConstant(item);
    const target = position === undefined ? undefined : targets[position - 1];
    const val = target !== undefined && 'ResTarget' in target ? target.ResTarget.val : undefined;
    if (val === undefined) return item;
    if (containsSetReturning(val)) throw notSupported('set-returning functions are not allowed in GROUP BY');
    return val;
  });
  const sortClause = (statement.sortClause ?? []).map((item): Node => {
    const sort: SortBy = 'SortBy' in item ? item.SortBy : {};
    const node = sort.node;
    if (node === undefined || integerConstant(node) !== undefined || outputNames.includes(bareColumnName(node) ?? '\0')) return item;
    if (containsSetReturning(node)) throw notSupported('set-returning functions in ORDER BY are not supported');
    return { SortBy: { ...sort, node: computeInside(node) } };
  });
  const { withClause: _with, sortClause: _sort, distinctClause, limitCount, limitOffset, limitOption, ...grouped } = statement;
  const subquery: SelectStmt = { ...grouped, groupClause, targetList: inner };
  return {
    ...(statement.withClause === undefined ? {} : { withClause: statement.withClause }),
    targetList: outerTargets,
    fromClause: [{ RangeSubselect: { subquery: { SelectStmt: subquery }, alias: { aliasname: groupedAlias } } }],
    ...(sortClause.length === 0 ? {} : { sortClause }),
    ...(distinctClause === undefined ? {} : { distinctClause }),
    ...(limitCount === undefined ? {} : { limitCount }),
    ...(limitOffset === undefined ? {} : { limitOffset }),
    ...(limitOption === undefined ? {} : { limitOption }),
    op: statement.op,
  };
}

/** Whether a query groups: GROUP BY, HAVING, or an aggregate in its select list. Windows alone do not. */
function isGrouped(statement: SelectStmt): boolean {
  if ((statement.groupClause ?? []).length > 0 || statement.havingClause !== undefined) return true;
  if ((statement.targetList ?? []).some(containsWindow)) {
    throw notSupported('set-returning functions in a select list with window functions are not supported yet');
  }
  return (statement.targetList ?? []).some(containsAggregate);
}

/** Whether an expression calls a set-returning function (outside subqueries, not as a window). */
function containsSetReturning(node: unknown): boolean {
  return someCall(node, (call) => call.over === undefined && isSetReturningName(qualifiedName(call.funcname)));
}

function containsAggregate(node: unknown): boolean {
  return someCall(node, isAggregateCall);
}

function containsWindow(node: unknown): boolean {
  return someCall(node, (call) => call.over !== undefined);
}

function isAggregateCall(call: FuncCall): boolean {
  const names = qualifiedName(call.funcname);
  return call.over === undefined && names.length === 1 && isAggregateName((names[0] ?? '').toLowerCase());
}

/** Whether a function call in an expression (outside subqueries) satisfies `test`. */
function someCall(node: unknown, test: (call: FuncCall) => boolean): boolean {
  if (Array.isArray(node)) return node.some((item) => someCall(item, test));
  if (node === null || typeof node !== 'object') return false;
  if ('SubLink' in node || 'SelectStmt' in node) return false;
  if ('FuncCall' in node && test((node as { FuncCall: FuncCall }).FuncCall)) return true;
  return Object.values(node).some((value) => someCall(value, test));
}

function containsStar(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsStar);
  if (node === null || typeof node !== 'object') return false;
  if ('A_Star' in node) return true;
  if ('SubLink' in node) return false;
  return Object.values(node).some(containsStar);
}

function integerConstant(node: Node): number | undefined {
  return 'A_Const' in node && node.A_Const.ival !== undefined ? node.A_Const.ival.ival ?? 0 : undefined;
}

function bareColumnName(node: Node): string | undefined {
  const fields = 'ColumnRef' in node ? node.ColumnRef.fields ?? [] : [];
  const only = fields.length === 1 ? fields[0] : undefined;
  return only !== undefined && 'String' in only ? only.String.sval : undefined;
}

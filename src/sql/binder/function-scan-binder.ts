// FROM items that call a set-returning function: `generate_series(1, n) AS s`, `unnest(arr) x`,
// `pg_partition_ancestors(oid)`. The arguments see the enclosing query's names (for a correlated
// subquery) but not the other FROM items, as without LATERAL in PostgreSQL.

import type { Node, RangeFunction, SelectStmt } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { resolveSetReturning } from '../../functions/set-returning.js';
import { ExprBinder, locationOf, qualifiedName, stringValue } from './expr-binder.js';
import type { FromItem } from './from-binder.js';
import { nestingOf, type QueryEnv } from './query-env.js';
import { Scope, type ScopeColumn } from './scope.js';

export function bindRangeFunction(range: RangeFunction, env: QueryEnv): FromItem {
  if (range.lateral === true) throw notSupported('LATERAL function calls are not supported yet');
  if (range.ordinality === true) throw notSupported('WITH ORDINALITY is not supported yet');
  const [item, ...more] = range.functions ?? [];
  const list = item !== undefined && 'List' in item ? item.List.items ?? [] : [];
  const call = list[0] !== undefined && 'FuncCall' in list[0] ? list[0].FuncCall : undefined;
  if (call === undefined || more.length > 0) throw notSupported('only a single function call is supported in FROM');
  const names = qualifiedName(call.funcname);
  const name = names[names.length - 1] ?? '';
  const position = env.context.source.positionOfByte(call.location);
  if (names.length > 1 && names[0] !== 'pg_catalog') {
    throw new SqlError(SqlState.undefinedSchema, `schema "${names[0] ?? ''}" does not exist`, position === undefined ? {} : { position });
  }
  const binder = new ExprBinder(env.context, Scope.empty, nestingOf(env));
  const args = (call.args ?? []).map((arg) => binder.bind(arg));
  const alias = range.alias?.aliasname ?? name;
  const fn = resolveSetReturning(name, args.map((arg) => arg.type), (range.alias?.colnames ?? []).map(stringValue)[0] ?? alias);
  if (fn === undefined) {
    throw new SqlError(SqlState.undefinedFunction, `function ${name}(${args.map((arg) => arg.type.name).join(', ')}) does not exist`,
      position === undefined ? {} : { position });
  }
  const coerced = args.map((arg, i) => binder.coerceTo(arg, fn.argTypes[i] ?? arg.type, 'implicit', locationOf((call.args ?? [])[i])));
  const columns = fn.columns.map((column, index): ScopeColumn => ({
    qualifier: alias, name: column.name, type: column.type, index, hidden: false, tableOid: 0, columnNumber: 0,
  }));
  return {
    plan: { kind: 'FunctionScan', fn, args: coerced, columnTypes: fn.columns.map((column) => column.type) },
    scope: new Scope(columns), names: [alias],
  };
}

const setReturningNames = new Set(['generate_series', 'unnest', 'pg_partition_ancestors']);
const selectListAlias = 'set_returning_function';

/**
 * `SELECT f(...)` with no FROM, f set-returning (psql's `SELECT pg_partition_ancestors(oid)`), read
 * as `SELECT r.c AS f FROM f(...) r`: the one form of a set-returning call in a select list taken.
 */
export function selectListFunctionAsFrom(statement: SelectStmt): SelectStmt {
  const targets = statement.targetList ?? [];
  const target = targets.length === 1 && targets[0] !== undefined && 'ResTarget' in targets[0] ? targets[0].ResTarget : undefined;
  const call = target?.val !== undefined && 'FuncCall' in target.val ? target.val.FuncCall : undefined;
  if ((statement.fromClause ?? []).length > 0 || target === undefined || call === undefined) return statement;
  const names = qualifiedName(call.funcname);
  const name = (names[names.length - 1] ?? '').toLowerCase();
  if (!setReturningNames.has(name) || call.over !== undefined) return statement;
  const column = name === 'pg_partition_ancestors' ? 'relid' : selectListAlias;
  const fromItem: Node = { RangeFunction: { functions: [{ List: { items: [{ FuncCall: call }] } }], alias: { aliasname: selectListAlias } } };
  const columnRef: Node = { ColumnRef: { fields: [{ String: { sval: selectListAlias } }, { String: { sval: column } }], ...(call.location === undefined ? {} : { location: call.location }) } };
  return { ...statement, fromClause: [fromItem], targetList: [{ ResTarget: { ...target, name: target.name ?? name, val: columnRef } }] };
}

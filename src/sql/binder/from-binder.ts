// FROM: tables, WITH queries, subqueries, functions and joins, bound into one plan whose row is
// the items' rows side by side ([left..., right...]) and the scope naming its columns.
// Comma-separated items are cross joins; LATERAL items (and functions) reading the columns of
// items to their left make lateral joins. JOIN ... USING and NATURAL JOIN compare the named
// columns for equality and merge each pair into one column (the left one, the right one for RIGHT
// JOIN, COALESCE of both for FULL JOIN), listed first by `*` as in PostgreSQL.

import type { Alias, JoinExpr, Node, RangeSubselect, RangeVar } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { Types } from '../../common/types.js';
import { commonType } from '../../functions/resolve.js';
import type { BoundExpr } from '../bound-expr.js';
import type { JoinType } from '../plan/logical-join.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { planWidth } from '../plan/plan-width.js';
import { ExprBinder, requireNode, stringValue } from './expr-binder.js';
import { nestingOf, type QueryEnv } from './query-env.js';
import { Correlation } from './correlation.js';
import { Scope, type ScopeColumn } from './scope.js';
import { bindTableRef } from './table-binder.js';
import { bindRangeFunction } from './function-scan-binder.js';

export interface FromItem {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
  /** Names of the range entries in this item (table names, aliases), to catch one given twice. */
  readonly names: readonly string[];
  /** A LATERAL item reading the items to its left: their expressions for its outer references. */
  readonly lateral?: readonly BoundExpr[];
}

export function bindFrom(items: readonly Node[], env: QueryEnv): FromItem {
  const [first, ...rest] = items;
  if (first === undefined) return { plan: { kind: 'Values', columnTypes: [], rows: [[]] }, scope: Scope.empty, names: [] };
  let result = bindFromItem(first, env);
  for (const item of rest) {
    const right = bindFromItem(item, env, result);
    const sides = sideBySide(result, right, env);
    result = { plan: joinPlan('inner', result.plan, right, null, sides.labels), scope: new Scope(sides.columns), names: sides.names };
  }
  return result;
}

/** A join of two items; a lateral join when the right one reads the left one's columns. */
function joinPlan(joinType: JoinType, left: LogicalPlan, right: FromItem, condition: BoundExpr | null, labels: readonly string[]): LogicalPlan {
  if (right.lateral === undefined) return { kind: 'Join', joinType, left, right: right.plan, keys: [], condition, labels };
  if (joinType !== 'inner' && joinType !== 'left') {
    throw new SqlError(SqlState.invalidColumnReference, 'the combining JOIN type must be INNER or LEFT for a LATERAL reference');
  }
  return { kind: 'LateralJoin', joinType, left, right: right.plan, correlation: right.lateral, condition, labels };
}

/**
 * With items to its left, a LATERAL subquery (and any function in FROM, as in PostgreSQL) may read
 * their columns: it is bound as a subquery whose outer query is the left items.
 */
function bindFromItem(node: Node, env: QueryEnv, left?: FromItem): FromItem {
  const lateral = ('RangeSubselect' in node && node.RangeSubselect.lateral === true) || 'RangeFunction' in node;
  if (left !== undefined && lateral) {
    const correlation = new Correlation(new ExprBinder(env.context, left.scope, nestingOf(env)));
    const inner: QueryEnv = { ...env, outer: correlation };
    const item = 'RangeFunction' in node ? bindRangeFunction({ ...node.RangeFunction, lateral: false }, inner)
      : bindRangeSubselect({ ...('RangeSubselect' in node ? node.RangeSubselect : {}), lateral: false }, inner);
    return correlation.values.length === 0 ? item : { ...item, lateral: correlation.values };
  }
  if ('RangeFunction' in node && node.RangeFunction.lateral === true) return bindRangeFunction({ ...node.RangeFunction, lateral: false }, env);
  if ('RangeVar' in node) return bindRangeVar(node.RangeVar, env);
  if ('RangeSubselect' in node) return bindRangeSubselect(node.RangeSubselect, env);
  if ('JoinExpr' in node) return bindJoin(node.JoinExpr, env);
  if ('RangeFunction' in node) return bindRangeFunction(node.RangeFunction, env);
  throw notSupported(`FROM ${Object.keys(node)[0] ?? 'item'} is not supported`);
}

function at(env: QueryEnv, location: number | undefined): { position?: number } {
  const position = env.context.source.positionOfByte(location);
  return position === undefined ? {} : { position };
}

function bindRangeVar(rangeVar: RangeVar, env: QueryEnv): FromItem {
  const name = rangeVar.relname ?? '';
  const common = rangeVar.schemaname === undefined ? env.commonTables.get(name) : undefined;
  const qualifier = rangeVar.alias?.aliasname ?? name;
  if (common !== undefined) {
    const columns = common.query.columns.map((column, index): ScopeColumn => ({
      qualifier, name: column.name, type: column.type, index, hidden: false, tableOid: column.tableOid, columnNumber: column.columnNumber,
    }));
    return { plan: common.query.plan, scope: new Scope(aliasColumns(columns, rangeVar.alias, name, env)), names: [qualifier] };
  }
  const ref = bindTableRef(rangeVar, env.catalog, env.context.source.positionOfByte(rangeVar.location));
  return { plan: ref.scan, scope: new Scope(aliasColumns(ref.columns, rangeVar.alias, name, env)), names: [qualifier] };
}

function bindRangeSubselect(range: RangeSubselect, env: QueryEnv): FromItem {
  const select = range.subquery !== undefined && 'SelectStmt' in range.subquery ? range.subquery.SelectStmt : undefined;
  if (select === undefined) throw new SqlError(SqlState.syntaxError, 'subquery in FROM expected');
  const query = env.bindQuery(select, env);
  const qualifier = range.alias?.aliasname ?? null;
  const columns = query.columns.map((column, index): ScopeColumn => ({
    qualifier, name: column.name, type: column.type, index, hidden: false, tableOid: column.tableOid, columnNumber: column.columnNumber,
  }));
  return { plan: query.plan, scope: new Scope(aliasColumns(columns, range.alias, qualifier ?? 'subquery', env)), names: qualifier === null ? [] : [qualifier] };
}

/** `AS x(a, b)`: renames the first visible columns. */
function aliasColumns(columns: ScopeColumn[], alias: Alias | undefined, name: string, env: QueryEnv): ScopeColumn[] {
  const names = (alias?.colnames ?? []).map((node) => stringValue(node) ?? '');
  if (names.length === 0) return columns;
  const visible = columns.filter((column) => !column.hidden);
  if (names.length > visible.length) {
    throw new SqlError(SqlState.invalidColumnReference,
      `table "${alias?.aliasname ?? name}" has ${visible.length} columns available but ${names.length} columns specified`, at(env, undefined));
  }
  let next = 0;
  return columns.map((column) => (column.hidden || next >= names.length ? column : { ...column, name: names[next++] ?? column.name }));
}

interface SideBySide {
  readonly columns: ScopeColumn[];
  readonly labels: string[];
  readonly names: string[];
  readonly leftWidth: number;
}

/** The scope of [left row..., right row...]; 42712 when both sides have an entry of the same name. */
function sideBySide(left: FromItem, right: FromItem, env: QueryEnv): SideBySide {
  for (const name of right.names) {
    if (left.names.includes(name)) throw new SqlError('42712', `table name "${name}" specified more than once`, at(env, undefined));
  }
  const leftWidth = planWidth(left.plan);
  const rightWidth = planWidth(right.plan);
  return {
    columns: [...left.scope.columns, ...right.scope.columns.map((column) => ({ ...column, index: column.index + leftWidth }))],
    labels: [...left.scope.labels(leftWidth), ...right.scope.labels(rightWidth)],
    names: [...left.names, ...right.names],
    leftWidth,
  };
}

const joinTypes: Readonly<Record<string, JoinType>> = { JOIN_INNER: 'inner', JOIN_LEFT: 'left', JOIN_RIGHT: 'right', JOIN_FULL: 'full' };

function bindJoin(join: JoinExpr, env: QueryEnv): FromItem {
  const joinType = joinTypes[join.jointype ?? 'JOIN_INNER'];
  if (joinType === undefined) throw notSupported(`${join.jointype ?? ''} is not supported`);
  const left = bindFromItem(requireNode(join.larg), env);
  const right = bindFromItem(requireNode(join.rarg), env, left);
  const sides = sideBySide(left, right, env);
  const scope = new Scope(sides.columns);
  const binder = new ExprBinder(env.context, scope, nestingOf(env));
  binder.clause = 'JOIN conditions';
  const usingNames = join.isNatural === true ? naturalNames(left.scope, right.scope)
    : (join.usingClause ?? []).map((node) => stringValue(node) ?? '');
  let condition: BoundExpr | null = join.quals === undefined ? null : binder.bindCondition(join.quals, 'JOIN/ON');
  let plan: LogicalPlan = joinPlan(joinType, left.plan, right, condition, sides.labels);
  let columns = sides.columns;
  if (usingNames.length > 0) {
    const merged = mergeUsing(usingNames, sides, joinType, binder);
    condition = merged.condition;
    plan = joinPlan(joinType, left.plan, right, condition, sides.labels);
    const width = planWidth(plan);
    const computed = merged.exprs.filter((expr) => expr.kind !== 'Column');
    if (computed.length > 0) {
      const identity = Array.from({ length: width }, (_, index): BoundExpr => ({
        kind: 'Column', type: sides.columns.find((column) => column.index === index)?.type ?? Types.text, index, name: sides.labels[index] ?? '?',
      }));
      plan = { kind: 'Project', input: plan, exprs: [...identity, ...computed] };
    }
    let appended = width;
    const mergedColumns = usingNames.map((name, i): ScopeColumn => {
      const expr = merged.exprs[i] as BoundExpr;
      const source = merged.sources[i] as ScopeColumn;
      const index = expr.kind === 'Column' ? expr.index : appended++;
      return { qualifier: null, name, type: expr.type, index, hidden: false, tableOid: source.tableOid, columnNumber: source.columnNumber };
    });
    columns = [...mergedColumns, ...sides.columns.map((column) => (merged.used.has(column) ? { ...column, qualifiedOnly: true } : column))];
  }
  let names = sides.names;
  if (join.alias !== undefined) {
    const alias = join.alias.aliasname ?? '';
    columns = aliasColumns(columns.filter((column) => column.qualifiedOnly !== true).map((column) => ({ ...column, qualifier: alias })), join.alias, alias, env);
    names = [alias];
  }
  return { plan, scope: new Scope(columns), names };
}

/** Visible column names both sides have, in the left side's order. */
function naturalNames(left: Scope, right: Scope): string[] {
  const rightNames = new Set(right.columns.filter((column) => !column.hidden && column.qualifiedOnly !== true).map((column) => column.name));
  const names: string[] = [];
  for (const column of left.columns) {
    if (!column.hidden && column.qualifiedOnly !== true && rightNames.has(column.name) && !names.includes(column.name)) names.push(column.name);
  }
  return names;
}

interface MergedUsing {
  readonly condition: BoundExpr | null;
  /** The merged column of each name, over the join row. */
  readonly exprs: BoundExpr[];
  /** The left column of each name (for its table OID). */
  readonly sources: ScopeColumn[];
  /** The input columns merged (reachable by qualified name only afterwards). */
  readonly used: Set<ScopeColumn>;
}

function mergeUsing(names: readonly string[], sides: SideBySide, joinType: JoinType, binder: ExprBinder): MergedUsing {
  const leftColumns = sides.columns.filter((column) => column.index < sides.leftWidth);
  const rightColumns = sides.columns.filter((column) => column.index >= sides.leftWidth);
  const conjuncts: BoundExpr[] = [];
  const exprs: BoundExpr[] = [];
  const sources: ScopeColumn[] = [];
  const used = new Set<ScopeColumn>();
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) throw new SqlError(SqlState.duplicateColumn, `column name "${name}" appears more than once in USING clause`);
    const l = usingColumn(leftColumns, name, 'left');
    const r = usingColumn(rightColumns, name, 'right');
    used.add(l);
    used.add(r);
    const type = commonType([l.type, r.type], 'JOIN/USING');
    const leftExpr = binder.coerceTo({ kind: 'Column', type: l.type, index: l.index, name }, type, 'implicit', undefined);
    const rightExpr = binder.coerceTo({ kind: 'Column', type: r.type, index: r.index, name }, type, 'implicit', undefined);
    conjuncts.push(binder.equality(leftExpr, rightExpr, undefined));
    exprs.push(joinType === 'full' ? { kind: 'Coalesce', type, args: [leftExpr, rightExpr] } : joinType === 'right' ? rightExpr : leftExpr);
    sources.push(joinType === 'right' ? r : l);
  });
  const condition = conjuncts.length === 0 ? null : conjuncts.length === 1 ? conjuncts[0] as BoundExpr : { kind: 'And' as const, type: Types.bool, args: conjuncts };
  return { condition, exprs, sources, used };
}

function usingColumn(columns: readonly ScopeColumn[], name: string, side: 'left' | 'right'): ScopeColumn {
  const matches = columns.filter((column) => column.name === name && column.qualifiedOnly !== true);
  const found = matches[0];
  if (found === undefined) throw new SqlError(SqlState.undefinedColumn, `column "${name}" specified in USING clause does not exist in ${side} table`);
  if (matches.length > 1) throw new SqlError(SqlState.ambiguousColumn, `common column name "${name}" appears more than once in ${side} table`);
  return found;
}

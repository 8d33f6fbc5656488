// SELECT and VALUES: binds the query into a logical plan and its output columns. Queries without
// FROM run over a single empty row.

import type { Node, SelectStmt } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { Types } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';
import type { BoundQuery, OutputColumn } from '../bound-statement.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { SortKey } from '../plan/logical-sort.js';
import { figureColumnName } from './column-name.js';
import type { CatalogReader } from '../catalog-reader.js';
import { ExprBinder, locationOf, stringValue, type ExprBinderContext } from './expr-binder.js';
import { bindTableRef } from './table-binder.js';
import { AggregateCollector, containsAggregate, overAggregateRow } from './aggregate-binder.js';
import { Scope } from './scope.js';

export function bindSelect(statement: SelectStmt, context: ExprBinderContext, catalog: CatalogReader): BoundQuery {
  if (statement.withClause !== undefined) throw notSupported('WITH queries are not supported yet');
  if (statement.op !== undefined && statement.op !== 'SETOP_NONE') throw notSupported('UNION, INTERSECT and EXCEPT are not supported yet');
  if (statement.intoClause !== undefined) throw notSupported('SELECT INTO is not supported');
  if ((statement.lockingClause ?? []).length > 0) throw notSupported('SELECT ... FOR UPDATE is not supported');
  if (statement.valuesLists !== undefined) return bindValues(statement.valuesLists, context, statement);
  if (statement.distinctClause !== undefined) throw notSupported('SELECT DISTINCT is not supported yet');
  const from = bindFrom(statement.fromClause ?? [], context, catalog);
  const binder = new ExprBinder(context, from.scope);
  let plan: LogicalPlan = from.plan;
  if (statement.whereClause !== undefined) {
    binder.clause = 'WHERE';
    plan = { kind: 'Filter', input: plan, predicate: binder.bindCondition(statement.whereClause, 'WHERE') };
  }
  const collector = new AggregateCollector();
  binder.aggregates = collector;
  const target = bindTargetList(statement.targetList ?? [], binder, from.scope);
  let exprs = target.exprs;
  const columns = target.columns;
  binder.aggregates = undefined;
  binder.clause = 'GROUP BY';
  const groupKeys = (statement.groupClause ?? []).map((node) => bindGroupKey(node, binder, exprs, columns));
  binder.aggregates = collector;
  const having = statement.havingClause === undefined ? undefined : binder.bindCondition(statement.havingClause, 'HAVING');
  let keys = bindOrderBy(statement.sortClause ?? [], binder, exprs, columns);
  binder.aggregates = undefined;
  if (collector.calls.length > 0 || groupKeys.length > 0 || having !== undefined) {
    plan = { kind: 'Aggregate', input: plan, groupKeys, aggregates: collector.calls };
    if (having !== undefined) plan = { kind: 'Filter', input: plan, predicate: overAggregateRow(having, groupKeys) };
    exprs = exprs.map((expr) => overAggregateRow(expr, groupKeys));
    keys = keys.map((key) => ({ ...key, expr: overAggregateRow(key.expr, groupKeys) }));
  }
  if (keys.length > 0) plan = { kind: 'Sort', input: plan, keys };
  plan = { kind: 'Project', input: plan, exprs };
  plan = bindLimit(plan, statement, binder);
  return { kind: 'Query', plan, columns };
}

function bindFrom(items: readonly Node[], context: ExprBinderContext, catalog: CatalogReader): { plan: LogicalPlan; scope: Scope } {
  if (items.length === 0) return { plan: { kind: 'Values', columnTypes: [], rows: [[]] }, scope: Scope.empty };
  const item = items[0];
  if (items.length > 1 || item === undefined) throw notSupported('joins are not supported yet');
  if (!('RangeVar' in item)) throw notSupported(`FROM ${Object.keys(item)[0] ?? 'item'} is not supported yet`);
  const ref = bindTableRef(item.RangeVar, catalog, context.source.positionOfByte(item.RangeVar.location));
  return { plan: ref.scan, scope: new Scope(ref.columns) };
}

function bindTargetList(targets: readonly Node[], binder: ExprBinder, scope: Scope): { exprs: BoundExpr[]; columns: OutputColumn[] } {
  const exprs: BoundExpr[] = [];
  const columns: OutputColumn[] = [];
  for (const target of targets) {
    if (!('ResTarget' in target)) throw notSupported('unexpected select-list item');
    const value = target.ResTarget.val;
    const fields = value !== undefined && 'ColumnRef' in value ? value.ColumnRef.fields ?? [] : [];
    if (value !== undefined && 'ColumnRef' in value && fields.some((field) => 'A_Star' in field)) {
      const qualifier = fields.length > 1 ? stringValue(fields[fields.length - 2]) ?? null : null;
      for (const column of scope.star(qualifier, binder.position(value.ColumnRef.location))) {
        exprs.push({ kind: 'Column', type: column.type, index: column.index, name: column.name });
        columns.push({ name: column.name, type: column.type, tableOid: column.tableOid, columnNumber: column.columnNumber });
      }
      continue;
    }
    const expr = binder.bindResolvingUnknown(requireTarget(value));
    exprs.push(expr);
    const source = expr.kind === 'Column' ? scope.columns[expr.index] : undefined;
    columns.push({
      name: target.ResTarget.name ?? figureColumnName(value), type: expr.type,
      tableOid: source?.tableOid ?? 0, columnNumber: source?.columnNumber ?? 0,
    });
  }
  return { exprs, columns };
}

/**
 * ORDER BY keys as expressions over the input row: an output column's name or position means that
 * column's expression; anything else is bound in the FROM scope.
 */
function bindOrderBy(items: readonly Node[], binder: ExprBinder, exprs: readonly BoundExpr[], columns: readonly OutputColumn[]): SortKey[] {
  return items.map((item) => {
    const sortBy = 'SortBy' in item ? item.SortBy : undefined;
    if (sortBy === undefined || sortBy.node === undefined) throw notSupported('unsupported ORDER BY item');
    if (sortBy.sortby_dir === 'SORTBY_USING') throw notSupported('ORDER BY ... USING is not supported');
    const descending = sortBy.sortby_dir === 'SORTBY_DESC';
    const nullsFirst = sortBy.sortby_nulls === 'SORTBY_NULLS_DEFAULT' || sortBy.sortby_nulls === undefined ? descending : sortBy.sortby_nulls === 'SORTBY_NULLS_FIRST';
    return { expr: orderExpr(sortBy.node, binder, exprs, columns), descending, nullsFirst };
  });
}

function orderExpr(node: Node, binder: ExprBinder, exprs: readonly BoundExpr[], columns: readonly OutputColumn[]): BoundExpr {
  if ('A_Const' in node && node.A_Const.ival !== undefined) {
    const position = node.A_Const.ival.ival ?? 0;
    const expr = exprs[position - 1];
    if (expr === undefined) {
      const at = binder.position(node.A_Const.location);
      throw new SqlError(SqlState.invalidColumnReference, `ORDER BY position ${position} is not in select list`, at === undefined ? {} : { position: at });
    }
    return expr;
  }
  if ('ColumnRef' in node && (node.ColumnRef.fields ?? []).length === 1) {
    const name = stringValue(node.ColumnRef.fields?.[0]);
    const index = columns.findIndex((column) => column.name === name);
    const expr = exprs[index];
    if (index >= 0 && expr !== undefined && columns.filter((column) => column.name === name).length === 1) return expr;
  }
  const bound = binder.bindResolvingUnknown(node);
  if (bound.type.element !== undefined) throw notSupported('ORDER BY an array is not supported');
  return bound;
}

/** A GROUP BY item: an output column's name or position, or an expression over the input. */
function bindGroupKey(node: Node, binder: ExprBinder, exprs: readonly BoundExpr[], columns: readonly OutputColumn[]): BoundExpr {
  const key = orderExpr(node, binder, exprs, columns);
  if (containsAggregate(key)) throw new SqlError(SqlState.groupingError, 'aggregate functions are not allowed in GROUP BY');
  return key;
}

function requireTarget(node: Node | undefined): Node {
  if (node === undefined) throw new SqlError(SqlState.syntaxError, 'empty select-list item');
  return node;
}

function bindLimit(plan: LogicalPlan, statement: SelectStmt, binder: ExprBinder): LogicalPlan {
  if (statement.limitCount === undefined && statement.limitOffset === undefined) return plan;
  if (statement.limitOption === 'LIMIT_OPTION_WITH_TIES') throw notSupported('FETCH ... WITH TIES is not supported');
  const count = (node: Node | undefined): BoundExpr | null => {
    if (node === undefined) return null;
    if ('A_Const' in node && node.A_Const.isnull) return null;
    return binder.coerceTo(binder.bind(node), Types.int8, 'implicit', locationOf(node));
  };
  return { kind: 'Limit', input: plan, limit: count(statement.limitCount), offset: count(statement.limitOffset) };
}

function bindValues(lists: readonly Node[], context: ExprBinderContext, statement: SelectStmt): BoundQuery {
  const binder = new ExprBinder(context, Scope.empty);
  const rows = lists.map((list) => ('List' in list ? list.List.items ?? [] : []));
  const width = rows[0]?.length ?? 0;
  if (rows.some((row) => row.length !== width)) {
    throw new SqlError(SqlState.syntaxError, 'VALUES lists must all be the same length');
  }
  const columnsBound: BoundExpr[][] = [];
  for (let column = 0; column < width; column++) {
    const nodes = rows.map((row) => row[column] as Node);
    const bound = binder.bindCommon(nodes, 'VALUES', locationOf(nodes[0]));
    columnsBound.push(bound.map((expr) => (expr.type.name === 'unknown' ? binder.coerceTo(expr, Types.text, 'implicit', undefined) : expr)));
  }
  const boundRows = rows.map((_, rowIndex) => columnsBound.map((column) => column[rowIndex] as BoundExpr));
  const columnTypes = columnsBound.map((column) => column[0]?.type ?? Types.text);
  const columns = columnTypes.map((type, i) => ({ name: `column${i + 1}`, type, tableOid: 0, columnNumber: 0 }));
  let plan: LogicalPlan = { kind: 'Values', columnTypes, rows: boundRows };
  if ((statement.sortClause ?? []).length > 0) {
    const scope = new Scope(columns.map((column, index) => ({ ...column, qualifier: null, index, hidden: false })));
    const exprs = columns.map((column, index): BoundExpr => ({ kind: 'Column', type: column.type, index, name: column.name }));
    plan = { kind: 'Sort', input: plan, keys: bindOrderBy(statement.sortClause ?? [], new ExprBinder(context, scope), exprs, columns) };
  }
  plan = bindLimit(plan, statement, binder);
  return { kind: 'Query', plan, columns };
}

// SELECT, VALUES, set operations (UNION / INTERSECT / EXCEPT) and WITH: binds a query into a
// logical plan and its output columns. Queries without FROM run over a single empty row. A query
// bound here may be nested (FROM subquery, WITH query, subquery in an expression): the QueryEnv
// carries the WITH queries in reach and the enclosing query's names.

import type { Node, SelectStmt, WithClause } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { Types, formatType, sameType, type DataType } from '../../common/types.js';
import { commonType } from '../../functions/resolve.js';
import type { BoundExpr } from '../bound-expr.js';
import { exprKey } from '../bound-expr-walk.js';
import type { BoundQuery, OutputColumn } from '../bound-statement.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { SortKey } from '../plan/logical-sort.js';
import type { SetOperator } from '../plan/logical-set-op.js';
import { planContains } from '../plan/plan-children.js';
import { figureColumnName } from './column-name.js';
import type { CatalogReader } from '../catalog-reader.js';
import { ExprBinder, locationOf, stringValue, type ExprBinderContext } from './expr-binder.js';
import { AggregateCollector, containsAggregate, overAggregateRow } from './aggregate-binder.js';
import { planWidth } from '../plan/plan-width.js';
import { WindowCollector, containsWindow, mapWindowCall, overWindowRow, windowingError } from './window-binder.js';
import type { WindowCall } from '../plan/logical-window.js';
import { selectListSetReturning } from './function-scan-binder.js';
import { bindFrom } from './from-binder.js';
import { nestingOf, type CommonTable, type QueryEnv } from './query-env.js';
import { Scope } from './scope.js';

/** Binds a top-level query (also the source of INSERT ... SELECT and COPY (SELECT ...) TO). */
export function bindSelect(statement: SelectStmt, context: ExprBinderContext, catalog: CatalogReader): BoundQuery {
  return bindQuery(statement, statementEnv(context, catalog));
}

/** The environment of a statement's top query level, with the statement's WITH queries if any. */
export function statementEnv(context: ExprBinderContext, catalog: CatalogReader, withClause?: WithClause): QueryEnv {
  const env: QueryEnv = {
    context, catalog, commonTables: new Map(), outer: null, bindQuery: (nested, inner) => bindQuery(nested, inner), workTableIds: { next: 1 },
  };
  return withClause === undefined ? env : bindWith(withClause, env);
}

interface QueryOptions {
  /** Leave untyped literals in the select list unknown (branches of a set operation resolve them together). */
  readonly keepUnknown?: boolean;
}

function bindQuery(statement: SelectStmt, outerEnv: QueryEnv, options: QueryOptions = {}): BoundQuery {
  const env = statement.withClause === undefined ? outerEnv : bindWith(statement.withClause, outerEnv);
  if (statement.intoClause !== undefined) throw notSupported('SELECT INTO is not supported');
  if ((statement.lockingClause ?? []).length > 0) throw notSupported('SELECT ... FOR UPDATE is not supported');
  if (statement.op !== undefined && statement.op !== 'SETOP_NONE') return bindSetOperation(statement, env);
  if (statement.valuesLists !== undefined) return bindValues(statement.valuesLists, env.context, statement);
  return bindSimpleSelect(statement, env, options.keepUnknown ?? false);
}

function bindWith(clause: WithClause, env: QueryEnv): QueryEnv {
  const tables = new Map<string, CommonTable>(env.commonTables);
  const defined = new Set<string>();
  for (const node of clause.ctes ?? []) {
    const cte = 'CommonTableExpr' in node ? node.CommonTableExpr : undefined;
    const name = cte?.ctename ?? '';
    const position = env.context.source.positionOfByte(cte?.location);
    const at = position === undefined ? {} : { position };
    if (defined.has(name)) throw new SqlError('42712', `WITH query name "${name}" specified more than once`, at);
    defined.add(name);
    const select = cte?.ctequery !== undefined && 'SelectStmt' in cte.ctequery ? cte.ctequery.SelectStmt : undefined;
    if (select === undefined) throw notSupported('data-modifying statements in WITH are not supported', undefined);
    const aliases = (cte?.aliascolnames ?? []).map((alias) => stringValue(alias) ?? '');
    const named = (query: BoundQuery): BoundQuery => {
      if (aliases.length > query.columns.length) {
        throw new SqlError(SqlState.invalidColumnReference, `WITH query "${name}" has ${query.columns.length} columns available but ${aliases.length} columns specified`, at);
      }
      return { ...query, columns: query.columns.map((column, i) => ({ ...column, name: aliases[i] ?? column.name })) };
    };
    const recursive = clause.recursive === true ? bindRecursive(name, select, named, { ...env, commonTables: tables }) : undefined;
    tables.set(name, { name, query: recursive ?? named(bindQuery(select, { ...env, commonTables: tables })) });
  }
  return { ...env, commonTables: tables };
}

/**
 * A WITH RECURSIVE query `base UNION [ALL] recursive` whose recursive term reads the query's own
 * name; undefined when it is not one (then it binds as a plain WITH query).
 */
function bindRecursive(name: string, select: SelectStmt, named: (query: BoundQuery) => BoundQuery, env: QueryEnv): BoundQuery | undefined {
  if (select.op !== 'SETOP_UNION' || select.larg === undefined || select.rarg === undefined) return undefined;
  const base = named(bindQuery(select.larg, env));
  const id = env.workTableIds.next++;
  const workTable: LogicalPlan = {
    kind: 'WorkTableScan', id, name, columnNames: base.columns.map((column) => column.name), columnTypes: base.columns.map((column) => column.type),
  };
  const tables = new Map(env.commonTables).set(name, { name, query: { kind: 'Query', plan: workTable, columns: base.columns } });
  const recursive = bindQuery(select.rarg, { ...env, commonTables: tables });
  if (!planContains(recursive.plan, (node) => node.kind === 'WorkTableScan' && node.id === id)) return undefined;
  if ((select.sortClause ?? []).length > 0 || select.limitCount !== undefined || select.limitOffset !== undefined) {
    throw notSupported('ORDER BY and LIMIT in a recursive query are not supported');
  }
  if (recursive.columns.length !== base.columns.length) throw new SqlError(SqlState.syntaxError, 'each UNION query must have the same number of columns');
  recursive.columns.forEach((column, i) => {
    const type = base.columns[i]?.type ?? column.type;
    if (!sameType(type, column.type) && !(type.name === column.type.name && type.element === undefined && column.type.element === undefined)) {
      throw new SqlError(SqlState.datatypeMismatch, `recursive query "${name}" column ${i + 1} has type ${formatType(type)} in non-recursive term but type ${formatType(column.type)} overall`,
        { hint: 'Cast the output of the non-recursive term to the correct type.' });
    }
  });
  const plan: LogicalPlan = { kind: 'RecursiveUnion', id, all: select.all === true, base: base.plan, recursive: recursive.plan };
  return { kind: 'Query', plan, columns: base.columns };
}

const setOperators: Readonly<Record<string, SetOperator>> = { SETOP_UNION: 'union', SETOP_INTERSECT: 'intersect', SETOP_EXCEPT: 'except' };

/**
 * UNION / INTERSECT / EXCEPT: each output column takes the common type of the branches' columns
 * (PostgreSQL's rules; untyped literals adopt the other branch's type), names come from the left.
 * ORDER BY and LIMIT apply to the whole result and see only its columns.
 */
function bindSetOperation(statement: SelectStmt, env: QueryEnv): BoundQuery {
  const op = setOperators[statement.op ?? ''];
  if (op === undefined || statement.larg === undefined || statement.rarg === undefined) throw notSupported('unsupported set operation');
  const what = op.toUpperCase();
  const left = bindQuery(statement.larg, env, { keepUnknown: true });
  const right = bindQuery(statement.rarg, env, { keepUnknown: true });
  if (left.columns.length !== right.columns.length) {
    throw new SqlError(SqlState.syntaxError, `each ${what} query must have the same number of columns`);
  }
  const types = left.columns.map((column, i) => commonType([column.type, right.columns[i]?.type ?? column.type], what));
  const binder = new ExprBinder(env.context, Scope.empty);
  let plan: LogicalPlan = {
    kind: 'SetOp', op, all: statement.all === true,
    left: coerceOutputs(left, types, binder), right: coerceOutputs(right, types, binder),
  };
  const columns: OutputColumn[] = left.columns.map((column, i) => ({ name: column.name, type: types[i] ?? column.type, tableOid: 0, columnNumber: 0 }));
  const scope = new Scope(columns.map((column, index) => ({ ...column, qualifier: null, index, hidden: false })));
  const exprs = columns.map((column, index): BoundExpr => ({ kind: 'Column', type: column.type, index, name: column.name }));
  const outputBinder = new ExprBinder(env.context, scope, nestingOf(env));
  const keys = bindOrderBy(statement.sortClause ?? [], outputBinder, exprs, columns);
  if (keys.length > 0) plan = { kind: 'Sort', input: plan, keys };
  plan = bindLimit(plan, statement, outputBinder);
  return { kind: 'Query', plan, columns };
}

/** A query's plan with its output columns converted to `types`. */
function coerceOutputs(query: BoundQuery, types: readonly DataType[], binder: ExprBinder): LogicalPlan {
  if (query.columns.every((column, i) => sameType(column.type, types[i] ?? column.type))) return query.plan;
  const convert = (expr: BoundExpr, i: number): BoundExpr => binder.coerceTo(expr, types[i] ?? expr.type, 'implicit', undefined);
  const rewrite = (plan: LogicalPlan): LogicalPlan => {
    switch (plan.kind) {
      case 'Project': return { ...plan, exprs: plan.exprs.map(convert) };
      case 'Limit': return { ...plan, input: rewrite(plan.input) };
      case 'Distinct': return plan.keys === null ? { ...plan, input: rewrite(plan.input) } : converted(plan);
      case 'Values': return { ...plan, columnTypes: types, rows: plan.rows.map((row) => row.map(convert)) };
      default: return converted(plan);
    }
  };
  const converted = (plan: LogicalPlan): LogicalPlan => ({
    kind: 'Project', input: plan,
    exprs: query.columns.map((column, index) => convert({ kind: 'Column', type: column.type, index, name: column.name }, index)),
  });
  return rewrite(query.plan);
}

function bindSimpleSelect(original: SelectStmt, env: QueryEnv, keepUnknown: boolean): BoundQuery {
  const statement = selectListSetReturning(original);
  const from = bindFrom(statement.fromClause ?? [], env);
  const binder = new ExprBinder(env.context, from.scope, nestingOf(env));
  let plan: LogicalPlan = from.plan;
  if (statement.whereClause !== undefined) {
    binder.clause = 'WHERE';
    plan = { kind: 'Filter', input: plan, predicate: binder.bindCondition(statement.whereClause, 'WHERE') };
  }
  const collector = new AggregateCollector();
  const windows = new WindowCollector();
  binder.aggregates = collector;
  binder.windows = windows;
  binder.clause = 'SELECT';
  const target = bindTargetList(statement.targetList ?? [], binder, from.scope, keepUnknown);
  let exprs = target.exprs;
  const columns = target.columns;
  binder.aggregates = undefined;
  binder.windows = undefined;
  binder.clause = 'GROUP BY';
  const groupKeys = (statement.groupClause ?? []).map((node) => bindGroupKey(node, binder, exprs, columns));
  if (groupKeys.some(containsWindow)) throw windowingError('window functions are not allowed in GROUP BY');
  binder.aggregates = collector;
  binder.clause = 'HAVING';
  const having = statement.havingClause === undefined ? undefined : binder.bindCondition(statement.havingClause, 'HAVING');
  binder.windows = windows;
  binder.clause = 'ORDER BY';
  let keys = bindOrderBy(statement.sortClause ?? [], binder, exprs, columns);
  const distinct = statement.distinctClause;
  const distinctAll = distinct !== undefined && distinct.every((node) => Object.keys(node).length === 0);
  let distinctOn = distinct === undefined || distinctAll ? [] : distinct.map((node) => orderExpr(node, binder, exprs, columns));
  binder.aggregates = undefined;
  binder.windows = undefined;
  let windowCalls: readonly WindowCall[] = windows.calls;
  if (collector.calls.length > 0 || groupKeys.length > 0 || having !== undefined) {
    plan = { kind: 'Aggregate', input: plan, groupKeys, aggregates: collector.calls };
    if (having !== undefined) plan = { kind: 'Filter', input: plan, predicate: overAggregateRow(having, groupKeys) };
    exprs = exprs.map((expr) => overAggregateRow(expr, groupKeys));
    keys = keys.map((key) => ({ ...key, expr: overAggregateRow(key.expr, groupKeys) }));
    distinctOn = distinctOn.map((expr) => overAggregateRow(expr, groupKeys));
    windowCalls = windowCalls.map((call) => mapWindowCall(call, (expr) => overAggregateRow(expr, groupKeys)));
  }
  if (windowCalls.length > 0) {
    // Window functions see the rows after grouping and HAVING, before DISTINCT, ORDER BY and LIMIT.
    const width = planWidth(plan);
    plan = { kind: 'Window', input: plan, calls: windowCalls };
    exprs = exprs.map((expr) => overWindowRow(expr, width));
    keys = keys.map((key) => ({ ...key, expr: overWindowRow(key.expr, width) }));
    distinctOn = distinctOn.map((expr) => overWindowRow(expr, width));
  }
  if (distinctAll) checkDistinctOrder(keys, exprs);
  if (distinctOn.length > 0) checkDistinctOnOrder(keys, distinctOn);
  if (keys.length > 0) plan = { kind: 'Sort', input: plan, keys };
  plan = bindLimit(project(plan, exprs, columns, distinctAll, distinctOn), statement, binder);
  return { kind: 'Query', plan, columns };
}

/**
 * The select list over the (sorted) rows, then DISTINCT over it, or DISTINCT ON: the keys are
 * computed next to the outputs, the first row of each key kept, then the keys dropped.
 */
function project(input: LogicalPlan, exprs: readonly BoundExpr[], columns: readonly OutputColumn[], distinctAll: boolean,
  distinctOn: readonly BoundExpr[]): LogicalPlan {
  if (distinctOn.length === 0) {
    const projected: LogicalPlan = { kind: 'Project', input, exprs };
    return distinctAll ? { kind: 'Distinct', input: projected, keys: null } : projected;
  }
  const width = exprs.length;
  const keys = distinctOn.map((expr, i): BoundExpr => ({ kind: 'Column', type: expr.type, index: width + i, name: `key${i}` }));
  const distinct: LogicalPlan = { kind: 'Distinct', input: { kind: 'Project', input, exprs: [...exprs, ...distinctOn] }, keys };
  return {
    kind: 'Project', input: distinct,
    exprs: exprs.map((expr, index): BoundExpr => ({ kind: 'Column', type: expr.type, index, name: columns[index]?.name ?? '?' })),
  };
}

/** SELECT DISTINCT sorts only by what it outputs (PostgreSQL's rule, since other values are gone). */
function checkDistinctOrder(keys: readonly SortKey[], exprs: readonly BoundExpr[]): void {
  const outputs = new Set(exprs.map(exprKey));
  if (keys.some((key) => !outputs.has(exprKey(key.expr)))) {
    throw new SqlError(SqlState.invalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list');
  }
}

/** DISTINCT ON keeps the first row of each key in ORDER BY order: the leading sort keys must be the DISTINCT ON keys. */
function checkDistinctOnOrder(keys: readonly SortKey[], on: readonly BoundExpr[]): void {
  const onKeys = new Set(on.map(exprKey));
  const leading = keys.slice(0, on.length);
  if (leading.some((key) => !onKeys.has(exprKey(key.expr)))) {
    throw new SqlError(SqlState.invalidColumnReference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
  }
}

function bindTargetList(targets: readonly Node[], binder: ExprBinder, scope: Scope, keepUnknown: boolean): { exprs: BoundExpr[]; columns: OutputColumn[] } {
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
    const expr = keepUnknown ? binder.bind(requireTarget(value)) : binder.bindResolvingUnknown(requireTarget(value));
    exprs.push(expr);
    const source = expr.kind === 'Column' ? scope.columns.find((column) => column.index === expr.index) : undefined;
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

// SELECT and VALUES: binds the query into a logical plan and its output columns. Queries without
// FROM run over a single empty row.

import type { Node, SelectStmt } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { Types } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';
import type { BoundQuery, OutputColumn } from '../bound-statement.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { figureColumnName } from './column-name.js';
import { ExprBinder, locationOf, type ExprBinderContext } from './expr-binder.js';
import { Scope } from './scope.js';

export function bindSelect(statement: SelectStmt, context: ExprBinderContext): BoundQuery {
  if (statement.withClause !== undefined) throw notSupported('WITH queries are not supported yet');
  if (statement.op !== undefined && statement.op !== 'SETOP_NONE') throw notSupported('UNION, INTERSECT and EXCEPT are not supported yet');
  if (statement.intoClause !== undefined) throw notSupported('SELECT INTO is not supported');
  if ((statement.lockingClause ?? []).length > 0) throw notSupported('SELECT ... FOR UPDATE is not supported');
  if (statement.valuesLists !== undefined) return bindValues(statement.valuesLists, context, statement);
  if ((statement.fromClause ?? []).length > 0) throw notSupported('SELECT ... FROM is not supported yet');
  if ((statement.groupClause ?? []).length > 0 || statement.havingClause !== undefined) {
    throw notSupported('GROUP BY and HAVING are not supported yet');
  }
  const binder = new ExprBinder(context, Scope.empty);
  let plan: LogicalPlan = { kind: 'Values', columnTypes: [], rows: [[]] };
  if (statement.whereClause !== undefined) {
    plan = { kind: 'Filter', input: plan, predicate: binder.bindCondition(statement.whereClause, 'WHERE') };
  }
  const { exprs, columns } = bindTargetList(statement.targetList ?? [], binder);
  plan = { kind: 'Project', input: plan, exprs };
  plan = bindLimit(plan, statement, binder);
  return { kind: 'Query', plan, columns };
}

function bindTargetList(targets: readonly Node[], binder: ExprBinder): { exprs: BoundExpr[]; columns: OutputColumn[] } {
  const exprs: BoundExpr[] = [];
  const columns: OutputColumn[] = [];
  for (const target of targets) {
    if (!('ResTarget' in target)) throw notSupported('unexpected select-list item');
    const value = target.ResTarget.val;
    if (value !== undefined && 'ColumnRef' in value && (value.ColumnRef.fields ?? []).some((field) => 'A_Star' in field)) {
      throw new SqlError(SqlState.syntaxError, 'SELECT * with no tables specified is not valid',
        positionOf(binder, value.ColumnRef.location));
    }
    const expr = binder.bindResolvingUnknown(requireTarget(value));
    exprs.push(expr);
    columns.push({ name: target.ResTarget.name ?? figureColumnName(value), type: expr.type, tableOid: 0, columnNumber: 0 });
  }
  return { exprs, columns };
}

function positionOf(binder: ExprBinder, location: number | undefined): { position?: number } {
  const position = binder.position(location);
  return position === undefined ? {} : { position };
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
  const plan = bindLimit({ kind: 'Values', columnTypes, rows: boundRows }, statement, binder);
  return { kind: 'Query', plan, columns };
}

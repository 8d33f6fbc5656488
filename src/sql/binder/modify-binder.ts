// UPDATE and DELETE on primary-key tables: the rows to change are those a scan of the table's
// current rows passes through WHERE; UPDATE computes each new row from SET expressions over the
// old one. Log tables are append-only: both statements fail with 0A000 on them.

import type { DeleteStmt, Node, RangeVar, UpdateStmt, WithClause } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import type { TableDef } from '../../common/catalog-model.js';
import type { BoundExpr } from '../bound-expr.js';
import type { BoundDelete, BoundUpdate } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { ExprBinder, locationOf, type ExprBinderContext } from './expr-binder.js';
import { Scope } from './scope.js';
import { nestingOf } from './query-env.js';
import { statementEnv } from './select-binder.js';
import { containsSubquery } from '../optimizer/subqueries.js';
import { planWidth } from '../plan/plan-width.js';
import { Types } from '../../common/types.js';
import { bindTableRef, requireWritable } from './table-binder.js';

function appendOnly(table: TableDef, statement: string): SqlError {
  return new SqlError(SqlState.featureNotSupported, `cannot ${statement} log table "${table.name}": log tables are append-only`,
    { hint: 'UPDATE and DELETE need a table with a primary key.' });
}

function bindTarget(relation: RangeVar | undefined, context: ExprBinderContext, catalog: CatalogReader, statement: string):
  { table: TableDef; plan: LogicalPlan; binder: ExprBinder; scope: Scope } {
  const rangeVar = relation ?? {};
  const ref = bindTableRef(rangeVar, catalog, context.source.positionOfByte(rangeVar.location));
  requireWritable(ref, context.source.positionOfByte(rangeVar.location));
  const table = ref.scan.table;
  if (ref.scan.changelog) throw new SqlError(SqlState.wrongObjectType, `cannot ${statement} a changelog`);
  if (table.schema.primaryKey.length === 0) throw appendOnly(table, statement === 'update' ? 'update' : 'delete from');
  const scope = new Scope(ref.columns);
  return { table, plan: ref.scan, binder: new ExprBinder(context, scope), scope };
}

/** WHERE may hold subqueries (and read the statement's WITH queries). */
function withWhere(plan: LogicalPlan, where: Node | undefined, binder: ExprBinder, catalog: CatalogReader, withClause: WithClause | undefined): LogicalPlan {
  if (where === undefined) return plan;
  const whereBinder = binder.withNesting(nestingOf(statementEnv(binder.context, catalog, withClause)));
  return { kind: 'Filter', input: plan, predicate: whereBinder.bindCondition(where, 'WHERE') };
}

export function bindDelete(statement: DeleteStmt, context: ExprBinderContext, catalog: CatalogReader): BoundDelete {
  if ((statement.usingClause ?? []).length > 0) throw notSupported('DELETE ... USING is not supported yet');
  if ((statement.returningList ?? []).length > 0) throw notSupported('DELETE ... RETURNING is not supported yet');
  const { table, plan, binder } = bindTarget(statement.relation, context, catalog, 'delete');
  return { kind: 'Delete', table, rows: withWhere(plan, statement.whereClause, binder, catalog, statement.withClause) };
}

export function bindUpdate(statement: UpdateStmt, context: ExprBinderContext, catalog: CatalogReader): BoundUpdate {
  if ((statement.fromClause ?? []).length > 0) throw notSupported('UPDATE ... FROM is not supported yet');
  if ((statement.returningList ?? []).length > 0) throw notSupported('UPDATE ... RETURNING is not supported yet');
  const target = bindTarget(statement.relation, context, catalog, 'update');
  const { table, plan } = target;
  // SET values may hold subqueries too (moved below into the rows' plan, see subqueryValues).
  const binder = target.binder.withNesting(nestingOf(statementEnv(context, catalog, statement.withClause)));
  const names = table.schema.columns.map((column) => column.name);
  const assignments = new Map<number, BoundExpr>();
  for (const node of statement.targetList ?? []) {
    const target = 'ResTarget' in node ? node.ResTarget : undefined;
    const name = target?.name ?? '';
    const index = names.indexOf(name);
    const position = binder.position(target?.location);
    const at = position === undefined ? {} : { position };
    if (index < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`, at);
    if (assignments.has(index)) throw new SqlError(SqlState.syntaxError, `multiple assignments to same column "${name}"`, at);
    if ((target?.indirection ?? []).length > 0) throw notSupported('assignment to a field or element is not supported');
    const value = target?.val;
    if (value === undefined) throw new SqlError(SqlState.syntaxError, 'SET needs a value', at);
    const column = table.schema.columns[index];
    const bound = 'SetToDefault' in value ? { kind: 'Literal' as const, type: column?.type ?? { name: 'text' as const }, value: null }
      : binder.coerceTo(binder.bind(value), column?.type ?? { name: 'text' }, 'assignment', locationOf(value));
    assignments.set(index, bound);
  }
  const newRow: BoundExpr[] = table.schema.columns.map((column, index) =>
    assignments.get(index) ?? { kind: 'Column', type: column.type, index, name: column.name });
  const rows = withWhere(plan, statement.whereClause, target.binder, catalog, statement.withClause);
  return { kind: 'Update', table, ...subqueryValues(rows, newRow, target.scope) };
}

/**
 * SET values with subqueries become extra columns of the rows' plan (after the scan row, which the
 * write reads as the old row), computed by a projection the optimizer gives its Apply; the new
 * row reads those columns.
 */
function subqueryValues(rows: LogicalPlan, newRow: readonly BoundExpr[], scope: Scope): { rows: LogicalPlan; newRow: BoundExpr[] } {
  const moved = newRow.filter(containsSubquery);
  if (moved.length === 0) return { rows, newRow: [...newRow] };
  const width = planWidth(rows);
  const identity = Array.from({ length: width }, (_, index): BoundExpr => {
    const column = scope.columns.find((candidate) => candidate.index === index);
    return { kind: 'Column', type: column?.type ?? Types.text, index, name: column?.name ?? `column${index + 1}` };
  });
  let next = width;
  const rewritten = newRow.map((expr): BoundExpr => (containsSubquery(expr) ? { kind: 'Column', type: expr.type, index: next++, name: 'value' } : expr));
  return { rows: { kind: 'Project', input: rows, exprs: [...identity, ...moved] }, newRow: rewritten };
}

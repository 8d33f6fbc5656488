// INSERT: target columns, the row source (VALUES or a query) coerced to the columns' types by
// assignment casts, ON CONFLICT DO NOTHING, and RETURNING. On a primary-key table INSERT is an
// upsert that changes only the named columns of an existing row (partial update).

import type { InsertStmt, Node } from 'libpg-query';
import type { DataType } from '../../common/types.js';
import type { TableDef } from '../../common/catalog-model.js';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { formatType, Types } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';
import type { BoundInsert, OutputColumn } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { figureColumnName } from './column-name.js';
import { ExprBinder, locationOf, stringValue, type ExprBinderContext } from './expr-binder.js';
import { Scope } from './scope.js';
import { bindSelect } from './select-binder.js';
import { bindTableRef, requireWritable } from './table-binder.js';

export function bindInsert(statement: InsertStmt, context: ExprBinderContext, catalog: CatalogReader): BoundInsert {
  const relation = statement.relation ?? {};
  const ref = bindTableRef(relation, catalog, context.source.positionOfByte(relation.location));
  requireWritable(ref, context.source.positionOfByte(relation.location));
  if (ref.scan.changelog) throw new SqlError(SqlState.wrongObjectType, 'cannot insert into a changelog');
  const table = ref.scan.table;
  const targetColumns = bindTargetColumns(statement, table.schema.columns.map((column) => column.name), context);
  const isPrimaryKeyTable = table.schema.primaryKey.length > 0;
  if (isPrimaryKeyTable) {
    for (const key of table.schema.primaryKey) {
      if (!targetColumns.some((index) => table.schema.columns[index]?.name === key)) {
        throw new SqlError(SqlState.notNullViolation, `null value in column "${key}" of relation "${table.name}" violates not-null constraint`,
          { detail: 'Every INSERT into a primary-key table must give the whole primary key.' });
      }
    }
  }
  const source = bindSource(withQueries(statement), targetColumns, table.schema.columns.map((column) => column.type), context, catalog);
  const onConflict = bindOnConflict(statement, table.schema.primaryKey, isPrimaryKeyTable);
  return {
    kind: 'Insert', table, partition: ref.scan.partition, targetColumns, source, onConflict,
    conflictUpdate: onConflict === 'update' ? bindConflictUpdate(statement, table, relation.alias?.aliasname ?? table.name, context) : null,
    returning: bindReturning(statement.returningList ?? [], ref.columns, context, targetColumns.length === table.schema.columns.length || !isPrimaryKeyTable),
  };
}

/** The source query, carrying the INSERT's own WITH queries (`WITH x AS (...) INSERT ... SELECT`). */
function withQueries(statement: InsertStmt): Node | undefined {
  const outer = statement.withClause;
  const node = statement.selectStmt;
  if (outer === undefined || node === undefined || !('SelectStmt' in node)) return node;
  const inner = node.SelectStmt.withClause;
  const withClause = inner === undefined ? outer : { ...inner, ctes: [...(outer.ctes ?? []), ...(inner.ctes ?? [])] };
  return { SelectStmt: { ...node.SelectStmt, withClause } };
}

function bindTargetColumns(statement: InsertStmt, names: readonly string[], context: ExprBinderContext): number[] {
  const columns = statement.cols ?? [];
  if (columns.length === 0) return names.map((_, i) => i);
  const seen = new Set<number>();
  return columns.map((node) => {
    const target = 'ResTarget' in node ? node.ResTarget : undefined;
    const name = target?.name ?? '';
    const index = names.indexOf(name);
    const position = context.source.positionOfByte(target?.location);
    const at = position === undefined ? {} : { position };
    if (index < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation does not exist`, at);
    if (seen.has(index)) throw new SqlError(SqlState.duplicateColumn, `column "${name}" specified more than once`, at);
    seen.add(index);
    return index;
  });
}

function bindSource(node: Node | undefined, targetColumns: readonly number[], types: readonly DataType[],
  context: ExprBinderContext, catalog: CatalogReader): LogicalPlan {
  if (node === undefined) throw notSupported('INSERT ... DEFAULT VALUES is not supported');
  const select = 'SelectStmt' in node ? node.SelectStmt : undefined;
  if (select === undefined) throw notSupported('unsupported INSERT source');
  const targetTypes = targetColumns.map((index) => types[index] ?? Types.text);
  const binder = new ExprBinder(context, Scope.empty);
  if (select.valuesLists !== undefined && select.sortClause === undefined && select.limitCount === undefined && select.limitOffset === undefined) {
    const rows = select.valuesLists.map((list) => {
      const items = 'List' in list ? list.List.items ?? [] : [];
      if (items.length > targetTypes.length) throw new SqlError(SqlState.syntaxError, 'INSERT has more expressions than target columns', positionAt(context, locationOf(items[targetTypes.length])));
      if (items.length < targetTypes.length) throw new SqlError(SqlState.syntaxError, 'INSERT has more target columns than expressions', positionAt(context, locationOf(items[items.length - 1])));
      return items.map((item, i) => bindValue(binder, item, targetTypes[i] ?? Types.text));
    });
    return { kind: 'Values', columnTypes: targetTypes, rows };
  }
  const query = bindSelect(select, context, catalog);
  if (query.columns.length !== targetTypes.length) {
    throw new SqlError(SqlState.syntaxError, query.columns.length > targetTypes.length
      ? 'INSERT has more expressions than target columns' : 'INSERT has more target columns than expressions');
  }
  const exprs = query.columns.map((column, i): BoundExpr => binder.coerceTo(
    { kind: 'Column', type: column.type, index: i, name: column.name }, targetTypes[i] ?? Types.text, 'assignment', undefined));
  return { kind: 'Project', input: query.plan, exprs };
}

function positionAt(context: ExprBinderContext, location: number | undefined): { position?: number } {
  const position = context.source.positionOfByte(location);
  return position === undefined ? {} : { position };
}

function bindValue(binder: ExprBinder, item: Node, type: DataType): BoundExpr {
  if ('SetToDefault' in item) return { kind: 'Literal', type, value: null };
  const bound = binder.bind(item);
  try {
    return binder.coerceTo(bound, type, 'assignment', locationOf(item));
  } catch (error) {
    if (error instanceof SqlError && error.code === SqlState.datatypeMismatch) {
      throw new SqlError(SqlState.datatypeMismatch, `column is of type ${formatType(type)} but expression is of type ${formatType(bound.type)}`,
        { ...positionOf(binder.position(locationOf(item))), hint: 'You will need to rewrite or cast the expression.' });
    }
    throw error;
  }
}

function positionOf(position: number | undefined): { position?: number } {
  return position === undefined ? {} : { position };
}

function bindOnConflict(statement: InsertStmt, primaryKey: readonly string[], isPrimaryKeyTable: boolean): BoundInsert['onConflict'] {
  if (statement.onConflictClause?.infer?.conname !== undefined) {
    throw notSupported('ON CONFLICT ON CONSTRAINT is not supported; name the primary-key columns');
  }
  const clause = statement.onConflictClause;
  if (clause === undefined) return isPrimaryKeyTable ? 'upsert' : 'append';
  if (!isPrimaryKeyTable) throw new SqlError('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  const keys = (clause.infer?.indexElems ?? []).map((node) => ('IndexElem' in node ? node.IndexElem.name ?? '' : stringValue(node) ?? ''));
  if (keys.length > 0 && (keys.length !== primaryKey.length || !keys.every((key) => primaryKey.includes(key)))) {
    throw new SqlError('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  }
  if (clause.action === 'ONCONFLICT_NOTHING') return 'nothing';
  if (keys.length === 0) {
    throw new SqlError('42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name',
      { hint: 'For example, ON CONFLICT (column_name).' });
  }
  return 'update';
}

/** SET expressions and WHERE of ON CONFLICT DO UPDATE, over [existing row..., excluded row...]. */
function bindConflictUpdate(statement: InsertStmt, table: TableDef, qualifier: string, context: ExprBinderContext):
  NonNullable<BoundInsert['conflictUpdate']> {
  const clause = statement.onConflictClause;
  const columns = table.schema.columns;
  const width = columns.length;
  const scopeColumns = [qualifier, 'excluded'].flatMap((name, side) => columns.map((column, i) => ({
    qualifier: name, name: column.name, type: column.type, index: side * width + i, hidden: false, tableOid: 0, columnNumber: 0,
  })));
  const binder = new ExprBinder(context, new Scope(scopeColumns));
  const newRow: BoundExpr[] = columns.map((column, i) => ({ kind: 'Column', type: column.type, index: i, name: column.name }));
  for (const node of clause?.targetList ?? []) {
    const target = 'ResTarget' in node ? node.ResTarget : undefined;
    const name = target?.name ?? '';
    const index = columns.findIndex((column) => column.name === name);
    const at = positionOf(binder.position(target?.location));
    if (index < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`, at);
    if (table.schema.primaryKey.includes(name)) throw notSupported(`ON CONFLICT DO UPDATE cannot change primary-key column "${name}"`);
    const value = target?.val;
    if (value === undefined) throw new SqlError(SqlState.syntaxError, 'SET needs a value', at);
    const type = columns[index]?.type ?? Types.text;
    newRow[index] = 'SetToDefault' in value ? { kind: 'Literal', type, value: null } : binder.coerceTo(binder.bind(value), type, 'assignment', locationOf(value));
  }
  const where = clause?.whereClause === undefined ? null : binder.bindCondition(clause.whereClause, 'WHERE');
  return { newRow, where };
}

function bindReturning(list: readonly Node[], scopeColumns: Scope['columns'], context: ExprBinderContext, allowed: boolean):
  BoundInsert['returning'] {
  if (list.length === 0) return null;
  if (!allowed) throw notSupported('RETURNING on a partial update of a primary-key table is not supported yet');
  const scope = new Scope(scopeColumns);
  const binder = new ExprBinder(context, scope);
  const exprs: BoundExpr[] = [];
  const columns: OutputColumn[] = [];
  for (const node of list) {
    const target = 'ResTarget' in node ? node.ResTarget : undefined;
    const value = target?.val;
    const fields = value !== undefined && 'ColumnRef' in value ? value.ColumnRef.fields ?? [] : [];
    if (fields.some((field) => 'A_Star' in field)) {
      for (const column of scope.star(null, undefined)) {
        exprs.push({ kind: 'Column', type: column.type, index: column.index, name: column.name });
        columns.push({ name: column.name, type: column.type, tableOid: column.tableOid, columnNumber: column.columnNumber });
      }
      continue;
    }
    if (value === undefined) continue;
    const expr = binder.bindResolvingUnknown(value);
    exprs.push(expr);
    columns.push({ name: target?.name ?? figureColumnName(value), type: expr.type, tableOid: 0, columnNumber: 0 });
  }
  return { exprs, columns };
}

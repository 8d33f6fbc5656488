// CREATE MATERIALIZED VIEW: binds the query, checks that it can be maintained as a delta join
// (exec/stream/view-plan.ts) and describes the primary-key table that holds its rows: the query's
// columns, keyed by the group keys or by every input's primary key. `WITH (buckets = n)` sets the
// view table's buckets. `WITH (target = 'table')` makes the view also write its columns into that
// primary-key table as partial updates (matched by name, keyed alike), so several views can each fill
// some columns of one wide table; a key the view deletes has its columns set to NULL there, and the
// row goes once none of its non-key columns holds a value.

import type { CreateTableAsStmt, DefElem } from 'libpg-query';
import { notSupported, SqlError, SqlState } from '../../common/errors.js';
import type { TableDef } from '../../common/catalog-model.js';
import type { ColumnSchema, TableSchema } from '../../common/schema.js';
import { planView } from '../../exec/stream/view-plan.js';
import type { BoundCreateMaterializedView, BoundNoOp } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import type { RawStatement } from '../parser.js';
import type { ExprBinderContext } from './expr-binder.js';
import { bindSelect } from './select-binder.js';
import { optionText, readTableOptions } from './table-options.js';

const defaultLogTtlMs = 7 * 24 * 3600 * 1000;

export function bindCreateMaterializedView(statement: CreateTableAsStmt, raw: RawStatement, context: ExprBinderContext,
  catalog: CatalogReader): BoundCreateMaterializedView | BoundNoOp {
  const into = statement.into;
  const relation = into?.rel;
  if (relation === undefined || statement.query === undefined || !('SelectStmt' in statement.query)) {
    throw new SqlError(SqlState.syntaxError, 'CREATE MATERIALIZED VIEW needs a name and a SELECT');
  }
  // IF NOT EXISTS on an existing relation skips the statement before its query is looked at.
  if (statement.if_not_exists === true && catalog.relation(relation.schemaname ?? null, relation.relname ?? '') !== undefined) {
    return { kind: 'NoOp', tag: 'CREATE MATERIALIZED VIEW' };
  }
  if (into?.skipData === true) throw notSupported('CREATE MATERIALIZED VIEW ... WITH NO DATA is not supported');
  if ((into?.colNames ?? []).length > 0) throw notSupported('column names after the view name are not supported; name the columns in the select list');
  const query = bindSelect(statement.query.SelectStmt, context, catalog);
  const plan = planView(query.plan);
  const names = new Set<string>();
  for (const column of query.columns) {
    if (names.has(column.name)) throw new SqlError(SqlState.duplicateColumn, `column "${column.name}" specified more than once`);
    names.add(column.name);
  }
  const keyNames = plan.key.map((position) => query.columns[position]!.name);
  // A group key may be NULL (all NULLs are one group, as in PostgreSQL), so a view with GROUP BY has
  // nullable key columns; the primary keys of joined rows never are.
  const grouped = plan.stream.aggregate !== null;
  const columns: ColumnSchema[] = query.columns.map((column, index) => ({
    name: column.name, type: column.type, nullable: grouped || !plan.key.includes(index), id: index + 1,
  }));
  const elements = (into?.options ?? []).map((node) => ('DefElem' in node ? node.DefElem : ({} as DefElem)));
  const targetElement = elements.find((element) => element.defname?.toLowerCase() === 'target');
  const options = readTableOptions(elements.filter((element) => element !== targetElement));
  const unsupported = Object.keys(options).filter((name) => name !== 'buckets');
  if (unsupported.length > 0) throw notSupported(`materialized view option "${unsupported[0]}" is not supported (only buckets and target)`);
  const target = targetElement === undefined ? null : checkTarget(optionText(targetElement), columns, keyNames, catalog);
  const schema: TableSchema = {
    schemaId: 1, columns, primaryKey: keyNames, partitionKey: [],
    options: { buckets: options.buckets ?? 1, bucketKey: keyNames, logTtlMs: defaultLogTtlMs, mergeEngine: 'last_row', changelogImage: 'full' },
  };
  const schemaName = relation.schemaname ?? catalog.creationSchema();
  return {
    kind: 'CreateMaterializedView', schemaName, name: relation.relname ?? '', ifNotExists: statement.if_not_exists ?? false,
    // Stored without IF NOT EXISTS: at every start the definition binds as a plain CREATE.
    schema, definition: raw.text.replace(/^(\s*CREATE\s+MATERIALIZED\s+VIEW\s+)IF\s+NOT\s+EXISTS\s+/i, '$1'), inputs: [...new Set(plan.inputs.map((input) => input.table.oid))],
    target: target?.oid ?? null, query,
  };
}

/**
 * The table a view writes its columns to: a primary-key table (not a view, not partitioned, merge
 * engine last_row) keyed by the view's key columns, with a column of the same name and type for
 * each of the view's, and every other non-key column nullable (a key the view adds first gets NULL there).
 */
function checkTarget(name: string, columns: readonly ColumnSchema[], keyNames: readonly string[], catalog: CatalogReader): TableDef {
  const dot = name.indexOf('.');
  const found = catalog.relation(dot < 0 ? null : name.slice(0, dot), dot < 0 ? name : name.slice(dot + 1));
  if (found === undefined) throw new SqlError(SqlState.undefinedTable, `relation "${name}" does not exist`);
  const table = found.table;
  const schema = table.schema;
  if (found.partition !== null || schema.partitionKey.length > 0) throw notSupported(`the target of a materialized view cannot be partitioned ("${name}")`);
  if (table.view !== undefined) throw new SqlError(SqlState.wrongObjectType, `"${name}" is a materialized view; a target must be a table`);
  if (schema.primaryKey.length === 0) throw new SqlError(SqlState.wrongObjectType, `"${name}" has no primary key; a target must be a primary-key table`);
  if (schema.options.mergeEngine !== 'last_row') throw notSupported(`the target "${name}" has merge engine ${schema.options.mergeEngine}; partial updates need last_row`);
  const sameKey = schema.primaryKey.length === keyNames.length && schema.primaryKey.every((column) => keyNames.includes(column));
  if (!sameKey) {
    throw new SqlError(SqlState.invalidTableDefinition,
      `the materialized view's key (${keyNames.join(', ')}) is not the primary key of "${name}" (${schema.primaryKey.join(', ')})`,
      { hint: 'Name the view\'s key columns as the target\'s primary key columns.' });
  }
  for (const column of columns) {
    const into = schema.columns.find((candidate) => candidate.name === column.name);
    if (into === undefined) throw new SqlError(SqlState.undefinedColumn, `column "${column.name}" of the materialized view does not exist in "${name}"`);
    if (into.type.name !== column.type.name) {
      throw new SqlError(SqlState.datatypeMismatch, `column "${column.name}" is of type ${column.type.name} in the materialized view but ${into.type.name} in "${name}"`,
        { hint: 'Cast it in the select list.' });
    }
  }
  const unset = schema.columns.find((column) => !column.nullable && !schema.primaryKey.includes(column.name) && !columns.some((own) => own.name === column.name));
  if (unset !== undefined) {
    throw new SqlError(SqlState.invalidTableDefinition, `column "${unset.name}" of "${name}" is NOT NULL, but the materialized view does not write it`,
      { hint: 'A target\'s columns that other views fill must allow NULL.' });
  }
  return table;
}

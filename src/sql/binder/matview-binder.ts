// CREATE MATERIALIZED VIEW: binds the query, checks that it can be maintained as a delta join
// (exec/stream/view-plan.ts) and describes the primary-key table that holds its rows: the query's
// columns, keyed by the group keys or by every input's primary key. `WITH (buckets = n)` sets the
// view table's buckets.

import type { CreateTableAsStmt, DefElem } from 'libpg-query';
import { notSupported, SqlError, SqlState } from '../../common/errors.js';
import type { ColumnSchema, TableSchema } from '../../common/schema.js';
import { planView } from '../../exec/stream/view-plan.js';
import type { BoundCreateMaterializedView, BoundNoOp } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import type { RawStatement } from '../parser.js';
import type { ExprBinderContext } from './expr-binder.js';
import { bindSelect } from './select-binder.js';
import { readTableOptions } from './table-options.js';

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
  const columns: ColumnSchema[] = query.columns.map((column, index) => ({
    name: column.name, type: column.type, nullable: !plan.key.includes(index), id: index + 1,
  }));
  const options = readTableOptions((into?.options ?? []).map((node) => ('DefElem' in node ? node.DefElem : ({} as DefElem))));
  const unsupported = Object.keys(options).filter((name) => name !== 'buckets');
  if (unsupported.length > 0) throw notSupported(`materialized view option "${unsupported[0]}" is not supported (only buckets)`);
  const schema: TableSchema = {
    schemaId: 1, columns, primaryKey: keyNames, partitionKey: [],
    options: { buckets: options.buckets ?? 1, bucketKey: keyNames, logTtlMs: defaultLogTtlMs, mergeEngine: 'last_row', changelogImage: 'full' },
  };
  const schemaName = relation.schemaname ?? catalog.creationSchema();
  return {
    kind: 'CreateMaterializedView', schemaName, name: relation.relname ?? '', ifNotExists: statement.if_not_exists ?? false,
    // Stored without IF NOT EXISTS: at every start the definition binds as a plain CREATE.
    schema, definition: raw.text.replace(/^(\s*CREATE\s+MATERIALIZED\s+VIEW\s+)IF\s+NOT\s+EXISTS\s+/i, '$1'), inputs: [...new Set(plan.inputs.map((input) => input.table.oid))], query,
  };
}

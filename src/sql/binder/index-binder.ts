// CREATE INDEX and DROP INDEX. A secondary index is a plain ascending KV index on columns of a
// primary-key table (no expressions, partial indexes, INCLUDE, other access methods or orders).
// UNIQUE is accepted only when the columns are exactly the primary key's (uniqueness is then
// already enforced); log tables have no KV store to index and are refused with 0A000.

import type { DropStmt, IndexStmt, Node } from 'libpg-query';
import { notSupported, SqlError, SqlState } from '../../common/errors.js';
import type { BoundStatement } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import { stringValue } from './expr-binder.js';

export function bindCreateIndex(statement: IndexStmt, catalog: CatalogReader): BoundStatement {
  const relationName = statement.relation?.relname ?? '';
  const relation = catalog.relation(statement.relation?.schemaname ?? null, relationName);
  if (relation === undefined) throw new SqlError(SqlState.undefinedTable, `relation "${relationName}" does not exist`);
  const table = relation.table;
  if (relation.partition !== null) {
    throw notSupported(`cannot create an index on partition "${relationName}"`, `Create it on the partitioned table "${table.name}"; it covers every partition.`);
  }
  if (table.schema.primaryKey.length === 0) {
    throw notSupported(`cannot create an index on log table "${table.name}"`,
      'Secondary indexes are kept in the KV store of primary-key tables; log tables are append-only and have none.');
  }
  if (statement.accessMethod !== undefined && statement.accessMethod !== 'btree') {
    throw notSupported(`access method "${statement.accessMethod}" is not supported; indexes are ordered KV indexes (btree)`);
  }
  if (statement.whereClause !== undefined) throw notSupported('partial indexes (CREATE INDEX ... WHERE) are not supported');
  if ((statement.indexIncludingParams ?? []).length > 0) throw notSupported('CREATE INDEX ... INCLUDE is not supported');
  const columns = (statement.indexParams ?? []).map((param) => indexColumn(param));
  for (const name of columns) {
    if (!table.schema.columns.some((column) => column.name === name)) {
      throw new SqlError(SqlState.undefinedColumn, `column "${name}" does not exist`);
    }
  }
  if (statement.unique === true) {
    const key = table.schema.primaryKey;
    const isKey = columns.length === key.length && key.every((name) => columns.includes(name));
    if (!isKey) throw notSupported('CREATE UNIQUE INDEX is supported only on the primary-key columns', 'Uniqueness is enforced by the primary key only.');
  }
  return { kind: 'CreateIndex', tableOid: table.oid, name: statement.idxname ?? null, columns, ifNotExists: statement.if_not_exists ?? false };
}

function indexColumn(param: Node): string {
  const element = 'IndexElem' in param ? param.IndexElem : undefined;
  if (element === undefined || element.name === undefined) throw notSupported('indexes on expressions are not supported; index columns');
  if (element.ordering === 'SORTBY_DESC' || element.nulls_ordering === 'SORTBY_NULLS_FIRST') {
    throw notSupported('descending indexes and NULLS FIRST are not supported; an index is read in either direction');
  }
  if ((element.collation ?? []).length > 0 || (element.opclass ?? []).length > 0) throw notSupported('index collations and operator classes are not supported');
  return element.name;
}

function objectNames(node: Node): string[] {
  if ('List' in node) return (node.List.items ?? []).map((item) => stringValue(item) ?? '');
  const single = stringValue(node);
  return single === undefined ? [] : [single];
}

export function bindDropIndexes(statement: DropStmt, catalog: CatalogReader): BoundStatement {
  const targets: { tableOid: number; indexOid: number }[] = [];
  for (const object of statement.objects ?? []) {
    const names = objectNames(object);
    const name = names[names.length - 1] ?? '';
    const schema = names.length > 1 ? names[names.length - 2] ?? null : null;
    const found = catalog.index(schema, name);
    if (found === undefined) {
      if (statement.missing_ok === true) continue;
      throw new SqlError(SqlState.undefinedObject, `index "${name}" does not exist`);
    }
    targets.push({ tableOid: found.table.oid, indexOid: found.index.oid });
  }
  return { kind: 'DropIndexes', targets };
}

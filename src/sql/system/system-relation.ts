// System relations (pg_catalog, information_schema, sluice_catalog) as the binder sees them: a
// fixed OID below firstUserOid, a schema, and typed columns. They are virtual: the binder resolves
// them to an ordinary Scan of a TableDef, and the engine produces their rows from the catalog when
// the scan runs, so filters, joins, aggregates and sorts apply to them like to any table.

import { firstUserOid, type TableDef } from '../../common/catalog-model.js';
import type { DataType, TypeName } from '../../common/types.js';

export type SystemSchemaName = 'pg_catalog' | 'information_schema' | 'sluice_catalog';

/** Namespace OIDs of the system schemas (pg_catalog's is PostgreSQL's own). */
export const systemNamespaceOids: Readonly<Record<SystemSchemaName, number>> = {
  pg_catalog: 11, information_schema: 13_000, sluice_catalog: 13_100,
};

export interface SystemColumn {
  readonly name: string;
  readonly type: DataType;
}

export interface SystemRelation {
  readonly schema: SystemSchemaName;
  readonly name: string;
  readonly oid: number;
  /** 'r' for catalog tables, 'v' for views (as pg_class.relkind shows them). */
  readonly kind: 'r' | 'v';
  readonly columns: readonly SystemColumn[];
  /** The definition a Scan reads: no primary key, one bucket, no storage behind it. */
  readonly table: TableDef;
}

/** Whether a table definition is a system relation (its rows come from the catalog, not storage). */
export function isSystemTable(table: TableDef): boolean {
  return table.oid < firstUserOid;
}

/** `'relname name'`, `'reloptions text[]'`: a column from its name and type written as in SQL. */
function column(spec: string): SystemColumn {
  const [name = '', typeText = ''] = spec.trim().split(/\s+/);
  const array = typeText.endsWith('[]');
  const base = (array ? typeText.slice(0, -2) : typeText) as TypeName;
  const element: DataType = { name: base };
  return { name, type: array ? { name: base, element } : element };
}

export function systemRelation(schema: SystemSchemaName, name: string, oid: number, kind: 'r' | 'v',
  columnSpecs: string): SystemRelation {
  const columns = columnSpecs.split(',').filter((spec) => spec.trim() !== '').map(column);
  const table: TableDef = {
    kind: 'table', oid, databaseOid: 0, namespaceOid: systemNamespaceOids[schema], name, owner: 'sluice',
    schema: {
      schemaId: 0,
      columns: columns.map((spec, i) => ({ name: spec.name, type: spec.type, nullable: true, id: i + 1 })),
      primaryKey: [], partitionKey: [],
      options: { buckets: 1, bucketKey: [], logTtlMs: 0, mergeEngine: 'last_row', changelogImage: 'full' },
    },
    partitions: [], createdAtMs: 0, tabletIds: [],
  };
  return { schema, name, oid, kind, columns, table };
}

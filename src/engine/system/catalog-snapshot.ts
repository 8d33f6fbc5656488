// One database's catalog flattened the way pg_catalog shows it: namespaces (the system schemas and
// the database's own), relations (system relations, tables, partitions, primary-key and secondary
// indexes) and
// roles, each with an OID. Built from the live catalog and kept until the catalog version changes.
//
// Derived OIDs: Sluice stores no separate objects for a table's primary-key index and constraint,
// nor for roles; their OIDs are derived so that they are stable across statements and restarts:
// index = table OID + 2^31, constraint = table OID + 3·2^30, role = 10 for the bootstrap owner
// and a name hash in [2^30, 2^31) otherwise. Table OIDs stay far below 2^30.

import { indexesOf, type DatabaseDef, type IndexDef, type NamespaceDef, type PartitionDef, type TableDef } from '../../common/catalog-model.js';
import type { ColumnSchema } from '../../common/schema.js';
import { Types, type DataType } from '../../common/types.js';
import { systemNamespaceOids, type SystemRelation } from '../../sql/system/system-relation.js';
import { systemRelations } from '../../sql/system/system-relations.js';
import { bootstrapOwner, type Catalog } from '../catalog.js';

export const bootstrapRoleOid = 10;
export const pgToastNamespaceOid = 99;

export function primaryKeyIndexOid(tableOid: number): number {
  return tableOid + 2 ** 31;
}

export function primaryKeyConstraintOid(tableOid: number): number {
  return tableOid + 3 * 2 ** 30;
}

export function roleOidOf(name: string): number {
  if (name === bootstrapOwner) return bootstrapRoleOid;
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return 2 ** 30 + (hash % 2 ** 30);
}

export interface SnapshotNamespace {
  readonly oid: number;
  readonly name: string;
  readonly owner: string;
  readonly system: boolean;
}

export interface SnapshotColumn {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** attnum: 1.. for columns, negative for the hidden system columns. */
  readonly number: number;
}

/** pg_class.relkind: table, partitioned table, view, index, partitioned index. */
export type RelationKind = 'r' | 'p' | 'v' | 'i' | 'I';

export interface SnapshotRelation {
  readonly oid: number;
  readonly name: string;
  readonly namespace: SnapshotNamespace;
  readonly kind: RelationKind;
  readonly owner: string;
  readonly columns: readonly SnapshotColumn[];
  readonly hiddenColumns: readonly SnapshotColumn[];
  /** The user table this relation is, belongs to (partition) or indexes. */
  readonly table: TableDef | null;
  readonly partition: PartitionDef | null;
  readonly system: SystemRelation | null;
  /** For an index (primary-key or secondary): the indexed table's relation. */
  readonly indexOf: SnapshotRelation | null;
  /** For a secondary index (CREATE INDEX): its definition; absent for the primary-key index. */
  readonly secondary?: IndexDef;
}

export interface CatalogSnapshot {
  readonly database: DatabaseDef;
  readonly databases: readonly DatabaseDef[];
  readonly namespaces: readonly SnapshotNamespace[];
  readonly relations: readonly SnapshotRelation[];
  readonly relationByOid: ReadonlyMap<number, SnapshotRelation>;
  /** Role names known to this server: the bootstrap owner, every object owner, the session user. */
  readonly roles: readonly string[];
}

const hiddenColumnSpecs: readonly (readonly [string, DataType])[] = [
  ['_bucket', Types.int4], ['_offset', Types.int8], ['_commit_timestamp', Types.timestamptz],
];

function tableColumns(columns: readonly ColumnSchema[]): SnapshotColumn[] {
  return columns.map((column, i) => ({ name: column.name, type: column.type, nullable: column.nullable, number: i + 1 }));
}

const hiddenColumns: readonly SnapshotColumn[] = hiddenColumnSpecs.map(([name, type], i) => ({ name, type, nullable: true, number: -(i + 1) }));

export function buildSnapshot(catalog: Catalog, database: DatabaseDef, sessionUser: string): CatalogSnapshot {
  const systemNamespaces: SnapshotNamespace[] = [
    { oid: systemNamespaceOids.pg_catalog, name: 'pg_catalog', owner: bootstrapOwner, system: true },
    { oid: pgToastNamespaceOid, name: 'pg_toast', owner: bootstrapOwner, system: true },
    { oid: systemNamespaceOids.information_schema, name: 'information_schema', owner: bootstrapOwner, system: true },
    { oid: systemNamespaceOids.sluice_catalog, name: 'sluice_catalog', owner: bootstrapOwner, system: true },
  ];
  const userNamespaces = catalog.namespaces(database.oid).map((namespace: NamespaceDef): SnapshotNamespace => ({
    oid: namespace.oid, name: namespace.name, owner: namespace.owner, system: false,
  }));
  const namespaces = [...systemNamespaces, ...userNamespaces];
  const namespaceByOid = new Map(namespaces.map((namespace) => [namespace.oid, namespace]));
  const relations: SnapshotRelation[] = [];
  for (const system of systemRelations) {
    const namespace = namespaceByOid.get(system.table.namespaceOid);
    if (namespace === undefined) continue;
    relations.push({
      oid: system.oid, name: system.name, namespace, kind: system.kind, owner: bootstrapOwner,
      columns: system.columns.map((column, i) => ({ name: column.name, type: column.type, nullable: true, number: i + 1 })),
      hiddenColumns: [], table: null, partition: null, system, indexOf: null,
    });
  }
  for (const table of catalog.tables(database.oid)) {
    const namespace = namespaceByOid.get(table.namespaceOid);
    if (namespace === undefined) continue;
    relations.push(...tableRelations(table, namespace));
  }
  const owners = new Set<string>([bootstrapOwner, ...catalog.databases().map((db) => db.owner),
    ...namespaces.map((namespace) => namespace.owner), ...relations.map((relation) => relation.owner), sessionUser]);
  return {
    database, databases: catalog.databases(), namespaces, relations,
    relationByOid: new Map(relations.map((relation) => [relation.oid, relation])),
    roles: [...owners].sort((a, b) => roleOidOf(a) - roleOidOf(b)),
  };
}

/** A table, its partitions, its primary-key index and its secondary indexes as relations. */
function tableRelations(table: TableDef, namespace: SnapshotNamespace): SnapshotRelation[] {
  const partitioned = table.schema.partitionKey.length > 0;
  const columns = tableColumns(table.schema.columns);
  const base = { namespace, owner: table.owner, columns, hiddenColumns, table, system: null, indexOf: null };
  const relation: SnapshotRelation = { ...base, oid: table.oid, name: table.name, kind: partitioned ? 'p' : 'r', partition: null };
  const result: SnapshotRelation[] = [relation];
  for (const partition of table.partitions) {
    result.push({ ...base, oid: partition.id, name: partition.name, kind: 'r', partition });
  }
  if (table.schema.primaryKey.length > 0) {
    const keyColumns = table.schema.primaryKey.map((name, i) => {
      const column = columns.find((candidate) => candidate.name === name);
      return { name, type: column?.type ?? Types.text, nullable: false, number: i + 1 };
    });
    result.push({
      oid: primaryKeyIndexOid(table.oid), name: primaryKeyIndexName(table), namespace, kind: partitioned ? 'I' : 'i',
      owner: table.owner, columns: keyColumns, hiddenColumns: [], table, partition: null, system: null, indexOf: relation,
    });
  }
  for (const index of indexesOf(table)) {
    const indexColumns = index.columns.map((name, i) => {
      const column = columns.find((candidate) => candidate.name === name);
      return { name, type: column?.type ?? Types.text, nullable: column?.nullable ?? true, number: i + 1 };
    });
    result.push({
      oid: index.oid, name: index.name, namespace, kind: partitioned ? 'I' : 'i', owner: table.owner, columns: indexColumns,
      hiddenColumns: [], table, partition: null, system: null, indexOf: relation, secondary: index,
    });
  }
  return result;
}

export function primaryKeyIndexName(table: TableDef): string {
  return `${table.name}_pkey`;
}

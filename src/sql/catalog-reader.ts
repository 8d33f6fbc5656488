// What the binder may ask of the catalog: name resolution within the session's database and
// search path. The engine implements it over its in-memory catalog.

import type { IndexDef, NamespaceDef, PartitionDef, TableDef } from '../common/catalog-model.js';

export interface RelationRef {
  readonly table: TableDef;
  /** Set when the name refers to one partition of a partitioned table. */
  readonly partition: PartitionDef | null;
}

export interface CatalogReader {
  /** Schema names searched for unqualified names, in order (existing schemas only). */
  searchPath(): readonly string[];
  /** The schema new objects go into when unqualified; throws 3F000 when there is none. */
  creationSchema(): string;
  namespace(name: string): NamespaceDef | undefined;
  /** A table or partition by (optional schema and) name. */
  relation(schema: string | null, name: string): RelationRef | undefined;
  tableByOid(oid: number): TableDef | undefined;
  /** Materialized views that read any of these tables. */
  viewsReading?(tableOids: readonly number[]): readonly TableDef[];
  relationByOid?(oid: number): TableDef | undefined;
  /** A secondary index by (optional schema and) name, with its table. */
  index(schema: string | null, name: string): { readonly table: TableDef; readonly index: IndexDef } | undefined;
}

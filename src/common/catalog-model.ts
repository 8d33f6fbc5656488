// The catalog's objects as they are stored and as every layer reads them: databases, schemas
// (namespaces), tables with their partitions and secondary indexes. Each object has an OID, unique server-wide and never
// reused, so that pg_catalog views and RowDescription can refer to it.

import type { TableSchema } from './schema.js';

export interface DatabaseDef {
  readonly kind: 'database';
  readonly oid: number;
  readonly name: string;
  readonly owner: string;
}

export interface NamespaceDef {
  readonly kind: 'namespace';
  readonly oid: number;
  readonly databaseOid: number;
  readonly name: string;
  readonly owner: string;
}

/** One LIST partition of a partitioned table. Its name is a relation name in the table's schema. */
export interface PartitionDef {
  readonly id: number;
  readonly name: string;
  /** The partition values, one per partition-key column, in text form. */
  readonly values: readonly string[];
  readonly createdAtMs: number;
  /** One tablet per bucket; ids are allocated from the OID counter and never reused. */
  readonly tabletIds: readonly number[];
}

/**
 * A secondary index of a primary-key table (CREATE INDEX): per bucket, a RocksDB key range of
 * (indexed columns, primary key) entries kept in the same write batches as the rows. Its name is
 * a relation name in the table's schema; its OID also names its KV key ranges.
 */
export interface IndexDef {
  readonly oid: number;
  readonly name: string;
  /** Indexed column names, in key order. */
  readonly columns: readonly string[];
  readonly createdAtMs: number;
}

export interface TableDef {
  readonly kind: 'table';
  readonly oid: number;
  readonly databaseOid: number;
  readonly namespaceOid: number;
  readonly name: string;
  readonly owner: string;
  readonly schema: TableSchema;
  readonly partitions: readonly PartitionDef[];
  readonly createdAtMs: number;
  /** Tablets of an unpartitioned table, one per bucket (empty for a partitioned table). */
  readonly tabletIds: readonly number[];
  /** Secondary indexes (absent in catalogs written before indexes existed). */
  readonly indexes?: readonly IndexDef[];
  /** Set for a materialized view: the table holds its rows, maintained from its inputs. */
  readonly view?: ViewDef;
}

/** What a materialized view is: its defining statement, bound again when the server starts. */
export interface ViewDef {
  /** The `CREATE MATERIALIZED VIEW ...` statement text. */
  readonly definition: string;
  /** The search path it was created under (names in the query resolve the same way). */
  readonly searchPath: readonly string[];
  /** OIDs of the tables it reads. */
  readonly inputs: readonly number[];
  /** OID of the primary-key table it also writes its columns to, as partial updates (`WITH (target = ...)`). */
  readonly target?: number;
}

/** A table's secondary indexes. */
export function indexesOf(table: TableDef): readonly IndexDef[] {
  return table.indexes ?? [];
}

export type CatalogObject = DatabaseDef | NamespaceDef | TableDef;

/** OIDs below this are PostgreSQL's built-in objects (pg_catalog); user objects start here. */
export const firstUserOid = 16384;

// FROM-clause tables: resolves a table, partition or `t$changelog` name and describes the row its
// scan produces, with the names each column can be referred to by.
//
// Scan row layout. Table: [columns..., _bucket, _offset, _commit_timestamp] (hidden ones last;
// _offset is NULL for primary-key tables, whose current rows have no single log offset).
// Changelog: [_change_type, _log_offset, _commit_timestamp, columns..., _bucket].
// System relations (pg_catalog, information_schema, sluice_catalog) resolve here too, pg_catalog
// first for unqualified names; they are read-only.

import type { RangeVar } from 'libpg-query';
import type { TableDef } from '../../common/catalog-model.js';
import { SqlError, SqlState } from '../../common/errors.js';
import { Types, type DataType } from '../../common/types.js';
import type { CatalogReader } from '../catalog-reader.js';
import type { LogicalScan } from '../plan/logical-scan.js';
import type { ScopeColumn } from './scope.js';
import { isSystemTable } from '../system/system-relation.js';
import { findSystemRelation } from '../system/system-relations.js';

export const changelogSuffix = '$changelog';

export interface BoundTableRef {
  readonly scan: LogicalScan;
  readonly columns: ScopeColumn[];
}

interface ColumnSpec { readonly name: string; readonly type: DataType; readonly hidden: boolean; readonly columnNumber: number }

export function scanColumnSpecs(table: TableDef, changelog: boolean): ColumnSpec[] {
  const visible = table.schema.columns.map((column, i) => ({ name: column.name, type: column.type, hidden: false, columnNumber: i + 1 }));
  if (changelog) {
    return [
      { name: '_change_type', type: Types.text, hidden: false, columnNumber: 0 },
      { name: '_log_offset', type: Types.int8, hidden: false, columnNumber: 0 },
      { name: '_commit_timestamp', type: Types.timestamptz, hidden: false, columnNumber: 0 },
      ...visible.map((column) => ({ ...column, columnNumber: 0 })),
      { name: '_bucket', type: Types.int4, hidden: true, columnNumber: 0 },
    ];
  }
  return [
    ...visible,
    { name: '_bucket', type: Types.int4, hidden: true, columnNumber: 0 },
    { name: '_offset', type: Types.int8, hidden: true, columnNumber: 0 },
    { name: '_commit_timestamp', type: Types.timestamptz, hidden: true, columnNumber: 0 },
  ];
}

export function bindTableRef(rangeVar: RangeVar, catalog: CatalogReader, position: number | undefined): BoundTableRef {
  const requested = rangeVar.relname ?? '';
  const changelog = requested.endsWith(changelogSuffix) && requested.length > changelogSuffix.length;
  const name = changelog ? requested.slice(0, -changelogSuffix.length) : requested;
  const system = changelog ? undefined : findSystemRelation(rangeVar.schemaname ?? null, name);
  const relation = system !== undefined ? { table: system.table, partition: null } : catalog.relation(rangeVar.schemaname ?? null, name);
  if (relation === undefined) {
    throw new SqlError(SqlState.undefinedTable, `relation "${requested}" does not exist`, position === undefined ? {} : { position });
  }
  const qualifier = rangeVar.alias?.aliasname ?? requested;
  const table = relation.table;
  const columns = scanColumnSpecs(table, changelog).map((spec, index): ScopeColumn => ({
    qualifier, name: spec.name, type: spec.type, index, hidden: spec.hidden,
    tableOid: changelog ? 0 : table.oid, columnNumber: spec.columnNumber,
  }));
  return { scan: { kind: 'Scan', table, partition: relation.partition, changelog }, columns };
}

/** 42501 for a write to a system relation, whose rows are derived from the catalog. */
export function requireWritable(ref: BoundTableRef, position: number | undefined): void {
  if (!isSystemTable(ref.scan.table)) return;
  throw new SqlError(SqlState.insufficientPrivilege, `permission denied for table ${ref.scan.table.name}`, position === undefined ? {} : { position });
}

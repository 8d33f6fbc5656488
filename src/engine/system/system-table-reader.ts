// A session's TableReader: scans of system relations are answered from the catalog (rows built
// when the scan starts, so one statement sees one snapshot); every other scan goes to storage.

import { internalError } from '../../common/errors.js';
import type { Value } from '../../common/types.js';
import type { ResolvedScanAccess, Row, RowBatch, TableReader } from '../../exec/batch/operator.js';
import type { LogicalLookup } from '../../sql/plan/logical-lookup.js';
import type { LogicalScan } from '../../sql/plan/logical-scan.js';
import type { LogicalStoredCount } from '../../sql/plan/logical-stored-count.js';
import { isSystemTable, type SystemRelation } from '../../sql/system/system-relation.js';
import { systemRelationByOid } from '../../sql/system/system-relations.js';
import { informationSchemaProducers } from './information-schema-rows.js';
import { pgCatalogProducers } from './pg-catalog-rows.js';
import { sluiceCatalogProducers } from './sluice-catalog-rows.js';
import { toScanRows, type SystemRowProducer, type SystemRowsContext } from './system-rows.js';

const producers: Readonly<Record<string, Readonly<Record<string, SystemRowProducer>>>> = {
  pg_catalog: pgCatalogProducers, information_schema: informationSchemaProducers, sluice_catalog: sluiceCatalogProducers,
};

export class SystemTableReader implements TableReader {
  constructor(private readonly storage: TableReader, private readonly context: () => SystemRowsContext) {}

  /** The rows of a system relation, in scan layout. */
  rowsOf(relation: SystemRelation): Value[][] {
    const producer = producers[relation.schema]?.[relation.name];
    if (producer === undefined) throw internalError(`no rows for system relation ${relation.schema}.${relation.name}`);
    return toScanRows(relation, producer(this.context()));
  }

  scan(scan: LogicalScan, signal: AbortSignal, access?: ResolvedScanAccess): AsyncGenerator<RowBatch> {
    if (!isSystemTable(scan.table)) return this.storage.scan(scan, signal, access);
    return this.systemScan(this.relationOf(scan.table.oid), scan.rowLimit);
  }

  private async *systemScan(relation: SystemRelation, rowLimit: number | undefined): AsyncGenerator<RowBatch> {
    const rows: Row[] = this.rowsOf(relation);
    yield rowLimit === undefined ? rows : rows.slice(0, rowLimit);
  }

  lookup(lookup: LogicalLookup, key: readonly Value[]): Promise<Row | undefined> {
    return this.storage.lookup(lookup, key);
  }

  storedCount(count: LogicalStoredCount): bigint {
    if (!isSystemTable(count.table)) return this.storage.storedCount(count);
    return BigInt(this.rowsOf(this.relationOf(count.table.oid)).length);
  }

  private relationOf(oid: number): SystemRelation {
    const relation = systemRelationByOid(oid);
    if (relation === undefined) throw internalError(`unknown system relation ${oid}`);
    return relation;
  }
}

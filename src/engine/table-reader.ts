// Serves table scans from storage: log tables from their log tablets, primary-key tables from
// their changelog replayed... (KV tablets once opened), and `t$changelog` from the log. Each scan
// reads every tablet only up to its visible (durable, acknowledged) end offset, and all of a
// scan's buckets are read as of one consistent point of the commit pipeline: whole commits only.

import type { TableDef } from '../common/catalog-model.js';
import type { Value } from '../common/types.js';
import type { ResolvedScanAccess, RowBatch, TableReader } from '../exec/batch/operator.js';
import type { LogicalScan } from '../sql/plan/logical-scan.js';
import type { LogicalLookup } from '../sql/plan/logical-lookup.js';
import type { LogicalStoredCount } from '../sql/plan/logical-stored-count.js';
import { WriteRouter } from './write-router.js';
import type { TableIndexes } from '../storage/table-indexes.js';
import { changeTypeNames, type BucketTablet, type TableStorage } from '../storage/table-storage.js';
import { canceledError } from './row-cursor.js';
import { limits } from '../common/limits.js';
import type { ScanOptions } from '../storage/kv/kv-tablet.js';

export class StorageTableReader implements TableReader {
  /** Per table definition (a new one after every DDL): its router and primary-key column indexes. */
  private readonly routings = new WeakMap<TableDef, { readonly router: WriteRouter; readonly keyIndexes: readonly number[] }>();

  constructor(private readonly storage: TableStorage, private readonly indexes: TableIndexes) {}

  private routing(table: TableDef): { readonly router: WriteRouter; readonly keyIndexes: readonly number[] } {
    let found = this.routings.get(table);
    if (found === undefined) {
      const columns = table.schema.columns;
      found = { router: new WriteRouter(table), keyIndexes: table.schema.primaryKey.map((name) => columns.findIndex((column) => column.name === name)) };
      this.routings.set(table, found);
    }
    return found;
  }

  scan(scan: LogicalScan, signal: AbortSignal, access?: ResolvedScanAccess): AsyncGenerator<RowBatch> {
    const all = scan.partition !== null ? this.storage.bucketsOf(scan.table, scan.partition) : this.storage.allTablets(scan.table);
    const tablets = access === undefined ? all : all.filter((tablet) =>
      (access.buckets === null || access.buckets.has(tablet.bucket))
      && (access.partitionIds === null || (tablet.partition !== null && access.partitionIds.has(tablet.partition.id))));
    if (access?.index !== undefined && !scan.changelog) {
      const { indexOid, prefix, lower, upper } = access.index;
      const range = { prefix, ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) };
      return this.indexes.scanIndex(scan.table, tablets, indexOid, range, signal, scan.rowLimit);
    }
    if (scan.table.schema.primaryKey.length > 0 && !scan.changelog) return this.storage.scanKv(scan.table, tablets, signal, kvRange(access, scan.rowLimit));
    return this.scanLog(scan, tablets, signal, access);
  }

  /**
   * A log or changelog scan up to every tablet's visible end, taken at one consistent point when
   * the scan starts. The reader's own generator is returned (no generator wrapped around it: each
   * wrapping level keeps the batch it passed on alive while the next one is built).
   */
  private scanLog(scan: LogicalScan, tablets: readonly BucketTablet[], signal: AbortSignal,
    access: ResolvedScanAccess | undefined): AsyncGenerator<RowBatch> {
    const snapshot = async (): Promise<TabletSnapshot[]> => {
      const ends = await this.storage.visibleEnds(tablets);
      return tablets.map((tablet, index) => ({ tablet, end: ends[index] ?? tablet.visibleEndOffset }));
    };
    if (scan.changelog) return readChangelog(scan.table, snapshot, signal);
    return readLog(scan.table, snapshot, signal, scan.columns, scan.rowLimit, access?.offsetFrom, access?.offsetTo);
  }

  async lookup(lookup: LogicalLookup, key: readonly Value[]): Promise<Value[] | undefined> {
    const schema = lookup.table.schema;
    const { router, keyIndexes } = this.routing(lookup.table);
    const row: Value[] = new Array<Value>(schema.columns.length).fill(null);
    for (let i = 0; i < keyIndexes.length; i++) row[keyIndexes[i] as number] = key[i] ?? null;
    let partition = lookup.partition;
    if (schema.partitionKey.length > 0) {
      const values = router.partitionValues(row).join('\u0000');
      const found = lookup.table.partitions.find((candidate) => candidate.values.join('\u0000') === values);
      if (found === undefined || (partition !== null && partition.id !== found.id)) return undefined;
      partition = found;
    }
    const bucket = router.bucketOfRow(row);
    const tablet = this.storage.bucketsOf(lookup.table, partition)[bucket];
    const found = await tablet?.kv?.get(key);
    if (found === undefined) return undefined;
    const width = schema.columns.length;
    const result: Value[] = new Array<Value>(width + 3);
    for (let i = 0; i < width; i++) result[i] = found[i] ?? null;
    result[width] = bucket;
    result[width + 1] = null;
    result[width + 2] = null;
    return result;
  }

  storedCount(count: LogicalStoredCount): bigint {
    const tablets = count.partition !== null ? this.storage.bucketsOf(count.table, count.partition) : this.storage.allTablets(count.table);
    let total = 0n;
    for (const tablet of tablets) {
      total += tablet.kv !== null ? BigInt(tablet.kv.count()) : tablet.visibleEndOffset - tablet.log.startOffset;
    }
    return total;
  }
}

/** The KV key range (and row limit) of a scan's access path. */
function kvRange(access: ResolvedScanAccess | undefined, rowLimit: number | undefined): ScanOptions {
  return {
    ...(access === undefined || access.keyPrefix.length === 0 ? {} : { prefix: access.keyPrefix }),
    ...(access?.keyLower === undefined ? {} : { from: access.keyLower }),
    ...(access?.keyUpper === undefined ? {} : { to: access.keyUpper }),
    ...(rowLimit === undefined ? {} : { limit: rowLimit }),
  };
}

interface TabletSnapshot { readonly tablet: BucketTablet; readonly end: bigint }

/**
 * A log table's rows, in batches of at most limits.rowsPerBatchMax rows (a log batch holds up to
 * tens of thousands: rows built all at once would outlive young-generation collections). With
 * `wanted` (scan positions the query reads), only those table columns are read from disk and
 * decoded, and the hidden columns are filled in only if asked for; the others stay NULL.
 */
async function* readLog(table: TableDef, snapshotOf: () => Promise<readonly TabletSnapshot[]>, signal: AbortSignal,
  wanted: readonly number[] | undefined, rowLimit: number | undefined, offsetFrom?: bigint, offsetTo?: bigint): AsyncGenerator<RowBatch> {
  const snapshot = await snapshotOf();
  const width = table.schema.columns.length;
  const columns = wanted === undefined ? table.schema.columns.map((_, i) => i) : wanted.filter((index) => index < width);
  const wantsBucket = wanted === undefined || wanted.includes(width);
  const wantsOffset = wanted === undefined || wanted.includes(width + 1);
  const wantsTimestamp = wanted === undefined || wanted.includes(width + 2);
  // Every row starts as a copy of this one (a packed array of NULLs: copying it is cheaper than
  // filling a new array), with the batch's bucket and commit timestamp already in place.
  const template: Value[] = Array.from({ length: width + 3 }, () => null);
  let remaining = rowLimit ?? Number.POSITIVE_INFINITY;
  for (const { tablet, end } of snapshot) {
    if (remaining <= 0) return;
    const to = offsetTo !== undefined && offsetTo < end ? offsetTo : end;
    const from = offsetFrom !== undefined && offsetFrom > tablet.log.startOffset ? offsetFrom : tablet.log.startOffset;
    if (from >= to) continue;
    template[width] = wantsBucket ? tablet.bucket : null;
    const options = { toOffset: to, columns, ...(Number.isFinite(remaining) ? { maxRecords: remaining } : {}) };
    for await (const batch of tablet.log.read(from, options)) {
      remaining -= batch.recordCount;
      template[width + 2] = wantsTimestamp ? BigInt(batch.commitTimestampMs) * 1000n : null;
      const sources = batch.columns as Value[][];
      for (let start = 0; start < batch.recordCount; start += limits.rowsPerBatchMax) {
        if (signal.aborted) throw canceledError();
        const stop = Math.min(batch.recordCount, start + limits.rowsPerBatchMax);
        const rows: RowBatch = new Array(stop - start);
        for (let i = start; i < stop; i++) {
          const row = template.slice();
          for (let c = 0; c < columns.length; c++) row[columns[c] as number] = (sources[c] as Value[])[i] ?? null;
          if (wantsOffset) row[width + 1] = batch.baseOffset + BigInt(i);
          rows[i - start] = row;
        }
        yield rows;
      }
    }
  }
}

async function* readChangelog(table: TableDef, snapshotOf: () => Promise<readonly TabletSnapshot[]>, signal: AbortSignal): AsyncGenerator<RowBatch> {
  const snapshot = await snapshotOf();
  const width = table.schema.columns.length;
  const hasChangeType = table.schema.primaryKey.length > 0;
  const first = hasChangeType ? 1 : 0;
  for (const { tablet, end } of snapshot) {
    for await (const batch of tablet.log.read(tablet.log.startOffset, { toOffset: end })) {
      if (signal.aborted) throw canceledError();
      const timestamp = BigInt(batch.commitTimestampMs) * 1000n;
      const rows: RowBatch = new Array(batch.recordCount);
      for (let i = 0; i < batch.recordCount; i++) {
        const code = hasChangeType ? Number((batch.columns[0] as Value[])[i]) : 0;
        const row: Value[] = [changeTypeNames[code] ?? 'insert', batch.baseOffset + BigInt(i), timestamp];
        for (let c = 0; c < width; c++) row.push((batch.columns[c + first] as Value[])[i] ?? null);
        row.push(tablet.bucket);
        rows[i] = row;
      }
      yield rows;
    }
  }
}

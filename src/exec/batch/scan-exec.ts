// Reads a table (or its changelog) through the TableReader the engine provides; the reader owns
// storage access. This operator evaluates the scan's access path (key range, partitions, buckets,
// offsets: constants and parameters) for this execution and passes it on with the batches.
import type { TableDef } from '../../common/catalog-model.js';
import { bucketOfValues } from '../../common/bucket-hash.js';
import type { Value } from '../../common/types.js';
import { formatText } from '../../common/value-text.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import type { LogicalScan } from '../../sql/plan/logical-scan.js';
import type { IndexAccess, ScanAccess, ScanBound } from '../../sql/plan/scan-access.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, ResolvedScanAccess, RowBatch } from './operator.js';

export class ScanExec implements BatchOperator {
  constructor(private readonly scan: LogicalScan) {}

  /** The reader's generator itself, not one wrapped around it (which would hold each batch longer). */
  execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const access = this.scan.access === undefined ? undefined : resolveAccess(this.scan.table, this.scan.access, context);
    if (access === null) return noRows();
    return context.tables.scan(this.scan, context.signal, access);
  }
}

async function* noRows(): AsyncGenerator<RowBatch> {}

/** The access path's values for one execution; null when it admits no row (a NULL bound, no bucket left). */
export function resolveAccess(table: TableDef, access: ScanAccess, context: ExecContext): ResolvedScanAccess | null {
  const evaluate = (expr: BoundExpr): Value => compileExpr(expr, context.functions)([], context.params);
  const keyPrefix = access.keyPrefix.map(evaluate);
  if (keyPrefix.some((value) => value === null)) return null;
  const keyBound = (bound: ScanBound | null): { key: Value[]; inclusive: boolean } | null | undefined => {
    if (bound === null) return undefined;
    const value = evaluate(bound.value);
    return value === null ? null : { key: [...keyPrefix, value], inclusive: bound.inclusive };
  };
  const keyLower = keyBound(access.keyLower);
  const keyUpper = keyBound(access.keyUpper);
  if (keyLower === null || keyUpper === null) return null;
  const offsetLower = offsetBound(access.offsetLower, evaluate, 0n);
  const offsetUpper = offsetBound(access.offsetUpper, evaluate, 1n);
  if (offsetLower === null || offsetUpper === null) return null;
  const index = access.index === undefined ? undefined : resolveIndex(access.index, evaluate);
  if (index === null) return null;
  const partitionIds = access.partitionValues === null ? null : matchingPartitions(table, access.partitionValues, evaluate);
  const buckets = allowedBuckets(table, access, evaluate);
  if (buckets?.size === 0 || partitionIds?.size === 0) return null;
  return {
    keyPrefix,
    ...(keyLower === undefined ? {} : { keyLower }),
    ...(keyUpper === undefined ? {} : { keyUpper }),
    partitionIds,
    buckets,
    ...(offsetLower === undefined ? {} : { offsetFrom: offsetLower }),
    ...(offsetUpper === undefined ? {} : { offsetTo: offsetUpper }),
    ...(index === undefined ? {} : { index }),
  };
}

/** An index scan's values for one execution; null when a NULL value or bound admits no row. */
function resolveIndex(access: IndexAccess, evaluate: (expr: BoundExpr) => Value): ResolvedScanAccess['index'] | null {
  const prefix = access.prefix.map(evaluate);
  if (prefix.some((value) => value === null)) return null;
  const bound = (scanBound: ScanBound | null): { value: Value; inclusive: boolean } | null | undefined => {
    if (scanBound === null) return undefined;
    const value = evaluate(scanBound.value);
    return value === null ? null : { value, inclusive: scanBound.inclusive };
  };
  const lower = bound(access.lower);
  const upper = bound(access.upper);
  if (lower === null || upper === null) return null;
  return { indexOid: access.indexOid, prefix, ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) };
}

/**
 * An `_offset` bound as the first offset to read (`inclusiveShift` 0n) or the offset to stop
 * before (1n); undefined when absent, null when NULL.
 */
function offsetBound(bound: ScanBound | null, evaluate: (expr: BoundExpr) => Value, inclusiveShift: bigint): bigint | null | undefined {
  if (bound === null) return undefined;
  const value = evaluate(bound.value);
  if (value === null) return null;
  const offset = BigInt(value as bigint);
  return bound.inclusive ? offset + inclusiveShift : offset + 1n - inclusiveShift;
}

function matchingPartitions(table: TableDef, lists: readonly (readonly BoundExpr[] | null)[], evaluate: (expr: BoundExpr) => Value): Set<number> {
  const columns = table.schema.partitionKey.map((name) => table.schema.columns.find((column) => column.name === name));
  const allowed = lists.map((list, i) => {
    const type = columns[i]?.type;
    if (list === null || type === undefined) return null;
    return new Set(list.map(evaluate).filter((value) => value !== null).map((value) => formatText(type, value)));
  });
  const ids = new Set<number>();
  for (const partition of table.partitions) {
    if (allowed.every((texts, i) => texts === null || texts.has(partition.values[i] ?? ''))) ids.add(partition.id);
  }
  return ids;
}

/** Buckets by the bucket key's hash and by `_bucket` values, intersected; null when unrestricted. */
function allowedBuckets(table: TableDef, access: ScanAccess, evaluate: (expr: BoundExpr) => Value): Set<number> | null {
  const count = table.schema.options.buckets;
  let buckets: Set<number> | null = null;
  if (access.bucketKey !== null) {
    const values = access.bucketKey.map(evaluate);
    if (values.some((value) => value === null)) return new Set();
    const types = table.schema.options.bucketKey.map((name) => table.schema.columns.find((column) => column.name === name)?.type);
    buckets = new Set([bucketOfValues(types.filter((type) => type !== undefined), values, count)]);
  }
  if (access.buckets !== null) {
    const named = new Set(access.buckets.map(evaluate).filter((value) => value !== null).map(Number));
    buckets = buckets === null ? named : new Set([...buckets].filter((bucket) => named.has(bucket)));
  }
  return buckets;
}

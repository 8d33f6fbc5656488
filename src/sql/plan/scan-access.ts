// How a scan narrows what it reads, derived by the optimizer from the filter above it (see
// optimizer/access-path.ts). Every part holds constant expressions (literals, parameters, casts of
// them) that the scan evaluates when it runs, so one prepared plan serves every parameter value.
// Parts only ever narrow the read to a superset of the rows the filter keeps: conjuncts they do
// not make exact stay in the filter above the scan.
//
// - keyPrefix: values of the leading primary-key columns (equality): a RocksDB prefix range.
// - keyLower/keyUpper: bounds on the primary-key column after the prefix: a RocksDB range.
// - partitionValues: per partition-key column, the values it may take (= or IN): other partitions
//   are skipped.
// - bucketKey: every bucket-key column fixed by equality: only the bucket those values hash to.
// - buckets: `_bucket = n` / `_bucket IN (...)`.
// - offsetLower/offsetUpper: `_offset` bounds of a log table's read in every bucket.
import type { BoundExpr } from '../bound-expr.js';

export interface ScanBound {
  readonly value: BoundExpr;
  readonly inclusive: boolean;
}

export interface ScanAccess {
  readonly keyPrefix: readonly BoundExpr[];
  readonly keyLower: ScanBound | null;
  readonly keyUpper: ScanBound | null;
  /** Per partition-key column (in partition-key order), its allowed values or null for any; null when no column is restricted. */
  readonly partitionValues: readonly (readonly BoundExpr[] | null)[] | null;
  /** Values of the bucket-key columns in bucket-key order, or null when not all are fixed. */
  readonly bucketKey: readonly BoundExpr[] | null;
  /** The `_bucket` values allowed, or null. */
  readonly buckets: readonly BoundExpr[] | null;
  readonly offsetLower: ScanBound | null;
  readonly offsetUpper: ScanBound | null;
}

export function narrowsRead(access: ScanAccess): boolean {
  return access.keyPrefix.length > 0 || access.keyLower !== null || access.keyUpper !== null || access.partitionValues !== null
    || access.bucketKey !== null || access.buckets !== null || access.offsetLower !== null || access.offsetUpper !== null;
}

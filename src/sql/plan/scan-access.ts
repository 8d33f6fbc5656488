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
// - index: a secondary index scan (equality on leading indexed columns, bounds on the next one):
//   the index's entries in that range are read and their rows fetched by primary key.
import type { BoundExpr } from '../bound-expr.js';

export interface ScanBound {
  readonly value: BoundExpr;
  readonly inclusive: boolean;
}

/** A secondary index scan: the rows whose indexed columns are in a range. */
export interface IndexAccess {
  readonly indexOid: number;
  readonly name: string;
  /** The indexed columns (names, in key order). */
  readonly columns: readonly string[];
  /** Values of the leading indexed columns (equality). */
  readonly prefix: readonly BoundExpr[];
  /** Bounds on the indexed column after the prefix. */
  readonly lower: ScanBound | null;
  readonly upper: ScanBound | null;
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
  /** Read through a secondary index instead of the primary key's order (absent: no index). */
  readonly index?: IndexAccess;
}

export function narrowsRead(access: ScanAccess): boolean {
  return access.keyPrefix.length > 0 || access.keyLower !== null || access.keyUpper !== null || access.partitionValues !== null
    || access.bucketKey !== null || access.buckets !== null || access.offsetLower !== null || access.offsetUpper !== null
    || access.index !== undefined;
}

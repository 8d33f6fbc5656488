// Batch operators: each turns a logical plan node into a pull-based stream of row batches. An
// operator is immutable; every execution gets its own state (the async generator's frame).

import type { Value } from '../../common/types.js';
import type { FunctionContext } from '../../functions/function.js';
import type { LogicalScan } from '../../sql/plan/logical-scan.js';
import type { LogicalLookup } from '../../sql/plan/logical-lookup.js';
import type { LogicalStoredCount } from '../../sql/plan/logical-stored-count.js';

export type Row = Value[];
export type RowBatch = Row[];

/** Access to stored tables, provided by the engine. */
export interface TableReader {
  /**
   * Rows of a scan in the layout the binder described (see sql/binder/table-binder.ts), narrowed
   * to `access` (the scan's access path evaluated for this execution) when given.
   */
  scan(scan: LogicalScan, signal: AbortSignal, access?: ResolvedScanAccess): AsyncGenerator<RowBatch>;
  /** The row with this primary key (scan row layout), if any. */
  lookup(lookup: LogicalLookup, key: readonly Value[]): Promise<Row | undefined>;
  /** count(*) of the table from stored counts. */
  storedCount(count: LogicalStoredCount): bigint;
}

/** A scan's access path with its values (sql/plan/scan-access.ts): what the reader may skip. */
export interface ResolvedScanAccess {
  /** Values of the leading primary-key columns every row has. */
  readonly keyPrefix: readonly Value[];
  /** Key bounds: the prefix values and then the bound on the next key column. */
  readonly keyLower?: { readonly key: readonly Value[]; readonly inclusive: boolean };
  readonly keyUpper?: { readonly key: readonly Value[]; readonly inclusive: boolean };
  /** Only these partitions (ids), or all. */
  readonly partitionIds: ReadonlySet<number> | null;
  /** Only these buckets, or all. */
  readonly buckets: ReadonlySet<number> | null;
  /** Log reads start at this offset and stop before `offsetTo`. */
  readonly offsetFrom?: bigint;
  readonly offsetTo?: bigint;
  /** Read through this secondary index: equal to `prefix` on its leading columns, within bounds on the next. */
  readonly index?: {
    readonly indexOid: number;
    readonly prefix: readonly Value[];
    readonly lower?: { readonly value: Value; readonly inclusive: boolean };
    readonly upper?: { readonly value: Value; readonly inclusive: boolean };
  };
}

export interface ExecContext {
  readonly params: readonly Value[];
  readonly functions: FunctionContext;
  readonly signal: AbortSignal;
  readonly tables: TableReader;
  /** Inside the recursive term of WITH RECURSIVE: the previous round's rows, by work table id. */
  readonly workTables?: ReadonlyMap<number, readonly Row[]>;
}

export interface BatchOperator {
  execute(context: ExecContext): AsyncGenerator<RowBatch>;
}

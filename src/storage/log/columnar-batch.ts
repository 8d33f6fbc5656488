// The chunks that go into and come out of a log tablet. Column-major and light: one plain array of
// Values per column, in the Value representation of src/common/types.ts. Measured (bench/log-tablet.ts):
// appending a 7-column orders table straight from these arrays runs at about 2M rows/s, encoding
// included, so typed-array inputs would not pay for the complexity they add to every producer.
// Invariants: every column array holds exactly rowCount values; SQL NULL is `null`.

import type { Value } from '../../common/types.js';

export interface ColumnarBatch {
  readonly rowCount: number;
  /** One array per column of the log schema, in schema order. */
  readonly columns: readonly (readonly Value[])[];
}

/** What the caller knows about a commit: its wall-clock time and its server-wide order position. */
export interface AppendMeta {
  readonly commitTimestampMs: number;
  readonly commitSequence: bigint;
  /**
   * Batches the commit group appends to all log tablets together: recovery keeps a group above
   * the commit watermark only if it finds all of them.
   */
  readonly groupBatches?: number;
}

export interface AppendResult {
  readonly baseOffset: bigint;
  /** Offset of the batch's last record (inclusive). */
  readonly lastOffset: bigint;
}

/** Records of one stored batch (possibly a row range of it), with only the requested columns. */
export interface ReadBatch {
  /** Offset of the first record in `columns`. */
  readonly baseOffset: bigint;
  readonly recordCount: number;
  readonly commitTimestampMs: number;
  readonly commitSequence: bigint;
  /** See AppendMeta.groupBatches (0: not recorded). */
  readonly groupBatches: number;
  /** Schema the batch was written with; columns it lacks read as NULL. */
  readonly schemaId: number;
  /** One array per requested column, in the order requested, each of recordCount values. */
  readonly columns: readonly Value[][];
}

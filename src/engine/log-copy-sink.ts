// COPY FROM STDIN into an unpartitioned log table outside a transaction block: each batch of rows
// the decoder hands over is checked (NOT NULL), routed to its buckets and encoded for the log at
// once, and each bucket's encoded parts are joined into chunks of one log batch. A bulk load thus
// holds column buffers rather than millions of live rows until CopyDone (rows die young, before
// the garbage collector would copy them), when the chunks are committed as one statement, exactly
// as the rows would have been. A bucket's full chunks are also written to the log as they are
// joined, ahead of the commit, into staged files (log-stage.ts) that the commit renames into
// segments; its last chunk is appended by the commit. Nothing is visible before the commit, and a
// failure or an abort leaves nothing behind. A table without a bucket key (or of one bucket) whose columns FieldColumns reads
// from text, named in table order, takes text and csv rows as they are read (fieldRows): as their
// fields' bytes, parsed straight into each bucket's column builders, never made Values, when they
// are in the shapes the builders parse; else as Values, added in order with them. Other COPYs
// gather their rows and write them like an INSERT (session.ts).
// Invariant: each bucket holds fewer than chunkRows rows in parts not yet joined and its field
// columns together, and its field columns' rows follow its parts.

import { internalError } from '../common/errors.js';
import { limits } from '../common/limits.js';
import type { DataType, Value } from '../common/types.js';
import type { CopyInSink } from '../pgwire/session.js';
import type { BoundCopyFrom } from '../sql/bound-statement.js';
import type { TabletCommit } from '../storage/commit/commit-pipeline.js';
import type { ColumnarBatch } from '../storage/log/columnar-batch.js';
import { EncodedBatch } from '../storage/log/encoded-batch.js';
import { FieldColumns, fieldColumnsTake } from '../storage/log/field-columns.js';
import type { LogStage } from '../storage/log/log-stage.js';
import { checkNotNull, currentTable, notNullViolation, tooManyRows, widenRows, type WriteServices } from './write-executor.js';
import { WriteRouter } from './write-router.js';

/** Rows from which a bucket's parts are joined into a chunk (one log batch). */
const chunkRows = limits.commitAppendRecordsMax;


const noPartitions = new Map<string, null>();

/** Whether COPY FROM into `bound` takes this sink (in a transaction block it never does). */
export function logCopyApplies(bound: BoundCopyFrom): boolean {
  const schema = bound.table.schema;
  return schema.primaryKey.length === 0 && schema.partitionKey.length === 0 && bound.partition === null;
}

export class LogCopySink implements CopyInSink {
  private readonly router: WriteRouter;
  private readonly types: readonly DataType[];
  /** Per bucket: encoded parts not yet joined (and their rows), and the chunks joined so far. */
  private parts: EncodedBatch[][];
  private partRows: number[];
  private chunks: EncodedBatch[][];
  /** Per bucket: the stage its full chunks are written to while the COPY runs (see join). */
  private stages: LogStage[];
  /** Per bucket: whether its chunks may still go to its stage (not once one could not). */
  private readonly staging: boolean[];
  /** Per bucket: bytes of its chunks not staged. */
  private chunkBytes: number[];
  private rowCount = 0;
  /** Per bucket: the rows taken as fields since its last part (empty when fieldRows is not offered). */
  private readonly fieldColumns: FieldColumns[] = [];
  /** Columns that must not be NULL. */
  private readonly notNull: readonly number[];
  /** Rows handed over as Values through fieldRows, not yet added (they are added in batches, in order). */
  private pendingRows: Value[][] = [];
  readonly fieldRows?: { writeFields(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean; writeValues(row: Value[]): void };

  constructor(private readonly services: WriteServices, private readonly bound: BoundCopyFrom) {
    const table = bound.table;
    const buckets = table.schema.options.buckets;
    this.router = new WriteRouter(table);
    this.types = table.schema.columns.map((column) => column.type);
    this.parts = Array.from({ length: buckets }, () => []);
    this.partRows = this.parts.map(() => 0);
    this.chunks = Array.from({ length: buckets }, () => []);
    const logs = services.storage.bucketsOf(table, null).map((tablet) => tablet.log);
    if (logs.length !== buckets) throw internalError(`tablets of "${table.name}" are not open`);
    this.stages = logs.map((log) => log.stage());
    this.staging = logs.map(() => true);
    this.chunkBytes = logs.map(() => 0);
    this.notNull = table.schema.columns.flatMap((column, index) => (column.nullable ? [] : [index]));
    // Rows spread over the buckets in turn (or of one bucket), named in table order, of types read from text.
    const spread = buckets === 1 || table.schema.options.bucketKey.length === 0;
    if (spread && fieldColumnsTake(this.types) && bound.targetColumns.length === this.types.length
      && bound.targetColumns.every((column, index) => column === index)) {
      for (let bucket = 0; bucket < buckets; bucket++) this.fieldColumns.push(new FieldColumns(this.types));
      this.fieldRows = {
        writeFields: (line, starts, ends, nulls) => this.addFields(line, starts, ends, nulls),
        writeValues: (row) => {
          this.pendingRows.push(row);
          if (this.pendingRows.length >= limits.rowsPerBatchMax) this.addPendingRows();
        },
      };
    }
  }

  /** A row as its fields' bytes (see CopyInSink.fieldRows), checked for NOT NULL as rows are. */
  private addFields(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean {
    for (const column of this.notNull) if (nulls[column] !== 0) throw notNullViolation(this.bound.table, column);
    if (this.rowCount + this.pendingRows.length + 1 > limits.statementWriteRowsMax) throw tooManyRows();
    if (this.pendingRows.length > 0) this.addPendingRows();
    const buckets = this.parts.length;
    const bucket = buckets === 1 ? 0 : this.router.peekSpreadBucket();
    const columns = this.fieldColumns[bucket]!;
    if (!columns.add(line, starts, ends, nulls)) return false;
    if (buckets > 1) this.router.nextSpreadBucket();
    this.rowCount++;
    if (this.partRows[bucket]! + columns.rowCount >= chunkRows) this.join(bucket);
    return true;
  }

  private addPendingRows(): void {
    const rows = this.pendingRows;
    this.pendingRows = [];
    this.addRows(rows);
  }

  async writeRows(batch: Value[][]): Promise<void> {
    this.addRows(batch);
  }

  private addRows(batch: Value[][]): void {
    const { table, targetColumns } = this.bound;
    if (this.rowCount + batch.length > limits.statementWriteRowsMax) throw tooManyRows();
    const rows = widenRows(table, targetColumns, batch);
    checkNotNull(table, rows, targetColumns, false);
    for (const group of this.router.route(rows, noPartitions)) {
      this.takeFields(group.bucket);
      const columns = this.types.map((_, column) => group.rows.map((row) => row[column] ?? null));
      this.parts[group.bucket]!.push(EncodedBatch.encode(this.types, columns, group.rows.length));
      this.partRows[group.bucket]! += group.rows.length;
      if (this.partRows[group.bucket]! >= chunkRows) this.join(group.bucket);
    }
    this.rowCount += batch.length;
  }

  /** Moves the rows taken as fields into `bucket` since its last part into a part of their own. */
  private takeFields(bucket: number): void {
    const part = this.fieldColumns[bucket]?.take();
    if (part === undefined || part === null) return;
    this.parts[bucket]!.push(part);
    this.partRows[bucket]! += part.rowCount;
  }

  async finish(): Promise<string> {
    if (this.pendingRows.length > 0) this.addPendingRows();
    for (let bucket = 0; bucket < this.parts.length; bucket++) {
      this.takeFields(bucket);
      if (this.partRows[bucket]! > 0) this.join(bucket, true);
    }
    const count = this.rowCount;
    const stages = this.stages;
    this.stages = [];
    try {
      if (count > 0) await this.commit(stages);
    } finally {
      this.drop();
      for (const stage of stages) await stage.discard();
    }
    return `COPY ${count}`;
  }

  private async commit(stages: readonly LogStage[]): Promise<void> {
    const { catalog, storage } = this.services;
    const current = currentTable(catalog, this.bound.table);
    const tablets = storage.bucketsOf(current, null);
    const width = current.schema.columns.length;
    const parts: TabletCommit[] = [];
    for (let bucket = 0; bucket < this.chunks.length; bucket++) {
      const tablet = tablets[bucket];
      if (tablet === undefined) throw internalError(`tablet for bucket ${bucket} of "${current.name}" is not open`);
      const afterDurable = async (lastOffset: bigint): Promise<void> => { tablet.visibleEndOffset = lastOffset + 1n; };
      const stage = stages[bucket];
      let chunks = this.chunks[bucket]!;
      if (stage !== undefined && stage.rowCount > 0) {
        if (stage.owner === tablet.log) {
          await stage.settled();
          parts.push({ log: tablet.log, batch: stage, afterDurable });
        } else {
          chunks = [...stage.chunks, ...chunks];
        }
      }
      for (const chunk of chunks) parts.push({ log: tablet.log, batch: chunk.types.length === width ? chunk : widened(chunk, width), afterDurable });
    }
    this.drop();
    await storage.pipeline.commit(async () => parts);
  }

  async abort(): Promise<void> {
    this.drop();
    const stages = this.stages;
    this.stages = [];
    for (const stage of stages) await stage.discard();
  }

  /**
   * Joins the parts of `bucket` into one chunk. Once the bucket's chunks pass copyStageFromBytes, they
   * go to its stage, and so do the full chunks after them while the stage takes each (the last
   * one, `final`, is appended by the commit); the staged chunks precede the others.
   */
  private join(bucket: number, final = false): void {
    this.takeFields(bucket);
    const chunk = EncodedBatch.concat(this.parts[bucket]!);
    this.parts[bucket] = [];
    this.partRows[bucket] = 0;
    const chunks = this.chunks[bucket]!;
    chunks.push(chunk);
    this.chunkBytes[bucket]! += chunk.byteLength;
    const stage = this.stages[bucket];
    if (final || this.staging[bucket] !== true || stage === undefined || this.chunkBytes[bucket]! < limits.copyStageFromBytes) return;
    while (chunks.length > 0 && stage.accepts(chunks[0]!)) {
      const staged = chunks.shift()!;
      stage.add(staged);
      this.chunkBytes[bucket]! -= staged.byteLength;
    }
    if (chunks.length > 0) this.staging[bucket] = false;
  }

  private drop(): void {
    this.parts = this.parts.map(() => []);
    this.partRows = this.parts.map(() => 0);
    this.chunks = this.chunks.map(() => []);
    this.chunkBytes = this.chunks.map(() => 0);
    this.pendingRows = [];
    for (const columns of this.fieldColumns) columns.take();
  }
}

/**
 * A chunk encoded before the table's columns changed (ADD COLUMN during the COPY): its values
 * under the current width, later columns NULL, as rows gathered for an INSERT would be written.
 */
function widened(chunk: EncodedBatch, width: number): ColumnarBatch {
  const columns: Value[][] = [];
  for (let column = 0; column < width; column++) {
    columns.push(column < chunk.columns.length ? [...chunk.columns[column]!] : new Array<Value>(chunk.rowCount).fill(null));
  }
  return { rowCount: chunk.rowCount, columns };
}

// What a bulk COPY FROM builds from its rows before it commits, apart from the commit itself, so
// it runs on the connection's thread or on a COPY worker thread (copy-worker.ts) alike: for a log
// table each bucket's log batches (LogCopyBuild), for a primary-key table each bucket's KV load
// (PkCopyBuild). Rows come as Values (writeRows) or, in the shapes the builders parse, as the bytes
// of their text fields (fieldRows: never made Values). A build on a worker is described by a spec
// (plain data) and hands its products over as messages whose buffers move, not copy (outputs);
// the sink on the connection's thread takes them back (LogCopyOutputs, PkCopyOutputs).
// Invariants: a log bucket holds fewer than chunkRows rows in parts not yet joined and its field
// columns together, and its field columns' rows follow its parts; rows keep their input order.

import type { TableDef } from '../common/catalog-model.js';
import { limits } from '../common/limits.js';
import type { DataType, Value } from '../common/types.js';
import { columnBodyCrc } from '../storage/log/batch-frame.js';
import type { EncodedColumn } from '../storage/log/column-codec.js';
import { EncodedBatch } from '../storage/log/encoded-batch.js';
import { FieldColumns, fieldColumnsTake } from '../storage/log/field-columns.js';
import { KvLoad, type LoadChunk, type LoadSummary } from '../storage/kv/kv-load.js';
import { TabletCodec, type KvColumn } from '../storage/kv/tablet-codec.js';
import { checkNotNull, notNullViolation, tooManyRows, widenRows } from './write-executor.js';
import { WriteRouter } from './write-router.js';

/** Rows from which a log bucket's parts are joined into a chunk (one log batch). */
const chunkRows = limits.commitAppendRecordsMax;

const noPartitions = new Map<string, null>();

/** Takes rows as the bytes of their text fields (see CopyInSink.fieldRows). */
export interface FieldRows {
  writeFields(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean;
  writeValues(row: Value[]): void;
}

/** A build on a COPY worker: how to open it there. */
export type CopyBuildSpec =
  | { readonly kind: 'log'; readonly table: TableDef; readonly targetColumns: readonly number[] }
  | { readonly kind: 'pk'; readonly table: TableDef; readonly targetColumns: readonly number[]; readonly codecs: readonly CodecSpec[] };

/** A tablet codec as plain data. */
export interface CodecSpec {
  readonly prefix: Uint8Array;
  readonly columns: readonly KvColumn[];
  readonly primaryKey: readonly number[];
}

/** A product of a build on a worker, and the buffers it moves to the receiving thread. */
export interface CopyOutput {
  readonly message: CopyBuildMessage;
  readonly transfer: ArrayBuffer[];
}

export type CopyBuildMessage =
  | { readonly kind: 'logChunk'; readonly bucket: number; readonly rowCount: number; readonly columns: readonly EncodedColumn[] }
  | { readonly kind: 'pkChunk'; readonly bucket: number; readonly chunk: PkChunkMessage }
  | { readonly kind: 'pkLoads'; readonly loads: readonly { readonly rowCount: number; readonly ascending: boolean }[] };

interface PkChunkMessage {
  readonly rowCount: number;
  readonly keys: Uint8Array;
  readonly keyEnds: Int32Array;
  readonly rows: Uint8Array;
  readonly rowEnds: Int32Array;
  readonly logColumns: readonly EncodedColumn[];
}

/** What a worker runs: rows in, outputs out. */
export interface CopyBuild {
  readonly fieldRows: FieldRows | undefined;
  readonly rowCount: number;
  writeRows(rows: Value[][]): void;
  /** The products ready so far. */
  drain(): CopyOutput[];
  /** The rest, after the last row. */
  finish(): CopyOutput[];
}

// ---------------------------------------------------------------------------------------------
// Log tables

/** Whether a COPY into a log table of `types`, naming `targetColumns`, takes rows as fields. */
function logTakesFields(table: TableDef, types: readonly DataType[], targetColumns: readonly number[]): boolean {
  const options = table.schema.options;
  const spread = options.buckets === 1 || options.bucketKey.length === 0;
  return spread && fieldColumnsTake(types) && targetColumns.length === types.length && targetColumns.every((column, index) => column === index);
}

/** Whether the sink of a COPY into `table` may build on a worker (its rows are taken as fields). */
export function logBuildsOffThread(table: TableDef, targetColumns: readonly number[]): boolean {
  return logTakesFields(table, table.schema.columns.map((column) => column.type), targetColumns);
}

export class LogCopyBuild {
  private readonly router: WriteRouter;
  readonly types: readonly DataType[];
  /** Per bucket: encoded parts not yet joined, and their rows. */
  private parts: EncodedBatch[][];
  private partRows: number[];
  rowCount = 0;
  /** Per bucket: the rows taken as fields since its last part (empty when fieldRows is not offered). */
  private readonly fieldColumns: FieldColumns[] = [];
  /** Columns that must not be NULL. */
  private readonly notNull: readonly number[];
  /** Rows handed over as Values through fieldRows, not yet added (they are added in batches, in order). */
  private pendingRows: Value[][] = [];
  readonly fieldRows: FieldRows | undefined;

  /** `chunk` takes each bucket's chunks (log batches) as they are joined, in order. */
  constructor(
    private readonly table: TableDef,
    private readonly targetColumns: readonly number[],
    private readonly chunk: (bucket: number, batch: EncodedBatch) => void,
  ) {
    const buckets = table.schema.options.buckets;
    this.router = new WriteRouter(table);
    this.types = table.schema.columns.map((column) => column.type);
    this.parts = Array.from({ length: buckets }, () => []);
    this.partRows = this.parts.map(() => 0);
    this.notNull = table.schema.columns.flatMap((column, index) => (column.nullable ? [] : [index]));
    if (logTakesFields(table, this.types, targetColumns)) {
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
    for (const column of this.notNull) if (nulls[column] !== 0) throw notNullViolation(this.table, column);
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
    this.writeRows(rows);
  }

  writeRows(batch: Value[][]): void {
    if (this.rowCount + batch.length > limits.statementWriteRowsMax) throw tooManyRows();
    const rows = widenRows(this.table, this.targetColumns, batch);
    checkNotNull(this.table, rows, this.targetColumns, false);
    for (const group of this.router.route(rows, noPartitions)) {
      this.takeFields(group.bucket);
      const columns = this.types.map((_, column) => group.rows.map((row) => row[column] ?? null));
      this.parts[group.bucket]!.push(EncodedBatch.encode(this.types, columns, group.rows.length));
      this.partRows[group.bucket]! += group.rows.length;
      if (this.partRows[group.bucket]! >= chunkRows) this.join(group.bucket);
    }
    this.rowCount += batch.length;
  }

  /** Joins what every bucket still holds into its last chunk. */
  finish(): void {
    if (this.pendingRows.length > 0) this.addPendingRows();
    for (let bucket = 0; bucket < this.parts.length; bucket++) {
      this.takeFields(bucket);
      if (this.partRows[bucket]! > 0) this.join(bucket);
    }
  }

  /** Forgets every row not yet handed over as a chunk. */
  drop(): void {
    this.parts = this.parts.map(() => []);
    this.partRows = this.parts.map(() => 0);
    this.pendingRows = [];
    for (const columns of this.fieldColumns) columns.take();
  }

  /** Moves the rows taken as fields into `bucket` since its last part into a part of their own. */
  private takeFields(bucket: number): void {
    const part = this.fieldColumns[bucket]?.take();
    if (part === undefined || part === null) return;
    this.parts[bucket]!.push(part);
    this.partRows[bucket]! += part.rowCount;
  }

  /** Joins the parts of `bucket` into one chunk. */
  private join(bucket: number): void {
    this.takeFields(bucket);
    const chunk = EncodedBatch.concat(this.parts[bucket]!);
    this.parts[bucket] = [];
    this.partRows[bucket] = 0;
    this.chunk(bucket, chunk);
  }
}

/** A LogCopyBuild on a worker. */
class LogWorkerBuild implements CopyBuild {
  private readonly build: LogCopyBuild;
  private outputs: CopyOutput[] = [];

  constructor(table: TableDef, targetColumns: readonly number[]) {
    this.build = new LogCopyBuild(table, targetColumns, (bucket, batch) => {
      const transfer = new Transfers();
      const columns = batch.encoded.map((column) => transfer.column(column));
      this.outputs.push({ message: { kind: 'logChunk', bucket, rowCount: batch.rowCount, columns }, transfer: transfer.buffers });
    });
  }

  get fieldRows(): FieldRows | undefined {
    return this.build.fieldRows;
  }

  get rowCount(): number {
    return this.build.rowCount;
  }

  writeRows(rows: Value[][]): void {
    this.build.writeRows(rows);
  }

  drain(): CopyOutput[] {
    const outputs = this.outputs;
    this.outputs = [];
    return outputs;
  }

  finish(): CopyOutput[] {
    this.build.finish();
    return this.drain();
  }
}

/** Takes back the chunks of a LogCopyBuild on a worker: `chunk` as the build's own callback gets them. */
export function receiveLogOutput(message: CopyBuildMessage, types: readonly DataType[], chunk: (bucket: number, batch: EncodedBatch) => void): void {
  if (message.kind !== 'logChunk') throw new Error(`unexpected COPY output "${message.kind}" for a log table`);
  chunk(message.bucket, EncodedBatch.of(types, message.columns, message.rowCount));
}

// ---------------------------------------------------------------------------------------------
// Primary-key tables

/** Whether a COPY into a primary-key table with `loads` (one per bucket), naming `targetColumns`, takes rows as fields. */
export function pkTakesFields(loads: readonly KvLoad[], targetColumns: readonly number[]): boolean {
  const load = loads[0];
  return loads.length === 1 && load !== undefined && load.takesFields && targetColumns.every((column, index) => column === index);
}

export class PkCopyBuild {
  private readonly router: WriteRouter;
  rowCount = 0;
  /** Columns that must not be NULL. */
  private readonly notNull: readonly number[];
  /** Rows handed over as Values through fieldRows, not yet added (they are added in batches, in order). */
  private pendingRows: Value[][] = [];
  readonly fieldRows: FieldRows | undefined;

  /** `loads`: one per bucket, started on the buckets' KV tablets (or on their codecs). */
  constructor(private readonly table: TableDef, private readonly targetColumns: readonly number[], readonly loads: readonly KvLoad[]) {
    this.router = new WriteRouter(table);
    this.notNull = table.schema.columns.flatMap((column, index) => (column.nullable ? [] : [index]));
    const load = loads[0];
    if (load !== undefined && pkTakesFields(loads, targetColumns)) {
      this.fieldRows = {
        writeFields: (line, starts, ends, nulls) => this.addFields(load, line, starts, ends, nulls),
        writeValues: (row) => {
          this.pendingRows.push(row);
          if (this.pendingRows.length >= limits.rowsPerBatchMax) this.addPendingRows();
        },
      };
    }
  }

  /** A row as its fields' bytes (see CopyInSink.fieldRows), checked for NOT NULL as rows are. */
  private addFields(load: KvLoad, line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean {
    for (const column of this.notNull) if (nulls[column] !== 0) throw notNullViolation(this.table, column);
    if (this.rowCount + this.pendingRows.length + 1 > limits.statementWriteRowsMax) throw tooManyRows();
    if (this.pendingRows.length > 0) this.addPendingRows();
    if (!load.addFields(line, starts, ends, nulls)) return false;
    this.rowCount++;
    return true;
  }

  private addPendingRows(): void {
    const rows = this.pendingRows;
    this.pendingRows = [];
    this.writeRows(rows);
  }

  writeRows(batch: Value[][]): void {
    if (this.rowCount + batch.length > limits.statementWriteRowsMax) throw tooManyRows();
    const rows = widenRows(this.table, this.targetColumns, batch);
    checkNotNull(this.table, rows, this.targetColumns, true);
    const loads = this.loads;
    if (loads.length === 1) loads[0]!.add(rows);
    else for (const group of this.router.route(rows, noPartitions)) loads[group.bucket]!.add(group.rows);
    this.rowCount += batch.length;
  }

  /** Adds the rows still pending: every row written is then in its load. */
  flush(): void {
    if (this.pendingRows.length > 0) this.addPendingRows();
  }
}

/** A PkCopyBuild on a worker, on loads of codecs like its tablets'. */
class PkWorkerBuild implements CopyBuild {
  private readonly build: PkCopyBuild;

  constructor(table: TableDef, targetColumns: readonly number[], codecs: readonly CodecSpec[]) {
    const loads = codecs.map((codec) => new KvLoad(new TabletCodec(Buffer.from(codec.prefix), codec.columns, codec.primaryKey)));
    this.build = new PkCopyBuild(table, targetColumns, loads);
  }

  get fieldRows(): FieldRows | undefined {
    return this.build.fieldRows;
  }

  get rowCount(): number {
    return this.build.rowCount;
  }

  writeRows(rows: Value[][]): void {
    this.build.writeRows(rows);
  }

  drain(): CopyOutput[] {
    return this.build.loads.flatMap((load, bucket) => load.takeSealed().map((chunk) => pkChunkOutput(bucket, chunk)));
  }

  finish(): CopyOutput[] {
    this.build.flush();
    const loads = this.build.loads;
    const outputs = loads.flatMap((load, bucket) => load.finish().map((chunk) => pkChunkOutput(bucket, chunk)));
    outputs.push({ message: { kind: 'pkLoads', loads: loads.map((load) => ({ rowCount: load.rowCount, ascending: load.ascending })) }, transfer: [] });
    return outputs;
  }
}

function pkChunkOutput(bucket: number, chunk: LoadChunk): CopyOutput {
  const transfer = new Transfers();
  const message: PkChunkMessage = {
    rowCount: chunk.rowCount,
    keys: transfer.bytes(chunk.keys),
    keyEnds: transfer.int32s(chunk.keyEnds),
    rows: transfer.bytes(chunk.rows),
    rowEnds: transfer.int32s(chunk.rowEnds),
    logColumns: chunk.log.encoded.map((column) => transfer.column(column)),
  };
  return { message: { kind: 'pkChunk', bucket, chunk: message }, transfer: transfer.buffers };
}

/** The chunks and summaries of PkCopyBuild's loads on a worker, taken back one output at a time. */
export class PkCopyOutputs {
  readonly chunks: LoadChunk[][];
  summaries: readonly LoadSummary[] | null = null;

  constructor(private readonly logTypes: readonly DataType[], private readonly codecs: readonly TabletCodec[]) {
    this.chunks = codecs.map(() => []);
  }

  receive(message: CopyBuildMessage): void {
    switch (message.kind) {
      case 'pkChunk': {
        const { chunk } = message;
        this.chunks[message.bucket]!.push({
          rowCount: chunk.rowCount,
          keys: asBuffer(chunk.keys),
          keyEnds: chunk.keyEnds,
          rows: asBuffer(chunk.rows),
          rowEnds: chunk.rowEnds,
          log: EncodedBatch.of(this.logTypes, chunk.logColumns, chunk.rowCount),
        });
        return;
      }
      case 'pkLoads':
        this.summaries = message.loads.map((load, bucket) => ({ ...load, codec: this.codecs[bucket]! }));
        return;
      default: throw new Error(`unexpected COPY output "${message.kind}" for a primary-key table`);
    }
  }
}

/** The spec of a tablet codec. */
export function codecSpec(codec: TabletCodec): CodecSpec {
  return { prefix: codec.prefix, columns: codec.columns, primaryKey: codec.primaryKey };
}

// ---------------------------------------------------------------------------------------------

/** Opens a build on a worker. */
export function openCopyBuild(spec: CopyBuildSpec): CopyBuild {
  switch (spec.kind) {
    case 'log': return new LogWorkerBuild(spec.table, spec.targetColumns);
    case 'pk': return new PkWorkerBuild(spec.table, spec.targetColumns, spec.codecs);
  }
}

/**
 * The buffers of an output, each moved whole: a view over part of a buffer (or over a buffer
 * others may share) is copied into one of its own first. Empty views are sent as they are.
 */
class Transfers {
  readonly buffers: ArrayBuffer[] = [];
  private readonly moved = new Set<ArrayBufferLike>();

  bytes(view: Uint8Array): Uint8Array {
    return this.own(view, (copy) => new Uint8Array(copy));
  }

  int32s(view: Int32Array): Int32Array {
    return this.own(view, (copy) => new Int32Array(copy));
  }

  /** The column with its body's CRC: the thread that commits it need not read its bytes again. */
  column(column: EncodedColumn): EncodedColumn {
    return { nullCount: column.nullCount, buffers: column.buffers.map((buffer) => this.bytes(buffer)), bodyCrc: column.bodyCrc ?? columnBodyCrc(column) };
  }

  private own<T extends Uint8Array | Int32Array>(view: T, copied: (view: T) => T): T {
    if (view.byteLength === 0) return view;
    const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer
      && !this.moved.has(view.buffer);
    const owned = whole ? view : copied(view);
    this.moved.add(owned.buffer);
    this.buffers.push(owned.buffer as ArrayBuffer);
    return owned;
  }
}

/** A Buffer over a received view's bytes (structured clone delivers Buffers as plain Uint8Arrays). */
function asBuffer(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

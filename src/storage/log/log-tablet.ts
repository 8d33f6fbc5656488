// The log tablet of one bucket: an append-only sequence of records with offsets from 0, stored as
// Arrow IPC record batches in segment files (see batch-frame.ts for the frame, segment.ts for the
// files). Appends are serialised and written without fsync; `sync()` makes every completed append
// durable, so the caller can group-commit across tablets. Readers fetch a range of offsets and only
// the columns they ask for: other columns are neither read from disk nor decoded.
//
// Offsets stay monotonic for the tablet's whole life: retention and TRUNCATE drop whole segments,
// raising `startOffset`, and TRUNCATE continues at the old `endOffset` (so resume tokens held by
// subscribers never point at different data).
// Invariants: segments are contiguous (each starts where the previous ends) and only the last is
// written; `endOffset` counts only completed appends, so readers never see a partial frame; every
// byte read is checked against a CRC32C, and damage is an XX001 error naming the file and position.

import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { internalError, SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import { ipcRecordBatchMetadata } from './arrow-ipc.js';
import { bodyPosition, corruptLog, frameParts, patchFrameHeader, type FrameHeader } from './batch-frame.js';
import { columnKind, decodeColumn, encodeColumn, encodedByteLength, type ColumnKind } from './column-codec.js';
import type { AppendMeta, AppendResult, ColumnarBatch, ReadBatch } from './columnar-batch.js';
import { EncodedBatch } from './encoded-batch.js';
import { crc32c } from './crc32c.js';
import { SchemaHistory, syncPath, type LogSchema } from './log-schema.js';
import { LogStage, stagedFileSuffix } from './log-stage.js';
import { Segment, segmentFileName, type FramePlacement, type ReadCounter } from './segment.js';
import type { CachedFrame, FrameCache } from './frame-cache.js';

export interface LogTabletOptions {
  /** A segment rolls once the next batch would take it past this size (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Bytes of frames between two sparse index entries (default 4 KiB, as Kafka). */
  readonly indexIntervalBytes?: number;
  /** Frames read before, kept for later reads (shared by the tablets of a store); none by default. */
  readonly frameCache?: FrameCache;
}

export interface ReadOptions {
  /** Column indexes in the current schema, in the order wanted; default all columns. */
  readonly columns?: readonly number[];
  /** Exclusive end offset; default the end offset when the read starts. */
  readonly toOffset?: bigint;
  /** Stop after this many records. */
  readonly maxRecords?: number;
  /** Stop once this many bytes have been read, from disk or the frame cache (always at least one batch). */
  readonly maxBytes?: number;
}

const defaultSegmentBytes = 64 * 1024 * 1024;
const defaultIndexIntervalBytes = 4096;
/** Read a whole frame body in one request when the wanted columns cover at least this fraction. */
const wholeBodyFraction = 0.75;

export class LogTablet {
  private readonly counter: ReadCounter = { bytesRead: 0 };
  private readonly kinds = new Map<number, readonly ColumnKind[]>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly dir: string,
    private schema: LogSchema,
    private readonly history: SchemaHistory,
    private segments: Segment[],
    private readonly segmentBytes: number,
    private readonly indexIntervalBytes: number,
    private readonly frameCache: FrameCache | null,
  ) {}

  /** Opens (creating if needed) the tablet in `dir`, registering `schema` as its current schema. */
  static async open(dir: string, schema: LogSchema, options: LogTabletOptions = {}): Promise<LogTablet> {
    const segmentBytes = options.segmentBytes ?? defaultSegmentBytes;
    if (!(segmentBytes > 0 && segmentBytes <= limits.logSegmentBytesMax)) {
      throw new SqlError(SqlState.invalidParameterValue, `log segment size ${segmentBytes} is out of range`);
    }
    const indexIntervalBytes = options.indexIntervalBytes ?? defaultIndexIntervalBytes;
    schema.columns.forEach((column) => columnKind(column.type));
    await mkdir(dir, { recursive: true });
    const history = await SchemaHistory.load(dir);
    await history.register(schema);
    const tablet = new LogTablet(dir, schema, history, [], segmentBytes, indexIntervalBytes, options.frameCache ?? null);
    await tablet.openSegments();
    return tablet;
  }

  private get segmentOptions(): { indexIntervalBytes: number; counter: ReadCounter } {
    return { indexIntervalBytes: this.indexIntervalBytes, counter: this.counter };
  }

  private async openSegments(): Promise<void> {
    const names = await readdir(this.dir);
    // Batches staged by a bulk load that never committed.
    for (const name of names) if (name.endsWith(stagedFileSuffix)) await rm(join(this.dir, name), { force: true });
    const baseOffsets = names
      .filter((name) => /^\d{20}\.log$/.test(name))
      .map((name) => BigInt(name.slice(0, 20)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (baseOffsets.length === 0) {
      this.segments = [await Segment.create(this.dir, 0n, this.segmentOptions)];
      await syncPath(this.dir);
      return;
    }
    for (let index = 0; index < baseOffsets.length; index++) {
      const baseOffset = baseOffsets[index]!;
      const next = baseOffsets[index + 1];
      this.segments.push(next === undefined
        ? await Segment.openActive(this.dir, baseOffset, this.segmentOptions)
        : await Segment.openSealed(this.dir, baseOffset, next, this.segmentOptions));
    }
  }

  /** Offset the next appended record gets. */
  get endOffset(): bigint {
    return this.active.nextOffset;
  }

  /** First offset still stored (raised by retention and TRUNCATE). */
  get startOffset(): bigint {
    return this.segments[0]!.baseOffset;
  }

  /** Bytes read from segment files by readers and lookups so far. */
  get bytesRead(): number {
    return this.counter.bytesRead;
  }

  get currentSchema(): LogSchema {
    return this.schema;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Runs `work` after every earlier mutation has finished; mutations never interleave. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.closed) throw internalError(`log tablet ${this.dir} is closed`);
      return work();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  // ---- writing --------------------------------------------------------------------------------

  /** Appends one batch (not fsynced; see sync). Its records get consecutive offsets. */
  append(batch: ColumnarBatch, meta: AppendMeta): Promise<AppendResult> {
    return this.exclusive(() => this.appendNow(batch, meta));
  }

  private async appendNow(batch: ColumnarBatch, meta: AppendMeta): Promise<AppendResult> {
    const columns = this.schema.columns;
    // An encoded batch is appended as it is when it fits the schema (its columns are not decoded).
    const preEncoded = batch instanceof EncodedBatch && batch.encodesAs(columns.map((column) => column.type)) ? batch.encoded : undefined;
    if (preEncoded === undefined && batch.columns.length !== columns.length) {
      throw internalError(`log batch has ${batch.columns.length} columns, schema ${this.schema.schemaId} has ${columns.length}`);
    }
    if (!(batch.rowCount > 0 && batch.rowCount <= limits.logBatchRecordsMax)) {
      throw internalError(`log batch of ${batch.rowCount} records is outside 1..${limits.logBatchRecordsMax}`);
    }
    if (!Number.isSafeInteger(meta.commitTimestampMs) || meta.commitSequence < 0n || meta.commitSequence >= 1n << 63n) {
      throw internalError(`log commit timestamp ${meta.commitTimestampMs} or sequence ${meta.commitSequence} out of range`);
    }
    const encoded = preEncoded
      ?? columns.map((column, index) => encodeColumn(columnKind(column.type), batch.columns[index]!, batch.rowCount, column.type));
    let bodyLength = 0;
    for (const column of encoded) bodyLength += encodedByteLength(column);
    const baseOffset = this.endOffset;
    const header = { baseOffset, recordCount: batch.rowCount, commitTimestampMs: meta.commitTimestampMs };
    const frame = frameParts(
      { ...header, commitSequence: meta.commitSequence, schemaId: this.schema.schemaId, groupBatches: meta.groupBatches ?? 0 },
      encoded,
      ipcRecordBatchMetadata(batch.rowCount, encoded, bodyLength),
    );
    const active = this.active;
    const relativeEnd = baseOffset + BigInt(batch.rowCount) - active.baseOffset;
    if (active.size > 0 && (active.size + frame.byteLength > this.segmentBytes || relativeEnd > 0xffffffffn)) await this.roll();
    await this.active.append(frame.parts, { ...header, frameLength: frame.byteLength });
    return { baseOffset, lastOffset: baseOffset + BigInt(batch.rowCount - 1) };
  }

  /** A stage for a bulk load's batches, written ahead of its commit (see log-stage.ts and appendStaged). */
  stage(): LogStage {
    return new LogStage(this, this.dir, this.schema.schemaId, this.schema.columns.map((column) => column.type), this.segmentBytes);
  }

  /**
   * Appends the batches of `stage` (made by this tablet) as appends of them would, without writing
   * them again: each frame's header gets its offsets and `meta`, the files are synced, the active
   * segment is sealed (or, while empty, replaced) and the files are renamed into segments after
   * it, the last one active. Durable when it resolves, like an append followed by sync. Returns
   * the base offset of every batch, in order.
   */
  appendStaged(stage: LogStage, meta: AppendMeta): Promise<bigint[]> {
    return this.exclusive(async () => {
      if (stage.owner !== this) throw internalError(`a log stage of another tablet was appended to ${this.dir}`);
      const files = await stage.take();
      const baseOffsets: bigint[] = [];
      const placed: { handle: FileHandle; path: string; baseOffset: bigint; frames: FramePlacement[] }[] = [];
      let offset = this.endOffset;
      const commit = { commitTimestampMs: meta.commitTimestampMs, commitSequence: meta.commitSequence, groupBatches: meta.groupBatches ?? 0 };
      for (const file of files) {
        const handle = file.handle!;
        const frames: FramePlacement[] = [];
        const fileBase = offset;
        for (const frame of file.frames) {
          await writeAll(handle, patchFrameHeader(frame.head, { ...commit, baseOffset: offset }), frame.position, file.path);
          frames.push({ position: frame.position, baseOffset: offset, recordCount: frame.recordCount, commitTimestampMs: meta.commitTimestampMs, frameLength: frame.frameLength });
          baseOffsets.push(offset);
          offset += BigInt(frame.recordCount);
        }
        try {
          await handle.datasync();
        } catch (error) {
          throw new SqlError(SqlState.ioError, `could not fsync staged log file ${file.path}: ${error instanceof Error ? error.message : String(error)}`);
        }
        placed.push({ handle, path: file.path, baseOffset: fileBase, frames });
      }
      const active = this.active;
      if (active.size > 0) {
        await active.seal();
      } else {
        // An empty active segment starts at the first staged batch: the first file takes its name.
        this.segments.pop();
        await active.close();
        for (const extension of ['index', 'timeindex'] as const) await rm(join(this.dir, segmentFileName(active.baseOffset, extension)), { force: true });
      }
      for (const [index, file] of placed.entries()) {
        await rename(file.path, join(this.dir, segmentFileName(file.baseOffset, 'log')));
        const segment = Segment.adopt(this.dir, file.baseOffset, file.handle, file.frames, this.segmentOptions);
        this.segments.push(segment);
        if (index < placed.length - 1) await segment.seal();
      }
      await syncPath(this.dir);
      return baseOffsets;
    });
  }

  private async roll(): Promise<void> {
    await this.active.seal();
    this.segments.push(await Segment.create(this.dir, this.endOffset, this.segmentOptions));
    await syncPath(this.dir);
  }

  /** fsyncs every append completed so far. */
  async sync(): Promise<void> {
    await this.active.sync();
  }

  /** Makes `schema` (which must extend the current one, e.g. by ADD COLUMN) the schema of new batches. */
  evolveSchema(schema: LogSchema): Promise<void> {
    return this.exclusive(async () => {
      schema.columns.forEach((column) => columnKind(column.type));
      await this.history.register(schema);
      this.schema = schema;
    });
  }

  // ---- retention ------------------------------------------------------------------------------

  /** Deletes whole segments whose newest commit is older than `timestampMs` (never the active one). */
  deleteSegmentsOlderThan(timestampMs: number): Promise<number> {
    return this.exclusive(async () => {
      let deleted = 0;
      while (this.segments.length > 1 && this.segments[0]!.maxTimestampMs < timestampMs) {
        const segment = this.segments.shift()!;
        await segment.delete();
        deleted++;
      }
      if (deleted > 0) await syncPath(this.dir);
      return deleted;
    });
  }

  /** TRUNCATE: drops all data. Offsets stay monotonic: startOffset = endOffset afterwards. */
  truncateAll(): Promise<void> {
    return this.exclusive(async () => {
      if (this.active.size > 0) {
        this.segments.push(await Segment.create(this.dir, this.endOffset, this.segmentOptions));
        await syncPath(this.dir);
      }
      const dropped = this.segments.splice(0, this.segments.length - 1);
      for (const segment of dropped) await segment.delete();
      if (dropped.length > 0) await syncPath(this.dir);
    });
  }

  /**
   * Drops every batch at and after `offset`, which must be a batch boundary in
   * startOffset..endOffset; the next append gets `offset`. Used on start to cut batches of commits
   * that never became durable, before any reader or KV tablet uses the log.
   */
  truncateFrom(offset: bigint): Promise<void> {
    return this.exclusive(async () => {
      if (offset === this.endOffset) return;
      if (offset < this.startOffset || offset > this.endOffset) {
        throw internalError(`log truncation at ${offset} outside ${this.startOffset}..${this.endOffset}`);
      }
      const index = this.segments.findIndex((segment) => segment.baseOffset <= offset && offset < segment.nextOffset);
      const segment = this.segments[index]!;
      const position = await this.framePosition(segment, offset);
      for (const later of this.segments.splice(index + 1)) await later.delete();
      this.segments.pop();
      await segment.close();
      await cutFile(segment.path, position);
      for (const extension of ['index', 'timeindex'] as const) await rm(join(this.dir, segmentFileName(segment.baseOffset, extension)), { force: true });
      this.segments.push(await Segment.openActive(this.dir, segment.baseOffset, this.segmentOptions));
      await syncPath(this.dir);
    });
  }

  /** File position of the frame starting at `offset` in `segment`; XX000 if no frame starts there. */
  private async framePosition(segment: Segment, offset: bigint): Promise<number> {
    let position = segment.positionFor(offset);
    while (position < segment.size) {
      const header = await segment.readHeader(position, this.schema.columns.length);
      if (header.baseOffset === offset) return position;
      if (header.baseOffset > offset) break;
      if (header.baseOffset + BigInt(header.recordCount) > offset) {
        throw internalError(`log truncation at ${offset} falls inside the batch at ${header.baseOffset}`);
      }
      position += header.frameLength;
    }
    throw internalError(`log truncation at ${offset}: no batch starts there in ${segment.path}`);
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Records from `fromOffset` (raised to startOffset) in batches, with only the wanted columns. */
  async *read(fromOffset: bigint, options: ReadOptions = {}): AsyncGenerator<ReadBatch> {
    const schema = this.schema;
    const wanted = options.columns ?? schema.columns.map((_, index) => index);
    for (const index of wanted) {
      if (!(Number.isInteger(index) && index >= 0 && index < schema.columns.length)) throw internalError(`log read of column ${index}`);
    }
    const end = options.toOffset !== undefined && options.toOffset < this.endOffset ? options.toOffset : this.endOffset;
    let remaining = options.maxRecords ?? Number.POSITIVE_INFINITY;
    const bytesMax = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const bytesAtStart = this.counter.bytesRead;
    let offset = fromOffset;
    while (offset < end && remaining > 0 && this.counter.bytesRead - bytesAtStart < bytesMax) {
      if (offset < this.startOffset) offset = this.startOffset;
      const segment = this.segmentFor(offset);
      if (segment === undefined || offset >= end) return;
      segment.acquire();
      try {
        let position = segment.positionFor(offset);
        while (offset < end && offset < segment.nextOffset && remaining > 0 && this.counter.bytesRead - bytesAtStart < bytesMax) {
          const cached = this.frameCache?.get(segment, position);
          const header = cached?.header ?? await segment.readHeader(position, schema.columns.length);
          const batchEnd = header.baseOffset + BigInt(header.recordCount);
          if (batchEnd <= offset) { position += header.frameLength; continue; }
          if (header.baseOffset > offset) throw corruptLog(segment.path, position, `offsets ${offset}..${header.baseOffset - 1n} are missing`);
          const rowStart = Number(offset - header.baseOffset);
          const rowEnd = Math.min(header.recordCount, Number(end - header.baseOffset), rowStart + remaining);
          const columns = await this.readColumns(segment, position, header, cached, wanted, rowStart, rowEnd);
          yield {
            baseOffset: offset, recordCount: rowEnd - rowStart, commitTimestampMs: header.commitTimestampMs,
            commitSequence: header.commitSequence, groupBatches: header.groupBatches, schemaId: header.schemaId, columns,
          };
          remaining -= rowEnd - rowStart;
          offset = header.baseOffset + BigInt(rowEnd);
          position += header.frameLength;
        }
        if (offset < end && offset < segment.nextOffset && remaining > 0 && position >= segment.size) {
          throw corruptLog(segment.path, position, `segment ends before offset ${offset}`);
        }
      } finally {
        await segment.release();
      }
    }
  }

  /** The segment holding `offset`: the last one starting at or before it. */
  private segmentFor(offset: bigint): Segment | undefined {
    let low = 0;
    let high = this.segments.length - 1;
    let found: Segment | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const segment = this.segments[middle]!;
      if (segment.baseOffset <= offset) { found = segment; low = middle + 1; } else high = middle - 1;
    }
    return found;
  }

  private columnKinds(header: FrameHeader, segment: Segment, position: number): readonly ColumnKind[] {
    const known = this.kinds.get(header.schemaId);
    if (known !== undefined) return known;
    const schema = this.history.get(header.schemaId);
    if (schema === undefined || schema.columns.length !== header.columns.length) {
      throw corruptLog(segment.path, position, `batch has unknown schema id ${header.schemaId} with ${header.columns.length} columns`);
    }
    const kinds = schema.columns.map((column) => columnKind(column.type));
    this.kinds.set(header.schemaId, kinds);
    return kinds;
  }

  /**
   * Reads, checks and decodes only the wanted columns of the frame at `position`. The frame cache
   * (if any) supplies the body when it holds it (columns not yet verified are checked now) and
   * keeps the header, and the body when the whole of it was read.
   */
  private async readColumns(
    segment: Segment, position: number, header: FrameHeader, cached: CachedFrame | undefined,
    wanted: readonly number[], rowStart: number, rowEnd: number,
  ): Promise<Value[][]> {
    const kinds = this.columnKinds(header, segment, position);
    const stored = [...new Set(wanted.filter((index) => index < header.columns.length))].sort((a, b) => a - b);
    const body = position + bodyPosition(header);
    const bodyLength = header.frameLength - bodyPosition(header);
    let wantedBytes = 0;
    for (const index of stored) wantedBytes += header.columns[index]!.bodyLength;
    const columnBytes = new Map<number, Uint8Array>();
    let verified = cached?.verified ?? new Array<boolean>(header.columns.length).fill(false);
    const cachedBody = cached?.body ?? null;
    if (cachedBody !== null) {
      this.counter.bytesRead += wantedBytes;
      for (const index of stored) {
        const column = header.columns[index]!;
        columnBytes.set(index, cachedBody.subarray(column.bodyStart, column.bodyStart + column.bodyLength));
      }
    } else if (wantedBytes >= bodyLength * wholeBodyFraction) {
      const bytes = await segment.readAt(body, bodyLength);
      verified = new Array<boolean>(header.columns.length).fill(false);
      this.frameCache?.set(segment, position, { header, body: bytes, verified });
      for (const index of stored) {
        const column = header.columns[index]!;
        columnBytes.set(index, bytes.subarray(column.bodyStart, column.bodyStart + column.bodyLength));
      }
    } else {
      for (const run of adjacentRuns(stored)) {
        const first = header.columns[run[0]!]!;
        const last = header.columns[run[run.length - 1]!]!;
        const bytes = await segment.readAt(body + first.bodyStart, last.bodyStart + last.bodyLength - first.bodyStart);
        for (const index of run) {
          const column = header.columns[index]!;
          columnBytes.set(index, bytes.subarray(column.bodyStart - first.bodyStart, column.bodyStart - first.bodyStart + column.bodyLength));
        }
      }
      verified = new Array<boolean>(header.columns.length).fill(false);
      if (cached === undefined) this.frameCache?.set(segment, position, { header, body: null, verified });
    }
    const schema = this.history.get(header.schemaId)!;
    const decoded = new Map<number, Value[]>();
    for (const [index, bytes] of columnBytes) {
      const column = header.columns[index]!;
      if (verified[index] !== true) {
        if (crc32c(bytes) !== column.crc) {
          throw corruptLog(segment.path, body + column.bodyStart, `checksum mismatch in column ${index + 1} of the batch at offset ${header.baseOffset}`);
        }
        verified[index] = true;
      }
      decoded.set(index, decodeColumn(kinds[index]!, schema.columns[index]!.type, bytes, header.recordCount, column.nullCount, rowStart, rowEnd));
    }
    return wanted.map((index) => {
      const values = decoded.get(index);
      if (values === undefined) return new Array<Value>(rowEnd - rowStart).fill(null);
      return decoded.size === wanted.length ? values : values.slice();
    });
  }

  /** Offset of the first record committed at or after `timestampMs`; endOffset when there is none. */
  async offsetForTimestamp(timestampMs: number): Promise<bigint> {
    for (const segment of [...this.segments]) {
      if (segment.maxTimestampMs < timestampMs) continue;
      segment.acquire();
      try {
        const offset = await segment.offsetForTimestamp(timestampMs, this.schema.columns.length);
        if (offset !== undefined) return offset;
      } finally {
        await segment.release();
      }
    }
    return this.endOffset;
  }

  /** Closes the files; the tablet cannot be used afterwards. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      this.closed = true;
      for (const segment of this.segments) await segment.close();
    });
  }
}

/** Sorted column indexes grouped into runs of consecutive indexes (contiguous on disk). */
function adjacentRuns(sorted: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const index of sorted) {
    const run = runs[runs.length - 1];
    if (run !== undefined && run[run.length - 1] === index - 1) run.push(index);
    else runs.push([index]);
  }
  return runs;
}

/** Writes all of `bytes` at `position`. */
async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number, path: string): Promise<void> {
  try {
    let written = 0;
    while (written < bytes.byteLength) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.byteLength - written, position + written);
      written += bytesWritten;
    }
  } catch (error) {
    throw new SqlError(SqlState.ioError, `could not write log segment ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Cuts a file to `length` bytes and makes the cut durable. */
async function cutFile(path: string, length: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.truncate(length);
    await file.sync();
  } finally {
    await file.close();
  }
}

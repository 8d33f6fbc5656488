// One segment of a log tablet: the file `<baseOffset, 20 digits>.log` holding a sequence of batch
// frames, with its sparse offset and time indexes (`.index`, `.timeindex`) next to it. Only the
// tablet's last segment (the active one) is appended to; rolling seals the segment: its data is
// fsynced and its indexes are written, so a sealed segment opens from its indexes without a scan.
// The active segment's indexes live in memory and are rebuilt on open from a scan of frame headers,
// which also validates the tail: a torn or corrupt last frame is truncated away. A damaged header
// earlier in the file is skipped over by the scan (found again by resynchronising on the next valid
// frame) but never hidden from readers: reading through it fails with XX001.
// Invariants: frames are contiguous from byte 0 to `size`; base offsets are contiguous from
// `baseOffset` to `nextOffset`; every index entry points at the start of a frame.

import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SqlError, SqlState } from '../../common/errors.js';
import {
  corruptLog, decodeFrameHeader, frameBodyIsIntact, headerLengthFor, type FrameHeader, type HeaderDecoding,
} from './batch-frame.js';
import { syncPath } from './log-schema.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

/** Bytes read from segment files on behalf of readers (not counting recovery scans on open). */
export interface ReadCounter {
  bytesRead: number;
}

export interface SegmentOptions {
  readonly indexIntervalBytes: number;
  readonly counter: ReadCounter;
}

const scanChunkBytes = 1024 * 1024;

/** Where a frame lies in its segment file, and the header fields its indexes use. */
export interface FramePlacement extends Pick<FrameHeader, 'baseOffset' | 'recordCount' | 'commitTimestampMs' | 'frameLength'> {
  readonly position: number;
}

export function segmentFileName(baseOffset: bigint, extension: 'log' | 'index' | 'timeindex'): string {
  return `${baseOffset.toString().padStart(20, '0')}.${extension}`;
}

export class Segment {
  readonly path: string;
  size = 0;
  nextOffset: bigint;
  /** Largest commit timestamp in the segment; -Infinity while empty. */
  maxTimestampMs = -Infinity;
  private offsetIndex: OffsetIndex;
  private timeIndex: TimeIndex;
  private bytesSinceIndexEntry = 0;
  private lastBatchBaseOffset: bigint;
  private readers = 0;
  private deleted = false;
  private closed = false;

  private constructor(
    private readonly dir: string,
    readonly baseOffset: bigint,
    private readonly file: FileHandle,
    private readonly options: SegmentOptions,
  ) {
    this.path = join(dir, segmentFileName(baseOffset, 'log'));
    this.nextOffset = baseOffset;
    this.lastBatchBaseOffset = baseOffset;
    this.offsetIndex = new OffsetIndex(baseOffset);
    this.timeIndex = new TimeIndex(baseOffset);
  }

  static async create(dir: string, baseOffset: bigint, options: SegmentOptions): Promise<Segment> {
    const file = await open(join(dir, segmentFileName(baseOffset, 'log')), 'w+');
    return new Segment(dir, baseOffset, file, options);
  }

  /** Opens the active segment: scans its headers, truncating a torn or corrupt tail. */
  static async openActive(dir: string, baseOffset: bigint, options: SegmentOptions): Promise<Segment> {
    const segment = await Segment.openFile(dir, baseOffset, options);
    await segment.scan(true);
    return segment;
  }

  /** Opens a sealed segment that ends where the next one begins, from its index files when valid. */
  static async openSealed(dir: string, baseOffset: bigint, endOffset: bigint, options: SegmentOptions): Promise<Segment> {
    const segment = await Segment.openFile(dir, baseOffset, options);
    if (!(await segment.loadIndexes(endOffset))) {
      await segment.scan(false);
      await segment.writeIndexes();
    }
    return segment;
  }

  /**
   * The segment of a file of whole frames already written and made durable under another name
   * (a COPY's staged file, log-stage.ts), now renamed to this segment's name: its frames are
   * indexed as their appends would have indexed them, without reading the file.
   */
  static adopt(dir: string, baseOffset: bigint, file: FileHandle, frames: readonly FramePlacement[], options: SegmentOptions): Segment {
    const segment = new Segment(dir, baseOffset, file, options);
    for (const frame of frames) segment.indexFrame(frame.position, frame);
    return segment;
  }

  private static async openFile(dir: string, baseOffset: bigint, options: SegmentOptions): Promise<Segment> {
    const file = await open(join(dir, segmentFileName(baseOffset, 'log')), 'r+');
    const segment = new Segment(dir, baseOffset, file, options);
    segment.size = (await file.stat()).size;
    return segment;
  }

  // ---- writing --------------------------------------------------------------------------------

  /**
   * Writes a whole frame, given as the byte ranges it is made of (frameParts), at the end of the
   * file (no fsync) and indexes it.
   */
  async append(parts: readonly Uint8Array[], header: Pick<FrameHeader, 'baseOffset' | 'recordCount' | 'commitTimestampMs' | 'frameLength'>): Promise<void> {
    const position = this.size;
    let written = 0;
    try {
      let remaining = parts;
      while (written < header.frameLength) {
        const { bytesWritten } = await this.file.writev(remaining as Uint8Array[], position + written);
        written += bytesWritten;
        if (written < header.frameLength) remaining = partsAfter(parts, written);
      }
    } catch (error) {
      // Leave no partial frame behind for later appends to follow.
      await this.file.truncate(position).catch(() => undefined);
      throw ioError(`could not write log segment ${this.path}`, error);
    }
    this.indexFrame(position, header);
  }

  private indexFrame(position: number, header: Pick<FrameHeader, 'baseOffset' | 'recordCount' | 'commitTimestampMs' | 'frameLength'>): void {
    this.maxTimestampMs = Math.max(this.maxTimestampMs, header.commitTimestampMs);
    if (this.offsetIndex.length === 0 || this.bytesSinceIndexEntry >= this.options.indexIntervalBytes) {
      this.offsetIndex.append(header.baseOffset, position);
      this.timeIndex.append(this.maxTimestampMs, header.baseOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += header.frameLength;
    this.lastBatchBaseOffset = header.baseOffset;
    this.nextOffset = header.baseOffset + BigInt(header.recordCount);
    this.size = position + header.frameLength;
  }

  /**
   * fdatasync: the data and the file size appends change reach the disk, without the timestamps an
   * fsync would also flush (as PostgreSQL's default wal_sync_method does).
   */
  async sync(): Promise<void> {
    if (this.closed) return;
    try {
      await this.file.datasync();
    } catch (error) {
      throw ioError(`could not fsync log segment ${this.path}`, error);
    }
  }

  /** Makes the segment durable and writes its indexes; no appends follow. */
  async seal(): Promise<void> {
    await this.sync();
    if (this.size > 0) this.timeIndex.append(this.maxTimestampMs, this.lastBatchBaseOffset);
    await this.writeIndexes();
  }

  private async writeIndexes(): Promise<void> {
    for (const [extension, bytes] of [['index', this.offsetIndex.encode()], ['timeindex', this.timeIndex.encode()]] as const) {
      const path = join(this.dir, segmentFileName(this.baseOffset, extension));
      await writeFile(path, bytes);
      await syncPath(path);
    }
  }

  private async loadIndexes(endOffset: bigint): Promise<boolean> {
    let offsetBytes: Uint8Array;
    let timeBytes: Uint8Array;
    try {
      offsetBytes = await readFile(join(this.dir, segmentFileName(this.baseOffset, 'index')));
      timeBytes = await readFile(join(this.dir, segmentFileName(this.baseOffset, 'timeindex')));
    } catch {
      return false;
    }
    const offsetIndex = OffsetIndex.decode(offsetBytes, this.baseOffset, Math.max(this.size, 1));
    const timeIndex = TimeIndex.decode(timeBytes, this.baseOffset, endOffset);
    if (offsetIndex === undefined || timeIndex === undefined || (this.size > 0) !== (offsetIndex.length > 0)) return false;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.nextOffset = endOffset;
    this.maxTimestampMs = timeIndex.lastTimestamp();
    return true;
  }

  // ---- recovery scan --------------------------------------------------------------------------

  /**
   * Walks every frame header from byte 0, rebuilding the indexes. With `truncateTail`, the last
   * frame's body is checked too and a torn or corrupt tail is cut off.
   */
  private async scan(truncateTail: boolean): Promise<void> {
    const reader = new ChunkReader(this.file, this.size);
    const fileSize = this.size;
    this.size = 0;
    let position = 0;
    let expected = this.baseOffset;
    let pending: { position: number; header: FrameHeader } | undefined;
    let tornAt: number | undefined;
    while (position < fileSize) {
      const decoded = await reader.header(position);
      const header = decoded.kind === 'ok' ? decoded.header : undefined;
      if (header !== undefined && header.baseOffset === expected && header.recordCount > 0 && position + header.frameLength <= fileSize) {
        if (pending !== undefined) this.indexFrame(pending.position, pending.header);
        pending = { position, header };
        position += header.frameLength;
        expected = header.baseOffset + BigInt(header.recordCount);
        continue;
      }
      const next = await resynchronise(reader, position + 8, expected, fileSize);
      if (next === undefined) { tornAt = position; break; }
      if (pending !== undefined) this.indexFrame(pending.position, pending.header);
      pending = undefined;
      position = next.position;
      expected = next.baseOffset;
      // Index the frame after the damage so reads starting past it never walk into it.
      this.bytesSinceIndexEntry = Number.POSITIVE_INFINITY;
    }
    if (truncateTail && pending !== undefined && tornAt === undefined) {
      const frame = await reader.bytes(pending.position, pending.header.frameLength);
      if (!frameBodyIsIntact(pending.header, frame)) { tornAt = pending.position; pending = undefined; }
    }
    if (pending !== undefined) this.indexFrame(pending.position, pending.header);
    if (tornAt === undefined) {
      this.size = fileSize;
    } else if (truncateTail) {
      await this.file.truncate(tornAt);
      this.size = tornAt;
    } else {
      this.size = fileSize;
    }
    if (truncateTail && this.size !== fileSize) await this.file.sync();
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Position to start walking frames from to reach `offset`. */
  positionFor(offset: bigint): number {
    return this.offsetIndex.floorPosition(offset);
  }

  /** Exactly `length` bytes at `position`, counted as read; XX001 if the file ends first. */
  async readAt(position: number, length: number): Promise<Uint8Array> {
    const bytes = Buffer.allocUnsafeSlow(length);
    let filled = 0;
    try {
      while (filled < length) {
        const { bytesRead } = await this.file.read(bytes, filled, length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch (error) {
      throw ioError(`could not read log segment ${this.path}`, error);
    }
    this.options.counter.bytesRead += filled;
    if (filled < length) throw corruptLog(this.path, position + filled, 'unexpected end of file');
    return bytes;
  }

  /** The checked header of the frame at `position`; `columnCount` is a guess of its size. */
  async readHeader(position: number, columnCount: number): Promise<FrameHeader> {
    let length = Math.min(headerLengthFor(columnCount), this.size - position);
    for (;;) {
      if (length <= 0) throw corruptLog(this.path, position, 'frame header past the end of the segment');
      const decoded = decodeFrameHeader(await this.readAt(position, length), 0);
      if (decoded.kind === 'ok') {
        if (position + decoded.header.frameLength > this.size) throw corruptLog(this.path, position, 'frame extends past the end of the segment');
        return decoded.header;
      }
      if (decoded.kind === 'corrupt' || decoded.needed <= length || position + decoded.needed > this.size) {
        throw corruptLog(this.path, position, decoded.kind === 'corrupt' ? decoded.reason : 'truncated frame header');
      }
      length = decoded.needed;
    }
  }

  /** Base offset of the first batch with commit timestamp ≥ `timestampMs`, if the segment has one. */
  async offsetForTimestamp(timestampMs: number, columnCount: number): Promise<bigint | undefined> {
    if (this.maxTimestampMs < timestampMs) return undefined;
    const before = this.timeIndex.lastOffsetBefore(timestampMs);
    let position = before === undefined ? 0 : this.offsetIndex.floorPosition(before);
    while (position < this.size) {
      const header = await this.readHeader(position, columnCount);
      if (header.commitTimestampMs >= timestampMs) return header.baseOffset;
      position += header.frameLength;
    }
    return undefined;
  }

  // ---- lifetime -------------------------------------------------------------------------------

  /** Keeps the file open while a reader uses it, even if retention deletes the segment meanwhile. */
  acquire(): void {
    this.readers++;
  }

  async release(): Promise<void> {
    this.readers--;
    if (this.deleted && this.readers === 0) await this.close();
  }

  /** Removes the segment's files; the handle closes once no reader holds it. */
  async delete(): Promise<void> {
    this.deleted = true;
    for (const extension of ['log', 'index', 'timeindex'] as const) {
      await rm(join(this.dir, segmentFileName(this.baseOffset, extension)), { force: true });
    }
    if (this.readers === 0) await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}

/** Sequential reads in large chunks, for scans on open. */
class ChunkReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private chunkStart = 0;

  constructor(private readonly file: FileHandle, private readonly fileSize: number) {}

  /** Up to `length` bytes at `position` (fewer at the end of the file). */
  async bytes(position: number, length: number): Promise<Uint8Array> {
    const end = Math.min(position + length, this.fileSize);
    if (position < this.chunkStart || end > this.chunkStart + this.chunk.byteLength) {
      const size = Math.min(Math.max(length, scanChunkBytes), this.fileSize - position);
      const chunk = Buffer.allocUnsafeSlow(Math.max(size, 0));
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await this.file.read(chunk, filled, size - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      this.chunk = chunk.subarray(0, filled);
      this.chunkStart = position;
    }
    return this.chunk.subarray(position - this.chunkStart, end - this.chunkStart);
  }

  async header(position: number): Promise<HeaderDecoding> {
    let length = headerLengthFor(8);
    for (;;) {
      const bytes = await this.bytes(position, length);
      const decoded = decodeFrameHeader(bytes, 0);
      if (decoded.kind !== 'incomplete' || bytes.byteLength < length || decoded.needed <= length) return decoded;
      length = decoded.needed;
    }
  }
}

/** The next valid frame at or after `from` that continues the offsets, if any. */
async function resynchronise(
  reader: ChunkReader, from: number, expected: bigint, fileSize: number,
): Promise<{ position: number; baseOffset: bigint } | undefined> {
  for (let position = from; position + 8 <= fileSize; position += 8) {
    const probe = await reader.bytes(position, 4);
    if (probe[0] !== 0x53 || probe[1] !== 0x4c || probe[2] !== 0x42 || probe[3] !== 0x31) continue;
    const decoded = await reader.header(position);
    if (decoded.kind === 'ok' && decoded.header.baseOffset >= expected && position + decoded.header.frameLength <= fileSize) {
      return { position, baseOffset: decoded.header.baseOffset };
    }
  }
  return undefined;
}

function ioError(message: string, cause: unknown): SqlError {
  return new SqlError(SqlState.ioError, `${message}: ${cause instanceof Error ? cause.message : String(cause)}`);
}

/** What is left of `parts` after its first `skipped` bytes (after a short write). */
export function partsAfter(parts: readonly Uint8Array[], skipped: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let at = 0;
  for (const part of parts) {
    const end = at + part.byteLength;
    if (end > skipped) rest.push(at >= skipped ? part : part.subarray(skipped - at));
    at = end;
  }
  return rest;
}

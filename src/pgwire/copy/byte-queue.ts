// The not-yet-decoded bytes of a COPY FROM stream, kept as the CopyData chunks they arrived in.
// Positions are relative to the first unconsumed byte. Reading forward is O(1) per byte (a cursor
// remembers the chunk last looked at), so a row spread over many small chunks is scanned once; a
// row is copied only if it spans chunks, else handed out as a view. Each chunk is checked once on
// arrival for plain ASCII without NUL (two native scans), so lines cut from such a chunk need no
// UTF-8 check of their own, and for the marker bytes its reader must stop at (beyond the newline),
// so a chunk without any can be searched for newlines natively. Invariant: no empty chunk is stored.

import { isAscii } from 'node:buffer';

/** bytes[start, end): a part of a chunk, named without making a new Buffer view. */
export interface ByteSlice {
  bytes: Buffer;
  start: number;
  end: number;
  /** The bytes are known to be plain ASCII without NUL (hence valid UTF-8). */
  plainAscii: boolean;
  /** The bytes are known to hold none of the queue's marker bytes. */
  unmarked: boolean;
}

export class ByteQueue {
  private readonly chunks: Buffer[] = [];
  /** Whether chunks[i] is plain ASCII without NUL. */
  private readonly chunksPlainAscii: boolean[] = [];
  /** Whether chunks[i] holds one of the marker bytes. */
  private readonly chunksMarked: boolean[] = [];
  private markers: readonly number[] = [];
  /** Bytes of chunks[0] already consumed. */
  private head = 0;
  private size = 0;
  /** Chunk index and relative start of the chunk the last lookup landed in. */
  private cursorChunk = 0;
  private cursorStart = 0;

  get length(): number {
    return this.size;
  }

  /** Bytes whose presence push() records per chunk (set before the first push). */
  watchFor(markers: readonly number[]): void {
    this.markers = markers;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.chunks.push(bytes);
    this.chunksPlainAscii.push(isAscii(bytes) && bytes.indexOf(0) < 0);
    this.chunksMarked.push(this.markers.some((marker) => bytes.indexOf(marker) >= 0));
    this.size += chunk.length;
  }

  /** The byte at `index` (which must be below length). */
  byteAt(index: number): number {
    const chunk = this.chunkAt(index);
    return chunk[index - this.cursorStart] as number;
  }

  /** The chunk holding `index` (below length): the byte is at offsetOf(index) in it, later bytes follow. */
  chunkAt(index: number): Buffer {
    if (index < this.cursorStart) {
      this.cursorChunk = 0;
      this.cursorStart = -this.head;
    }
    let chunk = this.chunks[this.cursorChunk] as Buffer;
    while (index >= this.cursorStart + chunk.length) {
      this.cursorStart += chunk.length;
      this.cursorChunk++;
      chunk = this.chunks[this.cursorChunk] as Buffer;
    }
    return chunk;
  }

  /** Whether the chunk the last chunkAt() returned holds a marker byte. */
  chunkMarked(): boolean {
    return this.chunksMarked[this.cursorChunk] !== false;
  }

  /** Offset of `index` in the chunk the last chunkAt(index) returned. */
  offsetOf(index: number): number {
    return index - this.cursorStart;
  }

  /**
   * Removes the first `count` bytes into `slice`: a view of the chunk when they lie in one (no
   * allocation at all), else a fresh copy.
   */
  takeSlice(count: number, slice: ByteSlice): void {
    const first = this.chunks[0];
    if (first !== undefined && this.head + count <= first.length) {
      slice.bytes = first;
      slice.start = this.head;
      slice.end = this.head + count;
      slice.plainAscii = this.chunksPlainAscii[0] === true;
      slice.unmarked = this.chunksMarked[0] === false;
      this.skip(count);
      return;
    }
    slice.bytes = this.take(count);
    slice.start = 0;
    slice.end = count;
    slice.plainAscii = false;
    slice.unmarked = false;
  }

  /** Removes and returns the first `count` bytes (without copying when they lie in one chunk). */
  take(count: number): Buffer {
    const first = this.chunks[0];
    if (count === 0 || first === undefined) return Buffer.alloc(0);
    if (this.head + count <= first.length) {
      const result = first.subarray(this.head, this.head + count);
      this.skip(count);
      return result;
    }
    const result = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0] as Buffer;
      const piece = Math.min(count - filled, chunk.length - this.head);
      chunk.copy(result, filled, this.head, this.head + piece);
      filled += piece;
      this.skip(piece);
    }
    return result;
  }

  /** Drops the first `count` bytes (at most length). */
  skip(count: number): void {
    let left = count;
    this.size -= count;
    const first = this.chunks[0];
    if (first !== undefined && this.head + left < first.length) {
      this.head += left;
      this.cursorChunk = 0;
      this.cursorStart = -this.head;
      return;
    }
    while (left > 0) {
      const chunk = this.chunks[0] as Buffer;
      const available = chunk.length - this.head;
      if (left < available) {
        this.head += left;
        break;
      }
      left -= available;
      this.chunks.shift();
      this.chunksPlainAscii.shift();
      this.chunksMarked.shift();
      this.head = 0;
    }
    this.cursorChunk = 0;
    this.cursorStart = -this.head;
  }

  clear(): void {
    this.skip(this.size);
  }
}

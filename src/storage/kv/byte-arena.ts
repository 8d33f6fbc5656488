// Bump allocation of many small byte strings (encoded keys and rows) out of large chunks, so that a
// batch of thousands of rows costs a handful of allocations. An entry is written at the end of the
// current chunk and handed out as a subarray view by `finish()`; a chunk is never reused, so a
// finished entry stays valid for as long as anyone holds it (RocksDB copies what it is given).
// Invariant: bytes [start, position) of `bytes` are the entry being written.

const defaultChunkBytes = 256 * 1024;

export class ByteArena {
  bytes: Buffer;
  position = 0;
  protected start = 0;

  constructor(private readonly chunkBytes = defaultChunkBytes) {
    this.bytes = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** Makes room for `length` more bytes of the current entry (moving it to a new chunk if needed). */
  reserve(length: number): void {
    if (this.position + length <= this.bytes.byteLength) return;
    const entryBytes = this.position - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, (entryBytes + length) * 2));
    this.bytes.copy(next, 0, this.start, this.position);
    this.bytes = next;
    this.start = 0;
    this.position = entryBytes;
  }

  /** Appends `source` to the current entry (a short one byte by byte: Buffer.copy costs more than it copies). */
  append(source: Uint8Array, start = 0, end = source.byteLength): void {
    const length = end - start;
    this.reserve(length);
    const bytes = this.bytes;
    let at = this.position;
    if (length > 32) bytes.set(source.subarray(start, end), at);
    else for (let index = start; index < end; index++) bytes[at++] = source[index]!;
    this.position += length;
  }

  /** The current entry as a view; the next write starts a new entry. */
  finish(): Buffer {
    const entry = this.bytes.subarray(this.start, this.position);
    this.start = this.position;
    return entry;
  }

  /** Drops the current entry unfinished. */
  abandon(): void {
    this.position = this.start;
  }

  /** Bytes written into the current entry so far. */
  get entryLength(): number {
    return this.position - this.start;
  }
}

/**
 * An arena whose entries stay back to back in one buffer (it grows by copying them all), so a run
 * of entries is one buffer plus where each ends: no view object per entry. A bulk load packs its
 * keys and rows this way. Entry i is bytes[i === 0 ? 0 : ends[i - 1], ends[i]).
 */
export class PackedArena extends ByteArena {
  constructor(private initialBytes: number) {
    super(initialBytes);
  }

  override reserve(length: number): void {
    if (this.position + length <= this.bytes.byteLength) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.bytes.byteLength * 2, this.position + length));
    this.bytes.copy(next, 0, 0, this.position);
    this.bytes = next;
  }

  /** Ends the current entry; returns where it ends. */
  endEntry(): number {
    this.start = this.position;
    return this.position;
  }

  /**
   * The entries written so far as one buffer (a view); the arena starts over in a new buffer sized
   * for about as many bytes again (runs of entries tend to be alike), so it seldom grows.
   */
  take(): Buffer {
    const taken = this.bytes.subarray(0, this.start);
    this.initialBytes = Math.max(this.initialBytes, taken.byteLength + (taken.byteLength >> 3));
    this.bytes = Buffer.allocUnsafeSlow(this.initialBytes);
    this.position = 0;
    this.start = 0;
    return taken;
  }
}

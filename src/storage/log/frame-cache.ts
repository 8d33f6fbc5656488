// A bounded cache of log frames already read from disk, shared by the log tablets of a store: each
// frame's decoded header and, when a read took the whole body, the body's bytes with the columns
// whose checksum has been verified. As with PostgreSQL's shared buffers, data is checked when it is
// read from disk, not again while it stays in memory: a repeated short read (LIMIT) or a scan of a
// table that fits costs no file read and no second CRC pass.
//
// Invariants: a frame at a position of a segment never changes while that Segment object lives
// (appends go after it; cutting, truncating or deleting a segment replaces the object), so entries
// are keyed by the segment's identity and position and never go stale; entries of segments that
// are gone are never found again and age out. Replacement is LRU by Map order; the bytes charged
// are the body's and a fixed amount per entry, within the bytes it is given (a quarter of the server's cache memory).

import type { FrameHeader } from './batch-frame.js';

/** Bytes an entry is charged beyond its body (Map entry, header objects). */
const entryOverheadBytes = 512;

export interface CachedFrame {
  readonly header: FrameHeader;
  /** The frame's body as read from disk (from its first column on), or null if only the header is kept. */
  readonly body: Uint8Array | null;
  /** verified[i]: column i's bytes in `body` matched their CRC32C. */
  readonly verified: boolean[];
}

export class FrameCache {
  private readonly entries = new Map<string, CachedFrame>();
  private readonly segmentIds = new WeakMap<object, number>();
  private nextSegmentId = 0;
  private bytes = 0;
  private evictor: Iterator<string> | null = null;

  constructor(private readonly bytesMax: number) {}

  get(segment: object, position: number): CachedFrame | undefined {
    const key = this.key(segment, position);
    const frame = this.entries.get(key);
    if (frame !== undefined) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, frame);
    }
    return frame;
  }

  set(segment: object, position: number, frame: CachedFrame): void {
    const charge = chargeOf(frame);
    if (charge > this.bytesMax / 4) return;
    const key = this.key(segment, position);
    this.delete(key);
    this.entries.set(key, frame);
    this.bytes += charge;
    while (this.bytes > this.bytesMax) {
      const oldest = this.oldest();
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  /**
   * The least recently used key, from one iterator kept between evictions (a fresh `keys()` would
   * step over every entry deleted from the front since the Map last rehashed).
   */
  private oldest(): string | undefined {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.evictor ??= this.entries.keys();
      const next = this.evictor.next();
      if (next.done !== true) return next.value;
      this.evictor = null;
    }
    return undefined;
  }

  get byteCount(): number {
    return this.bytes;
  }

  private delete(key: string): void {
    const frame = this.entries.get(key);
    if (frame === undefined) return;
    this.entries.delete(key);
    this.bytes -= chargeOf(frame);
  }

  private key(segment: object, position: number): string {
    let id = this.segmentIds.get(segment);
    if (id === undefined) {
      id = this.nextSegmentId++;
      this.segmentIds.set(segment, id);
    }
    return `${id}:${position}`;
  }
}

function chargeOf(frame: CachedFrame): number {
  return entryOverheadBytes + (frame.body?.byteLength ?? 0);
}

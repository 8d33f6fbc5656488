// A bounded cache of stored KV rows (encoded bytes, exactly as RocksDB holds them), shared by
// every KV tablet of a store, for point lookups: a hit skips RocksDB's thread-pool round trip,
// the main cost of a lookup. Like RocksDB's row_cache, it holds only what RocksDB holds.
//
// Coherence: the KV tablet is the only writer of its rows. After each applied write batch it sets
// or deletes the entries of the keys it wrote (write-through: freshly written rows are hot, and a
// loaded table is looked up without a first miss per key); a lookup fills the cache only if no write was
// applied to its tablet while it read (the tablet's apply generation did not change), so a read
// that raced with a write never leaves the old row behind. TRUNCATE and DROP clear the cache.
// Keys are the encoded keys in latin1 (the tablet id prefix keeps tablets apart).
//
// Replacement approximates LRU with two generations: entries set or used since the generation
// began, and the generation before, which eviction empties oldest first. A hit in the current
// generation is one map lookup (no reordering per hit); a hit in the previous one moves the entry
// over. When the previous generation is empty, the current one takes its place.
//
// Values are held as one-byte strings (the row's bytes in latin1), not Buffers: a string is one
// object of 16 bytes plus its characters on the JavaScript heap, where a small Buffer costs a view,
// an ArrayBuffer, a native backing-store record and often a share of an 8 KiB pool slab it keeps
// alive; hundreds of thousands of such Buffers cost several times the bytes charged for them and
// lengthen every garbage collection. A hit makes a fresh Buffer of the row's bytes.

/** Bytes an entry is charged beyond its key and value: two string headers and the Map entry. */
const entryOverheadBytes = 96;

export class RowCache {
  private recent = new Map<string, string>();
  private older = new Map<string, string>();
  private bytes = 0;
  /**
   * One iterator walks the older generation in insertion order to find the entry to evict, kept
   * between evictions: a fresh `keys()` each time would step over every entry deleted from the
   * front since the Map last rehashed, making a long run of evictions quadratic.
   */
  private evictor: Iterator<string> | null = null;

  constructor(private readonly bytesMax: number) {}

  get(key: string): Buffer | undefined {
    const value = this.recent.get(key);
    if (value !== undefined) return Buffer.from(value, 'latin1');
    const old = this.older.get(key);
    if (old === undefined) return undefined;
    this.older.delete(key);
    this.recent.set(key, old);
    return Buffer.from(old, 'latin1');
  }

  /** Caches a copy of `value` (the caller may reuse its bytes afterwards). */
  set(key: string, value: Uint8Array): void {
    const charge = key.length + value.byteLength + entryOverheadBytes;
    if (charge > this.bytesMax) return;
    this.delete(key);
    this.recent.set(key, Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1'));
    this.bytes += charge;
    while (this.bytes > this.bytesMax) {
      const oldest = this.oldest();
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  /** The next entry to evict: the oldest of the older generation (which the recent one replaces when empty). */
  private oldest(): string | undefined {
    for (let attempt = 0; attempt < 3; attempt++) {
      this.evictor ??= this.older.keys();
      const next = this.evictor.next();
      if (next.done !== true) return next.value;
      this.evictor = null;
      if (this.older.size === 0) {
        this.older = this.recent;
        this.recent = new Map();
      }
    }
    return undefined;
  }

  delete(key: string): void {
    let value = this.recent.get(key);
    if (value !== undefined) this.recent.delete(key);
    else {
      value = this.older.get(key);
      if (value === undefined) return;
      this.older.delete(key);
    }
    this.bytes -= key.length + value.length + entryOverheadBytes;
  }

  clear(): void {
    this.recent.clear();
    this.older.clear();
    this.bytes = 0;
    this.evictor = null;
  }

  get byteCount(): number {
    return this.bytes;
  }
}

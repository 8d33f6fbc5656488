// A bounded LRU cache of stored KV rows (encoded bytes, exactly as RocksDB holds them), shared by
// every KV tablet of a store, for point lookups: a hit skips RocksDB's thread-pool round trip,
// the main cost of a lookup. Like RocksDB's row_cache, it holds only what RocksDB holds.
//
// Coherence: the KV tablet is the only writer of its rows. After each applied write batch it sets
// or deletes the entries of the keys it wrote (write-through: freshly written rows are hot, and a
// loaded table is looked up without a first miss per key; an apply of more than
// limits.kvRowCacheApplyKeysMax keys, a bulk load, only deletes them); a lookup fills the cache
// only if no write was applied to its tablet while it read (the tablet's apply generation did not
// change), so a read that raced with a write never leaves the old row behind. TRUNCATE and DROP
// clear the cache.
// Keys are the encoded keys in latin1 (the tablet id prefix keeps tablets apart).

/** Bytes an entry is charged beyond its key and value (Map entry, Buffer object). */
const entryOverheadBytes = 96;

export class RowCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  /**
   * One iterator walks the entries in insertion order to find the oldest, kept between evictions:
   * a fresh `keys()` each time would step over every entry deleted from the front since the Map
   * last rehashed, making a long run of evictions quadratic.
   */
  private evictor: Iterator<string> | null = null;

  constructor(private readonly bytesMax: number) {}

  get(key: string): Buffer | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Most recently used last: delete and re-insert moves it to the end of the Map's order.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: Buffer): void {
    const charge = key.length + value.byteLength + entryOverheadBytes;
    if (charge > this.bytesMax) return;
    this.delete(key);
    this.entries.set(key, value);
    this.bytes += charge;
    while (this.bytes > this.bytesMax) {
      const oldest = this.oldest();
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  private oldest(): string | undefined {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.evictor ??= this.entries.keys();
      const next = this.evictor.next();
      if (next.done !== true) return next.value;
      this.evictor = null;
    }
    return undefined;
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.bytes -= key.length + value.byteLength + entryOverheadBytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    this.evictor = null;
  }

  get byteCount(): number {
    return this.bytes;
  }
}

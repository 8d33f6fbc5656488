// Type declarations for the native part of the `rocksdb` binding, used directly by RocksStore:
// chunked scans (one call returns up to ~1000 entries instead of one callback per entry) and
// batches built with one native call per operation instead of an array of operation objects.
declare module 'rocksdb/binding.js' {
  /** Entries come newest-last for popping: [..., value2, key2, value1, key1]. */
  type NextCallback = (error: Error | null | undefined, entries: Buffer[], finished: boolean) => void;
  interface NativeBinding {
    iterator_next(context: unknown, callback: NextCallback): void;
    /** Positions the iterator at the first key at or after `target` (synchronously); the next read starts there. */
    iterator_seek(context: unknown, target: Buffer): void;
    db_get_many(databaseContext: unknown, keys: readonly Buffer[], options: { asBuffer: boolean; fillCache: boolean },
      callback: (error: Error | null | undefined, values: (Buffer | undefined)[]) => void): void;
    batch_init(databaseContext: unknown): unknown;
    /** Any ArrayBuffer view is taken as bytes (the binding copies them). */
    batch_put(batchContext: unknown, key: Uint8Array, value: Uint8Array): void;
    batch_del(batchContext: unknown, key: Uint8Array): void;
    batch_write(batchContext: unknown, options: { sync: boolean }, callback: (error: Error | null | undefined) => void): void;
  }
  const binding: NativeBinding;
  export default binding;
}

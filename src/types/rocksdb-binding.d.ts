// Type declarations for the native part of the `rocksdb` binding, used directly by RocksStore's
// chunked scans: one call returns up to ~1000 entries instead of one callback per entry.
declare module 'rocksdb/binding.js' {
  /** Entries come newest-last for popping: [..., value2, key2, value1, key1]. */
  type NextCallback = (error: Error | null | undefined, entries: Buffer[], finished: boolean) => void;
  interface NativeBinding {
    iterator_next(context: unknown, callback: NextCallback): void;
  }
  const binding: NativeBinding;
  export default binding;
}

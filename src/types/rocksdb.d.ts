// Type declarations for the `rocksdb` binding (the abstract-leveldown store level-rocksdb bundles).
declare module 'rocksdb' {
  export type Callback<T = void> = (error: Error | null | undefined, value?: T) => void;
  export interface OpenOptions {
    createIfMissing?: boolean;
    errorIfExists?: boolean;
    compression?: boolean;
    cacheSize?: number;
    writeBufferSize?: number;
    maxOpenFiles?: number;
    blockSize?: number;
  }
  export interface IteratorOptions {
    gt?: Buffer; gte?: Buffer; lt?: Buffer; lte?: Buffer;
    reverse?: boolean; limit?: number;
    keys?: boolean; values?: boolean;
    keyAsBuffer?: boolean; valueAsBuffer?: boolean;
    highWaterMark?: number;
  }
  export interface RocksIterator {
    next(callback: (error: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void;
    seek(target: Buffer): void;
    end(callback: Callback): void;
  }
  export type BatchOperation = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };
  export interface RocksDB {
    open(options: OpenOptions, callback: Callback): void;
    /** A RocksDB property (e.g. rocksdb.cur-size-all-mem-tables), as text. */
    getProperty(property: string): string;
    close(callback: Callback): void;
    get(key: Buffer, options: { asBuffer?: boolean; fillCache?: boolean }, callback: Callback<Buffer>): void;
    getMany(keys: Buffer[], options: { asBuffer?: boolean }, callback: Callback<(Buffer | undefined)[]>): void;
    put(key: Buffer, value: Buffer, options: { sync?: boolean }, callback: Callback): void;
    del(key: Buffer, options: { sync?: boolean }, callback: Callback): void;
    batch(operations: BatchOperation[], options: { sync?: boolean }, callback: Callback): void;
    iterator(options: IteratorOptions): RocksIterator;
    clear(options: IteratorOptions, callback: Callback): void;
  }
  function rocksdb(location: string): RocksDB;
  export default rocksdb;
}

// A small promise API over one RocksDB instance (the binding level-rocksdb bundles). Keys and
// values are raw bytes; callers own their encodings. Writes go through atomic batches.

import rocksdb from 'rocksdb';
import type { RocksDB, BatchOperation, OpenOptions } from 'rocksdb';
import binding from 'rocksdb/binding.js';
import { mkdir } from 'node:fs/promises';
import { SqlError, SqlState } from '../common/errors.js';

export type WriteOperation = BatchOperation;

/**
 * Adds operations to a write batch being built. Keys and values may be plain Uint8Array views (the
 * binding takes any ArrayBuffer view, and copies it): cheaper to make than Buffer views.
 */
export interface BatchWriter {
  put(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
}

export interface KeyRange {
  readonly gte?: Buffer;
  readonly gt?: Buffer;
  readonly lt?: Buffer;
  readonly lte?: Buffer;
  readonly reverse?: boolean;
  readonly limit?: number;
}

/** Entries of one chunk of a scan, in key order. */
export interface ScanChunk {
  readonly keys: Buffer[];
  readonly values: Buffer[];
}

/** A native write batch filled by RocksStore.fillBatch, not written yet. */
export interface FilledBatch {
  readonly handle: unknown;
}

/** Reads of the store as it was when the reader was made (see RocksStore.snapshotReader). */
export interface SnapshotReader {
  get(key: Buffer): Promise<Buffer | undefined>;
  /** Entries whose keys start with `prefix`, in key order. */
  withPrefix(prefix: Buffer): Promise<ScanChunk>;
  close(): Promise<void>;
}

export type StoreOptions = Pick<OpenOptions, 'cacheSize' | 'writeBufferSize' | 'blockSize' | 'maxOpenFiles'>;

/** Bytes the binding gathers per chunk before handing it over (it also stops at 1000 entries). */
const scanChunkBytes = 1024 * 1024;

/** Bytes per chunk read after a seek: a prefix seldom holds more, and the chunk overshoots it. */
const seekChunkBytes = 4 * 1024;

function ioError(what: string, error: Error): SqlError {
  return new SqlError(SqlState.ioError, `RocksDB ${what} failed: ${error.message}`);
}

export class RocksStore {
  private constructor(private readonly db: RocksDB, readonly location: string) {}

  static async open(location: string, options: StoreOptions = {}): Promise<RocksStore> {
    await mkdir(location, { recursive: true });
    const db = rocksdb(location);
    await new Promise<void>((resolve, reject) => {
      db.open({ ...options, createIfMissing: true }, (error) => (error ? reject(ioError(`open of ${location}`, error)) : resolve()));
    });
    return new RocksStore(db, location);
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(key, { asBuffer: true }, (error, value) => {
        if (error) {
          if (/NotFound/i.test(error.message)) resolve(undefined);
          else reject(ioError('get', error));
        } else resolve(value);
      });
    });
  }

  /** RocksDB's estimate of its memory: memtables, index and filter blocks of open tables, block cache. */
  memoryBytes(): { memtables: bigint; tableReaders: bigint; blockCache: bigint } {
    const property = (name: string): bigint => {
      try {
        return BigInt(this.db.getProperty(name) || '0');
      } catch {
        return 0n;
      }
    };
    return {
      memtables: property('rocksdb.cur-size-all-mem-tables'),
      tableReaders: property('rocksdb.estimate-table-readers-mem'),
      blockCache: property('rocksdb.block-cache-usage'),
    };
  }

  /** Values of many keys in one native call (undefined where a key is absent), in key order given. */
  getMany(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      binding.db_get_many(this.context, keys, { asBuffer: true, fillCache: true }, (error, values) => {
        if (error) reject(ioError('getMany', error));
        else resolve(values);
      });
    });
  }

  /** The binding's handle of the open database, for the native calls that skip per-item JS wrappers. */
  private get context(): unknown {
    return (this.db as unknown as { readonly context: unknown }).context;
  }

  /**
   * Applies all operations atomically. `sync` makes RocksDB fsync its WAL before acknowledging.
   * The batch is built with one native call per operation (about 4x cheaper on the main thread
   * than handing the binding an array of operation objects).
   */
  write(operations: readonly WriteOperation[], sync = false): Promise<void> {
    if (operations.length === 0) return Promise.resolve();
    return this.writeBatch((batch) => {
      for (const operation of operations) {
        if (operation.type === 'put') batch.put(operation.key, operation.value);
        else batch.del(operation.key);
      }
    }, sync);
  }

  /** Like write(), for a batch `fill` adds puts and deletes to directly (no operation object each). */
  writeBatch(fill: (batch: BatchWriter) => void, sync = false): Promise<void> {
    return this.writeFilled(this.fillBatch(fill), sync);
  }

  /**
   * A native batch filled now (RocksDB copies what it is given), to be written by writeFilled:
   * filling the next batch can then overlap this one's write, which runs on the thread pool.
   */
  fillBatch(fill: (batch: BatchWriter) => void): FilledBatch {
    const handle = binding.batch_init(this.context);
    fill({
      put: (key, value) => binding.batch_put(handle, key, value),
      del: (key) => binding.batch_del(handle, key),
    });
    return { handle };
  }

  writeFilled(batch: FilledBatch, sync = false): Promise<void> {
    return new Promise((resolve, reject) => {
      binding.batch_write(batch.handle, { sync }, (error) => (error ? reject(ioError('write', error)) : resolve()));
    });
  }

  /** Iterates a key range in order, yielding [key, value] pairs. */
  async *scan(range: KeyRange = {}): AsyncGenerator<[Buffer, Buffer]> {
    const iterator = this.db.iterator({ ...range, keyAsBuffer: true, valueAsBuffer: true });
    try {
      for (;;) {
        const entry = await new Promise<[Buffer, Buffer] | undefined>((resolve, reject) => {
          iterator.next((error, key, value) => {
            if (error) reject(ioError('iterate', error));
            else resolve(key === undefined || value === undefined ? undefined : [key, value]);
          });
        });
        if (entry === undefined) return;
        yield entry;
      }
    } finally {
      await new Promise<void>((resolve) => iterator.end(() => resolve()));
    }
  }

  /**
   * Iterates a key range in order in chunks of up to ~1000 entries, taken straight from the
   * binding's batched reads (one native call per chunk rather than one callback per entry).
   * With `keys: false` the keys come back empty (cheaper when the values say everything).
   */
  async *scanChunks(range: KeyRange = {}, options: { readonly keys?: boolean } = {}): AsyncGenerator<ScanChunk> {
    const keys = options.keys ?? true;
    const iterator = this.db.iterator({ ...range, keys, keyAsBuffer: true, valueAsBuffer: true, highWaterMark: scanChunkBytes });
    const context = (iterator as unknown as { readonly context: unknown }).context;
    try {
      for (;;) {
        const { entries, finished } = await new Promise<{ entries: Buffer[]; finished: boolean }>((resolve, reject) => {
          binding.iterator_next(context, (error, entries, finished) => {
            if (error) reject(ioError('iterate', error));
            else resolve({ entries, finished });
          });
        });
        if (entries.length > 0) {
          const count = entries.length >> 1;
          const keys = new Array<Buffer>(count);
          const values = new Array<Buffer>(count);
          for (let index = 0; index < count; index++) {
            keys[index] = entries[entries.length - 1 - 2 * index]!;
            values[index] = entries[entries.length - 2 - 2 * index]!;
          }
          yield { keys, values };
        }
        if (finished) return;
      }
    } finally {
      await new Promise<void>((resolve) => iterator.end(() => resolve()));
    }
  }

  /**
   * Reads within `range` as of now: one iterator (which holds RocksDB's snapshot from its creation,
   * made synchronously here) that each read seeks, then reads from. Reads run one at a time, so
   * one reader serves any number of lookups with one snapshot and one native iterator; close()
   * releases both.
   */
  snapshotReader(range: KeyRange): SnapshotReader {
    const iterator = this.db.iterator({ ...range, keyAsBuffer: true, valueAsBuffer: true, highWaterMark: seekChunkBytes });
    const context = (iterator as unknown as { readonly context: unknown }).context;
    let queue: Promise<unknown> = Promise.resolve();
    const serially = <T>(read: () => Promise<T>): Promise<T> => {
      const result = queue.then(read);
      queue = result.catch(() => undefined);
      return result;
    };
    const next = (): Promise<{ entries: Buffer[]; finished: boolean }> => new Promise((resolve, reject) => {
      binding.iterator_next(context, (error, entries, finished) => (error ? reject(ioError('iterate', error)) : resolve({ entries, finished })));
    });
    // The binding's first read after a seek returns exactly the entry sought; later reads, chunks.
    const get = async (key: Buffer): Promise<Buffer | undefined> => {
      binding.iterator_seek(context, key);
      const { entries } = await next();
      const found = entries[entries.length - 1];
      return found !== undefined && found.equals(key) ? entries[entries.length - 2] : undefined;
    };
    const withPrefix = async (prefix: Buffer): Promise<ScanChunk> => {
      const keys: Buffer[] = [];
      const values: Buffer[] = [];
      binding.iterator_seek(context, prefix);
      for (;;) {
        const { entries, finished } = await next();
        for (let index = entries.length - 1; index > 0; index -= 2) {
          const key = entries[index]!;
          if (key.length < prefix.length || prefix.compare(key, 0, prefix.length) !== 0) return { keys, values };
          keys.push(key);
          values.push(entries[index - 1]!);
        }
        if (finished || entries.length === 0) return { keys, values };
      }
    };
    return {
      get: (key) => serially(() => get(key)),
      withPrefix: (prefix) => serially(() => withPrefix(prefix)),
      close: () => queue.then(() => new Promise<void>((resolve) => iterator.end(() => resolve()))),
    };
  }

  /** Deletes every key in the range (not atomic with other writes). */
  clear(range: KeyRange): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.clear({ ...range }, (error) => (error ? reject(ioError('clear', error)) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.close((error) => (error ? reject(ioError('close', error)) : resolve()));
    });
  }
}

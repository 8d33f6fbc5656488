// The KV tablet of one bucket of a primary-key table: the table's current rows in RocksDB, keyed by
// primary key, kept as a replay of the bucket's changelog (the log tablet is the source of truth,
// as in Fluss's KvTablet). A write goes in three steps so the caller can group-commit across
// tablets:
//   1. prepare(writes): merges the writes with the current rows (RocksDB + the pre-write buffer)
//      per merge engine, emits the change records as a log batch, and puts the new row states in
//      the pre-write buffer so the next prepare builds on them;
//   2. the caller appends the batch to the log and fsyncs it;
//   3. apply(prepared, lastOffset): writes the rows and the new applied offset to RocksDB in one
//      atomic batch (not fsynced: the log replays whatever RocksDB loses), then drops them from the
//      buffer. discard(prepared) instead forgets a change that never reached the log.
// Readers (get, getMany, scan, scanIndex, count) see applied rows only.
//
// Secondary indexes (index-codec.ts, kv-indexes.ts): apply also deletes the index entries of each
// changed key's row before the change and puts those of its row after it, in the same RocksDB
// batch. The row before is the state the prepare merged into (pre-write buffer or RocksDB), which
// is the applied state when the change is applied, since applies follow prepares in log order.
//
// Merge engines: last_row (the new row wins; partial updates keep the unnamed columns),
// first_row (the first row of a key is kept, later upserts are ignored), versioned (a row replaces
// the current one only if its version is ≥ the current version). As in Fluss, first_row and
// versioned tables ignore deletes and do not take partial updates.
// Invariants: prepares, buffer releases and discards are serialised by one mutex; applies happen in
// log order (asserted on the offsets); a write that changes nothing emits nothing.

import { Decimal } from '../../common/decimal.js';
import { internalError, notSupported, SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { MergeEngine } from '../../common/schema.js';
import type { Value } from '../../common/types.js';
import type { ColumnarBatch } from '../log/columnar-batch.js';
import type { LogTablet } from '../log/log-tablet.js';
import type { BatchWriter, FilledBatch, KeyRange, ScanChunk, WriteOperation } from '../rocks-store.js';
import { ChangeBatchBuilder, ChangeType } from './change-batch.js';
import { prefixSuccessor } from './key-codec.js';
import { recoverTablet } from './kv-recovery.js';
import { IndexCodec, type IndexRange, type KvIndexSpec } from './index-codec.js';
import { buildIndex, dropIndexEntries, indexChanges } from './kv-indexes.js';
import type { KvStore, KvTabletMeta } from './kv-store.js';
import { chunkKey, chunkRow, KvLoad, type LoadChunk } from './kv-load.js';
import { PackedLayer, PreWriteBuffer, SortedLayer, type BufferLayer, type BufferedRow } from './pre-write-buffer.js';
import { TabletCodec, type KvColumn } from './tablet-codec.js';

export { ChangeType } from './change-batch.js';

export interface KvSchema {
  /** The table's columns (the log has `_change_type` before them). */
  readonly columns: readonly KvColumn[];
  /** Column indexes of the primary key, in key order. */
  readonly primaryKey: readonly number[];
  readonly mergeEngine: MergeEngine;
  /** Column index of the version for mergeEngine 'versioned'. */
  readonly versionColumn?: number;
  readonly changelogImage: 'full' | 'wal';
}

/**
 * One write of a prepare. Its row becomes the key's buffered state as it is (no copy): the caller
 * hands it over and must not change it afterwards.
 */
export type KvWrite =
  /** Insert or replace; with `columns`, a partial update: only those columns change (key columns always included). */
  | { readonly kind: 'upsert'; readonly row: readonly Value[]; readonly columns?: readonly number[] }
  /** INSERT ... ON CONFLICT DO NOTHING. */
  | { readonly kind: 'insertIfAbsent'; readonly row: readonly Value[] }
  /**
   * INSERT ... ON CONFLICT DO UPDATE: inserts `row` for a new key; for an existing key, `merge`
   * computes the new row from the current one (null: leave it), keeping the key.
   */
  | { readonly kind: 'upsertMerge'; readonly row: readonly Value[]; readonly merge: (current: readonly Value[]) => Value[] | null }
  /** Deletes the row with these primary-key values (in key order). */
  | { readonly kind: 'delete'; readonly key: readonly Value[] }
  /**
   * Takes back a partial update: sets `columns` of the row with `row`'s key to NULL, and deletes the
   * row once none of its non-key columns holds a value (last_row only).
   */
  | { readonly kind: 'retract'; readonly row: readonly Value[]; readonly columns: readonly number[] };

/** A bound of a scan: primary-key values in key order, all columns or a leading subset of them. */
export interface KeyBound {
  readonly key: readonly Value[];
  readonly inclusive: boolean;
}

export interface ScanOptions {
  /** Leading primary-key columns every row must have (e.g. the bucket key). */
  readonly prefix?: readonly Value[];
  readonly from?: KeyBound;
  readonly to?: KeyBound;
  /** At most this many rows in all. */
  readonly limit?: number;
}

/** A prepare of at least this many changed keys hands them to the pre-write buffer as one layer. */
const defaultLayerKeysMin = 256;

/** Lookups as of one point (see KvTablet.lookupReader); rows per prefix, in the order given. */
export interface TabletLookupReader {
  byIndex(indexId: number, prefixes: readonly (readonly Value[])[]): Promise<Value[][][]>;
  byKeyPrefix(prefixes: readonly (readonly Value[])[]): Promise<Value[][][]>;
  close(): Promise<void>;
}

export interface KvTabletOptions {
  /** Changed keys from which a prepare goes into the pre-write buffer as one layer (tests lower it). */
  readonly bufferLayerKeysMin?: number;
}

/** The result of prepare: the change records for the log and the row states to apply. */
export class PreparedChanges {
  /** @internal */ state: 'prepared' | 'applied' | 'discarded' = 'prepared';

  /** @internal */
  constructor(
    readonly tabletId: number,
    /** `_change_type` then the table's columns; `rowCount` is 0 when nothing changed (append nothing). */
    readonly batch: ColumnarBatch,
    /** Rows the changes add to the table (negative when they delete more than they insert). */
    readonly rowCountDelta: number,
    /**
     * @internal The changed keys (latin1) and their entries (`original` is the row before), in order;
     * no key ids for a load of fresh keys (see prepareFresh).
     */
    readonly keyIds: readonly string[] | null,
    /** @internal */ readonly entries: readonly BufferedRow[],
    /** @internal The pre-write buffer layer holding the entries, if they went in as one. */
    readonly layer: BufferLayer | null,
    /** @internal A chunk of a load inserted as it is (see prepareLoad): its rows, not `entries`, are applied. */
    readonly packed: LoadChunk | null = null,
  ) {}

  get recordCount(): number {
    return this.batch.rowCount;
  }
}

/** An apply's filled batch and the meta it writes. */
interface FilledApply {
  readonly meta: KvTabletMeta;
  readonly batch: FilledBatch;
}

/** The state of a key while a prepare merges writes into it: the entry it buffers if it changes the key. */
type Current = BufferedRow;

interface PendingGet {
  readonly key: Buffer;
  resolve(value: Buffer | undefined): void;
  reject(error: unknown): void;
}

export class KvTablet {
  private pendingGets: PendingGet[] | null = null;
  /** Bumped whenever applied rows change (apply, truncate, drop): a lookup that saw it change may hold an old row. */
  private applyGeneration = 0;
  /** Applies whose RocksDB write is under way (their rows may already be visible; the generation is bumped after). */
  private applyingWrites = 0;

  private readonly buffer = new PreWriteBuffer();
  private mutex: Promise<unknown> = Promise.resolve();
  /** The write stage of the last apply called (all applies' writes run in call order). */
  private applyQueue: Promise<unknown> = Promise.resolve();
  /** The fill stage of the last apply called, and the write stage of the apply before it. */
  private fillQueue: Promise<unknown> = Promise.resolve();
  private writeBeforeLast: Promise<unknown> = Promise.resolve();
  /** The meta as of the last apply filled, while its write is pending. */
  private filledMeta: KvTabletMeta | null = null;
  private closed = false;
  private codec: TabletCodec;
  /** Secondary indexes maintained with the rows; replaced (never mutated) by createIndex and dropIndex. */
  private indexes: readonly IndexCodec[];

  private constructor(
    private readonly store: KvStore,
    readonly tabletId: number,
    private schema: KvSchema,
    private meta: KvTabletMeta,
    codec: TabletCodec,
    indexes: readonly IndexCodec[],
    private readonly layerKeysMin: number,
  ) {
    this.codec = codec;
    this.indexes = indexes;
  }

  /** Opens the tablet with its secondary indexes, recovering both from `log` (see kv-recovery.ts). */
  static async open(store: KvStore, tabletId: number, schema: KvSchema, log: LogTablet, indexes: readonly KvIndexSpec[] = [],
    options: KvTabletOptions = {}): Promise<KvTablet> {
    validateSchema(schema, log);
    const codec = new TabletCodec(store.dataPrefix(tabletId), schema.columns, schema.primaryKey);
    const indexCodecs = indexes.map((spec) => indexCodecOf(store, tabletId, schema, spec));
    const meta = await recoverTablet(store, tabletId, codec, log, indexCodecs);
    return new KvTablet(store, tabletId, schema, meta, codec, indexCodecs, options.bufferLayerKeysMin ?? defaultLayerKeysMin);
  }

  /** Log offset after the last change record applied. */
  get appliedEnd(): bigint {
    return this.meta.appliedEnd;
  }

  /** Keys whose changes are prepared but not applied yet. */
  get pendingKeys(): number {
    return this.buffer.size;
  }

  /** Runs `work` alone among prepares, discards and buffer releases. */
  private exclusive<T>(work: () => Promise<T> | T, evenIfClosed = false): Promise<T> {
    const result = this.mutex.then(() => {
      if (this.closed && !evenIfClosed) throw internalError(`KV tablet ${this.tabletId} is closed`);
      return work();
    });
    this.mutex = result.catch(() => undefined);
    return result;
  }

  // ---- writing --------------------------------------------------------------------------------

  /** Step 1: merges `writes` in order and returns their change records (see the file comment). */
  prepare(writes: readonly KvWrite[]): Promise<PreparedChanges> {
    return this.exclusive(() => this.prepareNow(writes));
  }

  private async prepareNow(writes: readonly KvWrite[]): Promise<PreparedChanges> {
    const codec = this.codec;
    const keys = writes.map((write) => (write.kind === 'delete' ? codec.key(checkKey(write.key, codec)) : codec.rowKey(checkRow(write.row, codec))));
    if (this.meta.rowCount === 0 && this.buffer.size === 0 && writes.length >= this.layerKeysMin && ascending(keys)) {
      return this.prepareFresh(writes, keys);
    }
    const keyIds = keys.map((key) => key.toString('latin1'));
    // With no applied rows, a key the pre-write buffer does not hold has no row: nothing to read.
    const stored = this.meta.rowCount === 0 ? null : await this.readUnbuffered(keys, keyIds);
    const local = new Map<string, Current>();
    const changes = new ChangeBatchBuilder(codec.columns.length);
    for (let index = 0; index < writes.length; index++) {
      const keyId = keyIds[index]!;
      let current = local.get(keyId);
      if (current === undefined) {
        const buffered = this.buffer.get(keyId);
        const encoded = buffered !== undefined ? buffered.encoded : (stored?.get(keyId) ?? null);
        current = {
          key: keys[index]!, row: buffered?.row, encoded, original: encoded, changed: false,
          sequence: 0, previous: buffered, state: 'pending',
        };
        local.set(keyId, current);
      }
      this.merge(writes[index]!, current, changes);
    }
    return this.stage(changes, local);
  }

  /**
   * A prepare into a tablet without applied or pending rows whose keys strictly ascend (a bulk load
   * in key order): every key starts without a row and comes once, so none is looked up or kept by
   * id, and the changed keys go into the pre-write buffer as one sorted layer. The row cache holds
   * none of these keys (RocksDB has never had them since it was last emptied), so their apply
   * leaves it alone.
   */
  private prepareFresh(writes: readonly KvWrite[], keys: readonly Buffer[]): PreparedChanges {
    const changes = new ChangeBatchBuilder(this.codec.columns.length);
    const entries: BufferedRow[] = [];
    for (let index = 0; index < writes.length; index++) {
      const entry: Current = {
        key: keys[index]!, row: undefined, encoded: null, original: null, changed: false, sequence: 0, previous: undefined, state: 'pending',
      };
      this.merge(writes[index]!, entry, changes);
      if (entry.changed) entries.push(entry);
    }
    const layer = entries.length > 0 ? new SortedLayer(entries) : null;
    if (layer !== null) this.buffer.putLayer(layer);
    return new PreparedChanges(this.tabletId, changes.build(), changes.rowCountDelta, null, entries, layer);
  }

  /** A bulk load into this tablet, encoded with its codec as of now (see kv-load.ts and prepareLoad). */
  startLoad(): KvLoad {
    return new KvLoad(this.codec);
  }

  /**
   * Whether prepareLoad would, as of now, take `load` as it is (its chunks' log batches then are
   * exactly what the commit appends): see prepareLoad.
   */
  loadsAsItIs(load: KvLoad): boolean {
    return load.ascending && load.codec === this.codec && this.meta.rowCount === 0 && this.buffer.size === 0
      && this.schema.mergeEngine !== 'versioned';
  }

  /**
   * Step 1 for a bulk load: upserts of `chunks`' rows, in order, one prepared change per chunk (each
   * its own log batch and RocksDB batch). A load of strictly ascending keys into a tablet without
   * applied or pending rows, encoded with the current codec, under a merge engine that inserts
   * such rows as they are (not versioned, which checks each version), is prepared as it is: every
   * row an insert, its chunks the log batches, their packed rows the pre-write buffer's layers.
   * Any other load is decoded and prepared chunk after chunk like upserts.
   */
  prepareLoad(load: KvLoad, chunks: readonly LoadChunk[]): Promise<PreparedChanges[]> {
    return this.exclusive(async () => {
      const prepared: PreparedChanges[] = [];
      if (this.loadsAsItIs(load)) {
        for (const chunk of chunks) {
          const layer = new PackedLayer(chunk);
          this.buffer.putLayer(layer);
          prepared.push(new PreparedChanges(this.tabletId, chunk.log, chunk.rowCount, null, [], layer, chunk));
        }
        return prepared;
      }
      try {
        for (const chunk of chunks) {
          const writes: KvWrite[] = [];
          for (let index = 0; index < chunk.rowCount; index++) {
            const row = this.codec.decodeRow(chunkRow(chunk, index));
            writes.push({ kind: 'upsert', row });
          }
          prepared.push(await this.prepareNow(writes));
        }
      } catch (error) {
        for (let index = prepared.length - 1; index >= 0; index--) this.discardNow(prepared[index]!);
        throw error;
      }
      return prepared;
    });
  }

  /** RocksDB's rows for the keys the pre-write buffer does not hold, in one getMany. */
  private async readUnbuffered(keys: readonly Buffer[], keyIds: readonly string[]): Promise<Map<string, Buffer | undefined>> {
    const wanted = new Map<string, Buffer>();
    for (let index = 0; index < keys.length; index++) {
      const keyId = keyIds[index]!;
      if (!wanted.has(keyId) && this.buffer.get(keyId) === undefined) wanted.set(keyId, keys[index]!);
    }
    const found = new Map<string, Buffer | undefined>();
    if (wanted.size === 0) return found;
    const values = await this.store.rocks.getMany([...wanted.values()]);
    let index = 0;
    for (const keyId of wanted.keys()) found.set(keyId, values[index++]);
    return found;
  }

  private merge(write: KvWrite, current: Current, changes: ChangeBatchBuilder): void {
    const engine = this.schema.mergeEngine;
    switch (write.kind) {
      case 'insertIfAbsent':
        if (current.encoded === null) this.put(current, write.row as Value[], changes);
        return;
      case 'upsertMerge': {
        if (engine !== 'last_row') throw notSupported(`ON CONFLICT DO UPDATE is not supported on a table with merge engine ${engine}`);
        if (current.encoded === null) {
          this.put(current, write.row as Value[], changes);
          return;
        }
        const existing = this.rowOf(current);
        const merged = write.merge(existing);
        if (merged === null) return;
        for (const column of this.schema.primaryKey) merged[column] = existing[column]!;
        this.put(current, merged, changes);
        return;
      }
      case 'delete':
        if (engine !== 'last_row' || current.encoded === null) return;
        this.remove(current, changes);
        return;
      case 'retract': {
        if (engine !== 'last_row') throw notSupported(`partial update is not supported on a table with merge engine ${engine}`);
        if (current.encoded === null) return;
        const row = this.rowOf(current).slice();
        for (const column of write.columns) if (!this.schema.primaryKey.includes(column)) row[column] = null;
        if (row.every((value, column) => value === null || this.schema.primaryKey.includes(column))) this.remove(current, changes);
        else this.put(current, row, changes);
        return;
      }
      case 'upsert': {
        if (write.columns !== undefined && engine !== 'last_row') {
          throw notSupported(`partial update is not supported on a table with merge engine ${engine}`);
        }
        if (current.encoded !== null && engine === 'first_row') return;
        const row = write.columns === undefined ? write.row as Value[] : this.partialRow(write.row, write.columns, current);
        if (current.encoded !== null && engine === 'versioned' && !this.versionWins(row, this.rowOf(current))) return;
        this.put(current, row, changes);
        return;
      }
    }
  }

  private remove(current: Current, changes: ChangeBatchBuilder): void {
    changes.add(ChangeType.delete, this.rowOf(current));
    current.encoded = null;
    current.row = null;
    current.changed = true;
  }

  /** Makes `row` the key's state, emitting insert or update records unless nothing changes. */
  private put(current: Current, row: Value[], changes: ChangeBatchBuilder): void {
    if (this.schema.mergeEngine === 'versioned') this.versionOf(row);
    const encoded = this.codec.encodeRow(row);
    if (current.encoded === null) {
      changes.add(ChangeType.insert, row);
    } else {
      if (current.encoded.equals(encoded)) return;
      if (this.schema.changelogImage === 'full') changes.add(ChangeType.updateBefore, this.rowOf(current));
      changes.add(ChangeType.updateAfter, row);
    }
    current.encoded = encoded;
    current.row = row;
    current.changed = true;
  }

  private rowOf(current: Current): Value[] {
    if (current.row === undefined || current.row === null) {
      if (current.encoded === null) throw internalError('row of a missing key');
      current.row = this.codec.decodeRow(current.encoded);
    }
    return current.row;
  }

  private partialRow(values: readonly Value[], columns: readonly number[], current: Current): Value[] {
    const row = current.encoded === null ? new Array<Value>(values.length).fill(null) : this.rowOf(current).slice();
    for (const column of columns) {
      if (!(Number.isInteger(column) && column >= 0 && column < row.length)) throw internalError(`partial update of column ${column}`);
      row[column] = values[column]!;
    }
    for (const column of this.schema.primaryKey) row[column] = values[column]!;
    return row;
  }

  private versionOf(row: readonly Value[]): Value {
    const version = row[this.schema.versionColumn!]!;
    if (version === null) {
      const name = this.schema.columns[this.schema.versionColumn!]!.name;
      throw new SqlError(SqlState.notNullViolation, `null value in version column "${name}" of a versioned table`, { column: name });
    }
    return version;
  }

  /** Fluss's versioned merge: the new row wins when its version is newer or equal. */
  private versionWins(row: readonly Value[], old: readonly Value[]): boolean {
    const version = this.versionOf(row);
    const oldVersion = old[this.schema.versionColumn!]!;
    if (oldVersion === null) return true;
    if (version instanceof Decimal && oldVersion instanceof Decimal) return version.compare(oldVersion) >= 0;
    if ((typeof version === 'number' || typeof version === 'bigint') && (typeof oldVersion === 'number' || typeof oldVersion === 'bigint')) {
      return version >= oldVersion;
    }
    throw internalError(`version values ${typeof version} and ${typeof oldVersion} cannot be compared`);
  }

  /** Puts the final state of every changed key into the pre-write buffer. */
  private stage(changes: ChangeBatchBuilder, local: Map<string, Current>): PreparedChanges {
    const keyIds: string[] = [];
    const entries: BufferedRow[] = [];
    if (changes.recordCount > 0) {
      for (const [keyId, current] of local) {
        if (!current.changed) continue;
        keyIds.push(keyId);
        entries.push(current);
      }
    }
    const layer = entries.length >= this.layerKeysMin ? local : null;
    if (layer !== null) this.buffer.putLayer(layer);
    else for (let index = 0; index < entries.length; index++) this.buffer.put(keyIds[index]!, entries[index]!);
    return new PreparedChanges(this.tabletId, changes.build(), changes.rowCountDelta, keyIds, entries, layer);
  }

  /**
   * Step 3: writes the prepared rows and the applied offset (`lastOffset`: the offset of the batch's
   * last record in the log) to RocksDB in one atomic batch. `lastOffset` may be omitted when the
   * batch was empty. Applies run in the order they are called, in two stages: the next apply fills
   * its native batch while this one's is being written (at most one filled batch waits), so a load
   * of many chunks fills and writes at once.
   */
  apply(prepared: PreparedChanges, lastOffset?: bigint): Promise<void> {
    const filled = Promise.all([this.fillQueue, this.writeBeforeLast]).then(() => this.fillApply(prepared, lastOffset));
    this.fillQueue = filled.catch(() => undefined);
    const previousWrite = this.applyQueue;
    const result = Promise.all([filled, previousWrite]).then(([apply]) => (apply === null ? undefined : this.writeApply(prepared, apply)));
    this.writeBeforeLast = previousWrite;
    this.applyQueue = result.catch(() => undefined);
    return result;
  }

  /** The first stage of an apply: checks it and fills its batch (null: nothing to write). */
  private fillApply(prepared: PreparedChanges, lastOffset: bigint | undefined): FilledApply | null {
    if (prepared.tabletId !== this.tabletId || prepared.state !== 'prepared') {
      throw internalError(`apply of changes ${prepared.state} for tablet ${prepared.tabletId} on tablet ${this.tabletId}`);
    }
    prepared.state = 'applied';
    if (prepared.recordCount === 0) return null;
    const before = this.filledMeta ?? this.meta;
    if (lastOffset === undefined || lastOffset + 1n - BigInt(prepared.recordCount) < before.appliedEnd) {
      throw internalError(`apply of ${prepared.recordCount} records ending at ${lastOffset} on tablet ${this.tabletId} applied up to ${before.appliedEnd}`);
    }
    const meta: KvTabletMeta = { baseOffset: before.baseOffset, appliedEnd: lastOffset + 1n, rowCount: before.rowCount + prepared.rowCountDelta };
    const { entries, packed } = prepared;
    const operations: WriteOperation[] = [];
    const indexes = this.indexes;
    if (indexes.length > 0 && packed !== null) {
      for (let index = 0; index < packed.rowCount; index++) {
        indexChanges(indexes, chunkKey(packed, index), null, this.codec.decodeRow(chunkRow(packed, index)), operations);
      }
    }
    if (indexes.length > 0) {
      for (const entry of entries) {
        const after = entry.encoded === null ? null : (entry.row ?? this.codec.decodeRow(entry.encoded));
        const before = entry.original;
        indexChanges(indexes, entry.key, before === null ? null : this.codec.decodeRow(before), after, operations);
      }
    }
    operations.push({ type: 'put', key: this.store.metaKey(this.tabletId), value: this.store.encodeMeta(meta) });
    const batch = this.store.rocks.fillBatch((writer) => {
      if (packed !== null) putPacked(writer, packed);
      for (let index = 0; index < entries.length; index++) {
        const entry = entries[index]!;
        if (entry.encoded === null) writer.del(entry.key);
        else writer.put(entry.key, entry.encoded);
      }
      for (const operation of operations) {
        if (operation.type === 'put') writer.put(operation.key, operation.value);
        else writer.del(operation.key);
      }
    });
    this.filledMeta = meta;
    return { meta, batch };
  }

  /** The second stage of an apply: writes its batch, then updates the row cache, the meta and the pre-write buffer. */
  private async writeApply(prepared: PreparedChanges, apply: FilledApply): Promise<void> {
    const { keyIds, entries } = prepared;
    this.applyingWrites++;
    try {
      await this.store.rocks.writeFilled(apply.batch);
      this.applyGeneration++;
    } finally {
      this.applyingWrites--;
    }
    const cache = this.store.rowCache;
    const writeThrough = entries.length <= limits.kvRowCacheApplyKeysMax;
    for (let index = 0; keyIds !== null && index < entries.length; index++) {
      const encoded = entries[index]!.encoded;
      // The cache keeps a copy: the encoded row is a view into a shared arena chunk.
      if (encoded === null || !writeThrough) cache.delete(keyIds[index]!);
      else cache.set(keyIds[index]!, encoded);
    }
    this.meta = apply.meta;
    if (this.filledMeta === apply.meta) this.filledMeta = null;
    await this.exclusive(() => {
      if (prepared.layer !== null) this.buffer.appliedLayer(prepared.layer);
      else for (let index = 0; keyIds !== null && index < entries.length; index++) this.buffer.applied(keyIds[index]!, entries[index]!);
    }, true);
  }

  /** Forgets changes that were prepared but never appended (the statement failed). */
  discard(prepared: PreparedChanges): Promise<void> {
    return this.exclusive(() => this.discardNow(prepared));
  }

  private discardNow(prepared: PreparedChanges): void {
    if (prepared.state !== 'prepared') throw internalError(`discard of changes already ${prepared.state}`);
    prepared.state = 'discarded';
    if (prepared.layer !== null) {
      this.buffer.discardedLayer(prepared.layer);
      return;
    }
    const keyIds = prepared.keyIds ?? [];
    for (let index = prepared.entries.length - 1; index >= 0; index--) this.buffer.discarded(keyIds[index]!, prepared.entries[index]!);
  }

  /** TRUNCATE: drops every row; the caller has truncated the log (its end offset is `logEndOffset`). */
  async truncate(logEndOffset: bigint): Promise<void> {
    await this.applyQueue;
    return this.exclusive(async () => {
      if (this.buffer.size > 0) throw internalError(`truncate of KV tablet ${this.tabletId} with ${this.buffer.size} pending keys`);
      const meta: KvTabletMeta = { baseOffset: logEndOffset, appliedEnd: logEndOffset, rowCount: 0 };
      await this.store.resetTablet(this.tabletId, meta);
      this.applyGeneration++;
      this.meta = meta;
    });
  }

  /** ADD COLUMN: rows stored before read the new trailing columns as NULL. */
  evolveSchema(schema: KvSchema): Promise<void> {
    return this.exclusive(() => {
      if (schema.columns.length < this.schema.columns.length || schema.primaryKey.join() !== this.schema.primaryKey.join()) {
        throw internalError(`KV tablet ${this.tabletId} schema change must only add columns`);
      }
      this.schema = schema;
      this.codec = new TabletCodec(this.store.dataPrefix(this.tabletId), schema.columns, schema.primaryKey);
    });
  }

  /**
   * CREATE INDEX: builds the index's entries from the applied rows and maintains it from then on.
   * The caller guarantees that no change is applied meanwhile (the commit pipeline's exclusive
   * section); changes prepared before and applied after are maintained from their prior rows.
   */
  async createIndex(spec: KvIndexSpec): Promise<void> {
    await this.applyQueue;
    if (this.closed) throw internalError(`KV tablet ${this.tabletId} is closed`);
    if (this.indexes.some((index) => index.id === spec.id)) return;
    const index = indexCodecOf(this.store, this.tabletId, this.schema, spec);
    await buildIndex(this.store, this.tabletId, this.codec, index);
    this.indexes = [...this.indexes, index];
  }

  /** DROP INDEX: stops maintaining the index and deletes its entries (same precondition as createIndex). */
  async dropIndex(indexId: number): Promise<void> {
    await this.applyQueue;
    this.indexes = this.indexes.filter((index) => index.id !== indexId);
    if (!this.closed) await dropIndexEntries(this.store, this.tabletId, indexId);
  }

  /** Stored entries of an index (whether or not their rows still match them): for consistency checks. */
  async indexEntryCount(indexId: number): Promise<number> {
    const index = this.indexes.find((candidate) => candidate.id === indexId);
    if (index === undefined) throw internalError(`KV tablet ${this.tabletId} has no index ${indexId}`);
    let count = 0;
    for await (const chunk of this.store.rocks.scanChunks(index.wholeRange(), { keys: true })) count += chunk.keys.length;
    return count;
  }

  /** Ids of the secondary indexes the tablet maintains. */
  get indexIds(): readonly number[] {
    return this.indexes.map((index) => index.id);
  }

  /** Deletes the tablet's rows and metadata (DROP TABLE); the tablet cannot be used afterwards. */
  async drop(): Promise<void> {
    await this.applyQueue;
    return this.exclusive(async () => {
      this.closed = true;
      await this.store.resetTablet(this.tabletId, undefined);
      this.applyGeneration++;
    });
  }

  /** Waits for running work; the tablet cannot be used afterwards (the store stays open). */
  async close(): Promise<void> {
    await this.applyQueue;
    return this.exclusive(() => {
      this.closed = true;
    });
  }

  // ---- reading (applied rows only) ------------------------------------------------------------

  /** Rows in the tablet (applied). */
  count(): number {
    return this.meta.rowCount;
  }

  /**
   * Point lookup: from the store's row cache, else from RocksDB. Lookups that arrive in the same
   * turn of the event loop (from different connections) go to RocksDB as one getMany: one
   * thread-pool round trip instead of one each.
   */
  async get(key: readonly Value[]): Promise<Value[] | undefined> {
    const encoded = this.codec.key(checkKey(key, this.codec));
    const keyId = encoded.toString('latin1');
    const cache = this.store.rowCache;
    const cached = cache.get(keyId);
    if (cached !== undefined) return this.codec.decodeRow(cached);
    const generation = this.applyGeneration;
    const bytes = await new Promise<Buffer | undefined>((resolve, reject) => {
      if (this.pendingGets === null) {
        this.pendingGets = [];
        setImmediate(() => this.flushGets());
      }
      this.pendingGets.push({ key: encoded, resolve, reject });
    });
    if (bytes === undefined) return undefined;
    if (generation === this.applyGeneration && !this.closed) cache.set(keyId, bytes);
    return this.codec.decodeRow(bytes);
  }

  private flushGets(): void {
    const gets = this.pendingGets ?? [];
    this.pendingGets = null;
    this.store.rocks.getMany(gets.map((get) => get.key)).then(
      (values) => gets.forEach((get, index) => get.resolve(values[index])),
      (error: unknown) => gets.forEach((get) => get.reject(error)),
    );
  }


  async getMany(keys: readonly (readonly Value[])[]): Promise<(Value[] | undefined)[]> {
    if (keys.length === 0) return [];
    const codec = this.codec;
    const values = await this.store.rocks.getMany(keys.map((key) => codec.key(checkKey(key, codec))));
    return values.map((bytes) => (bytes === undefined ? undefined : codec.decodeRow(bytes)));
  }

  /** Like getMany, served from the row cache where it can be; the misses go to RocksDB together. */
  async getManyCached(keys: readonly (readonly Value[])[]): Promise<(Value[] | undefined)[]> {
    const codec = this.codec;
    const cache = this.store.rowCache;
    const results = new Array<Value[] | undefined>(keys.length);
    const misses: { index: number; encoded: Buffer; keyId: string }[] = [];
    keys.forEach((key, index) => {
      const encoded = codec.key(checkKey(key, codec));
      const keyId = encoded.toString('latin1');
      const cached = cache.get(keyId);
      if (cached !== undefined) results[index] = codec.decodeRow(cached);
      else misses.push({ index, encoded, keyId });
    });
    if (misses.length === 0) return results;
    const generation = this.applyGeneration;
    const values = await this.store.rocks.getMany(misses.map((miss) => miss.encoded));
    const fill = generation === this.applyGeneration && !this.closed;
    misses.forEach((miss, i) => {
      const bytes = values[i];
      if (bytes === undefined) return;
      if (fill) cache.set(miss.keyId, bytes);
      results[miss.index] = codec.decodeRow(bytes);
    });
    return results;
  }

  /** Rows in primary-key order, in batches (one per chunk the store iterates). */
  async *scan(options: ScanOptions = {}): AsyncGenerator<Value[][]> {
    const codec = this.codec;
    const range = this.scanRange(options);
    if (range === undefined) return;
    for await (const chunk of this.store.rocks.scanChunks(range, { keys: false })) {
      const rows = new Array<Value[]>(chunk.values.length);
      for (let index = 0; index < rows.length; index++) rows[index] = codec.decodeRow(chunk.values[index]!);
      yield rows;
    }
  }

  /**
   * Rows whose indexed columns are in `range`, in index order, in batches, as of the first call
   * of next() (which creates the RocksDB iterators, taking their snapshots): entries are read
   * from one iterator, their rows fetched per chunk with getMany, which is exact while no apply
   * has touched the tablet since; otherwise the chunk's rows are read again, one by one, from a
   * second iterator over the rows made at the start. Every entry is checked against its row.
   */
  async *scanIndex(indexId: number, range: IndexRange, limit = Number.POSITIVE_INFINITY): AsyncGenerator<Value[][]> {
    const index = this.indexes.find((candidate) => candidate.id === indexId);
    if (index === undefined) throw new SqlError(SqlState.undefinedObject, `index ${indexId} was dropped while a query read it`);
    const keyRange = index.keyRange(range);
    if (keyRange === undefined || limit <= 0) return;
    const generation = this.applyGeneration;
    const snapshot = this.store.rocks.snapshotReader({ gte: this.store.dataPrefix(this.tabletId), lt: this.store.dataEnd(this.tabletId) });
    try {
      yield* this.readIndexRows(index, keyRange, limit, async (rowKeys) => {
        const stored = await this.store.rocks.getMany(rowKeys);
        if (this.applyGeneration === generation && this.applyingWrites === 0) return stored;
        const again: (Buffer | undefined)[] = [];
        for (const key of rowKeys) again.push(await snapshot.get(key));
        return again;
      });
    } finally {
      await snapshot.close();
    }
  }

  /**
   * Many lookups by index prefix or primary-key prefix as of one point: one RocksDB iterator over
   * the tablet's rows and index entries, made now (its snapshot is of now), which the lookups seek
   * one after another. Index entries name their rows, which are read with getMany while no apply
   * has touched the tablet since the reader was made, else from the iterator. Close it when done.
   */
  lookupReader(): TabletLookupReader {
    const generation = this.applyGeneration;
    const snapshot = this.store.rocks.snapshotReader(this.store.rowsAndIndexesRange(this.tabletId));
    const codec = this.codec;
    const unchanged = (): boolean => this.applyGeneration === generation && this.applyingWrites === 0;
    const byIndex = async (indexId: number, prefixes: readonly (readonly Value[])[]): Promise<Value[][][]> => {
      const index = this.indexes.find((candidate) => candidate.id === indexId);
      if (index === undefined) throw new SqlError(SqlState.undefinedObject, `index ${indexId} was dropped while a query read it`);
      const entries: ScanChunk[] = [];
      for (const prefix of prefixes) {
        const range = index.keyRange({ prefix });
        entries.push(range?.gte === undefined ? { keys: [], values: [] } : await snapshot.withPrefix(range.gte));
      }
      const rowKeys = entries.flatMap((chunk) => chunk.values.map((value) => index.rowKeyOf(value)));
      let stored = await this.store.rocks.getMany(rowKeys);
      if (!unchanged()) {
        stored = [];
        for (const key of rowKeys) stored.push(await snapshot.get(key));
      }
      let next = 0;
      return entries.map((chunk) => {
        const rows: Value[][] = [];
        for (let entry = 0; entry < chunk.keys.length; entry++, next++) {
          const bytes = stored[next];
          if (bytes === undefined) continue;
          const row = codec.decodeRow(bytes);
          if (index.entryKey(row, rowKeys[next]!).equals(chunk.keys[entry]!)) rows.push(row);
        }
        return rows;
      });
    };
    const byKeyPrefix = async (prefixes: readonly (readonly Value[])[]): Promise<Value[][][]> => {
      const out: Value[][][] = [];
      for (const prefix of prefixes) {
        const chunk = await snapshot.withPrefix(codec.key(checkKeyPrefix(prefix, codec)));
        out.push(chunk.values.map((bytes) => codec.decodeRow(bytes)));
      }
      return out;
    };
    return { byIndex, byKeyPrefix, close: () => snapshot.close() };
  }

  private async *readIndexRows(index: IndexCodec, keyRange: KeyRange, limit: number,
    readRows: (rowKeys: Buffer[]) => Promise<(Buffer | undefined)[]>): AsyncGenerator<Value[][]> {
    let remaining = limit;
    for await (const chunk of this.store.rocks.scanChunks(keyRange)) {
      const rowKeys = chunk.values.map((value) => index.rowKeyOf(value));
      const stored = await readRows(rowKeys);
      const rows: Value[][] = [];
      for (let entry = 0; entry < stored.length && remaining > 0; entry++) {
        const bytes = stored[entry];
        if (bytes === undefined) continue;
        const row = this.codec.decodeRow(bytes);
        if (!index.entryKey(row, rowKeys[entry]!).equals(chunk.keys[entry]!)) continue;
        rows.push(row);
        remaining--;
      }
      if (rows.length > 0) yield rows;
      if (remaining <= 0) return;
    }
  }

  /** The RocksDB key range of a scan; undefined when it is empty. */
  private scanRange(options: ScanOptions): KeyRange | undefined {
    const codec = this.codec;
    let lower = this.store.dataPrefix(this.tabletId);
    let upper = this.store.dataEnd(this.tabletId);
    const raise = (bound: Buffer | undefined): void => { if (bound !== undefined && bound.compare(lower) > 0) lower = bound; };
    const lowerTo = (bound: Buffer | undefined): void => { if (bound !== undefined && bound.compare(upper) < 0) upper = bound; };
    if (options.prefix !== undefined && options.prefix.length > 0) {
      const prefix = codec.key(checkKeyPrefix(options.prefix, codec));
      raise(prefix);
      lowerTo(prefixSuccessor(prefix));
    }
    if (options.from !== undefined) {
      const from = codec.key(checkKeyPrefix(options.from.key, codec));
      raise(options.from.inclusive ? from : prefixSuccessor(from));
    }
    if (options.to !== undefined) {
      const to = codec.key(checkKeyPrefix(options.to.key, codec));
      lowerTo(options.to.inclusive ? prefixSuccessor(to) : to);
    }
    if (lower.compare(upper) >= 0) return undefined;
    if (options.limit !== undefined && options.limit <= 0) return undefined;
    return options.limit === undefined ? { gte: lower, lt: upper } : { gte: lower, lt: upper, limit: options.limit };
  }
}

function indexCodecOf(store: KvStore, tabletId: number, schema: KvSchema, spec: KvIndexSpec): IndexCodec {
  return new IndexCodec(spec, store.indexPrefix(tabletId, spec.id), store.dataPrefix(tabletId), schema.columns);
}

function validateSchema(schema: KvSchema, log: LogTablet): void {
  const logColumns = log.currentSchema.columns;
  if (logColumns.length !== schema.columns.length + 1 || logColumns[0]!.type.name !== 'int2') {
    throw internalError(`log ${log.dir} has ${logColumns.length} columns; a KV tablet of ${schema.columns.length} columns needs _change_type before them`);
  }
  if (schema.mergeEngine === 'versioned') {
    const column = schema.versionColumn;
    if (column === undefined || !(column >= 0 && column < schema.columns.length)) throw internalError('versioned KV tablet without a version column');
  }
}

/** Puts a load chunk's rows: views of its packed buffers (plain Uint8Arrays), made one at a time. */
function putPacked(batch: BatchWriter, chunk: LoadChunk): void {
  const { keys, keyEnds, rows, rowEnds } = chunk;
  const keyBuffer = keys.buffer;
  const rowBuffer = rows.buffer;
  let keyStart = keys.byteOffset;
  let rowStart = rows.byteOffset;
  for (let index = 0; index < chunk.rowCount; index++) {
    const keyEnd = keys.byteOffset + keyEnds[index]!;
    const rowEnd = rows.byteOffset + rowEnds[index]!;
    batch.put(new Uint8Array(keyBuffer, keyStart, keyEnd - keyStart), new Uint8Array(rowBuffer, rowStart, rowEnd - rowStart));
    keyStart = keyEnd;
    rowStart = rowEnd;
  }
}

/** Whether every key is greater than the one before it. */
function ascending(keys: readonly Buffer[]): boolean {
  for (let index = 1; index < keys.length; index++) if (keys[index - 1]!.compare(keys[index]!) >= 0) return false;
  return true;
}

function checkRow(row: readonly Value[], codec: TabletCodec): readonly Value[] {
  if (row.length !== codec.columns.length) throw internalError(`row of ${row.length} values for ${codec.columns.length} columns`);
  return row;
}

function checkKey(key: readonly Value[], codec: TabletCodec): readonly Value[] {
  if (key.length !== codec.primaryKey.length) throw internalError(`key of ${key.length} values for ${codec.primaryKey.length} key columns`);
  return key;
}

function checkKeyPrefix(key: readonly Value[], codec: TabletCodec): readonly Value[] {
  if (key.length > codec.primaryKey.length) throw internalError(`key prefix of ${key.length} values for ${codec.primaryKey.length} key columns`);
  return key;
}

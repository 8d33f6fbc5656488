// Secondary indexes of primary-key tables across their tablets, and the key lookups delta joins
// are built on. Each bucket's KV tablet keeps its own entries of every index of its table
// (kv/index-codec.ts, kv/kv-indexes.ts), written in the same RocksDB batches as its rows; this
// module builds and drops an index in every tablet at once and reads indexes across buckets.
//
// API for delta joins (and any reader of current rows by key), all reading RocksDB, holding no
// join state in memory, each row as the table's columns in order (no hidden columns):
//
//   lookupByIndex(table, indexOid, values)      → AsyncIterable<Value[][]>
//       the current rows whose first `values.length` indexed columns equal `values` (a NULL value
//       matches nothing), from every bucket and partition, in batches, in index order per bucket;
//   lookupByKeyPrefix(table, prefixValues)      → AsyncIterable<Value[][]>
//       the current rows whose leading primary-key columns equal `prefixValues`; only the bucket
//       the values hash to when they fix the bucket key, only the matching partition when they fix
//       the partition key;
//   lookupManyByIndex(table, indexOid, keys)    → Promise<Value[][][]>
//   lookupManyByKeyPrefix(table, keys)          → Promise<Value[][][]>
//       the same for many keys at once: the rows of each key, in `keys` order, all as of one
//       consistent point, with one RocksDB iterator per tablet that seeks each key in turn (a delta
//       join looks up the keys of a commit this way; an iterator per key would hold a snapshot and
//       native memory each while they all wait to be read);
//   scanIndex(table, tablets, indexOid, range, signal, limit?)
//       batch queries' index scans: rows in the scan row layout (columns, _bucket, _offset,
//       _commit_timestamp), equality on leading indexed columns and bounds on the next one.
// Reads see applied (durable, acknowledged) rows only; each bucket's index entries are read from a
// RocksDB iterator created at one consistent point of the commit pipeline, and the rows they name
// are fetched by primary key (getMany) and checked against the entry.
//
// CREATE INDEX and DROP INDEX run under the pipeline's exclusive section: no commit is prepared
// or applied while every tablet builds (or deletes) its entries, so the build sees every row once
// and every later change maintains the index.

import type { IndexDef, TableDef } from '../common/catalog-model.js';
import { bucketOfValues } from '../common/bucket-hash.js';
import { internalError, SqlError, SqlState } from '../common/errors.js';
import type { DataType, Value } from '../common/types.js';
import { formatText } from '../common/value-text.js';
import { kvIndexSpecsOf, type IndexRange } from './kv/index-codec.js';
import type { TabletLookupReader } from './kv/kv-tablet.js';
import type { BucketTablet, TableStorage } from './table-storage.js';

/** Lookup readers per tablet in lookupManyAtOnePoint: enough to keep RocksDB's reads in flight, few enough to hold little. */
const readersPerTabletMax = 4;
const keysPerReaderMin = 16;

export class TableIndexes {
  constructor(private readonly storage: TableStorage) {}

  /** Builds `index` (already part of `table`'s definition) in every tablet of the table. */
  create(table: TableDef, index: IndexDef): Promise<void> {
    const spec = kvIndexSpecsOf({ ...table, indexes: [index] })[0];
    if (spec === undefined) throw internalError('index spec');
    return this.storage.pipeline.exclusive(async () => {
      const built: BucketTablet[] = [];
      try {
        for (const tablet of this.storage.allTablets(table)) {
          if (tablet.kv === null) continue;
          await tablet.kv.createIndex(spec);
          built.push(tablet);
        }
      } catch (error) {
        for (const tablet of built) await tablet.kv?.dropIndex(spec.id);
        throw error;
      }
    });
  }

  /** Stops maintaining an index and deletes its entries in every tablet of the table. */
  drop(table: TableDef, indexOid: number): Promise<void> {
    return this.storage.pipeline.exclusive(async () => {
      for (const tablet of this.storage.allTablets(table)) await tablet.kv?.dropIndex(indexOid);
    });
  }

  /** Rows of an index scan over `tablets`, in the scan row layout. */
  async *scanIndex(table: TableDef, tablets: readonly BucketTablet[], indexOid: number, range: IndexRange,
    signal: AbortSignal, limit = Number.POSITIVE_INFINITY): AsyncGenerator<Value[][]> {
    const width = table.schema.columns.length;
    const reads = (tablet: BucketTablet): AsyncGenerator<Value[][]> | undefined => tablet.kv?.scanIndex(indexOid, range, limit);
    for await (const { tablet, batch } of this.readAtOnePoint(tablets, reads, signal, limit)) {
      for (const row of batch) {
        row.length = width;
        row.push(tablet.bucket, null, null);
      }
      yield batch;
    }
  }

  /**
   * Batches of every tablet's read, in tablet order, at most `limit` rows in all. The reads are
   * started (their RocksDB iterators created) together at one consistent point of the pipeline.
   */
  private async *readAtOnePoint(tablets: readonly BucketTablet[], open: (tablet: BucketTablet) => AsyncGenerator<Value[][]> | undefined,
    signal: AbortSignal, limit = Number.POSITIVE_INFINITY): AsyncGenerator<{ tablet: BucketTablet; batch: Value[][] }> {
    let remaining = limit;
    const reads = await this.storage.pipeline.atConsistentPoint(() => tablets.flatMap((tablet) => {
      const rows = open(tablet);
      if (rows === undefined) return [];
      const first = rows.next();
      first.catch(() => undefined);
      return [{ tablet, rows, first }];
    }));
    try {
      for (const { tablet, rows, first } of reads) {
        if (remaining <= 0) return;
        let result = await first;
        while (result.done !== true && remaining > 0) {
          if (signal.aborted) throw new SqlError(SqlState.queryCanceled, 'canceling statement due to user request');
          const batch = result.value.length > remaining ? result.value.slice(0, remaining) : result.value;
          remaining -= batch.length;
          yield { tablet, batch };
          if (remaining > 0) result = await rows.next();
        }
      }
    } finally {
      for (const { rows } of reads) await rows.return(undefined);
    }
  }

  /** Current rows whose leading indexed columns equal `values`, from every bucket (see the file comment). */
  async *lookupByIndex(table: TableDef, indexOid: number, values: readonly Value[]): AsyncGenerator<Value[][]> {
    const index = table.indexes?.find((candidate) => candidate.oid === indexOid);
    if (index === undefined) throw internalError(`table ${table.name} has no index ${indexOid}`);
    if (values.length > index.columns.length) throw internalError(`${values.length} values for index ${index.name} of ${index.columns.length} columns`);
    const width = table.schema.columns.length;
    const signal = new AbortController().signal;
    for await (const batch of this.scanIndex(table, this.storage.allTablets(table), indexOid, { prefix: values }, signal)) {
      for (const row of batch) row.length = width;
      yield batch;
    }
  }

  /** Current rows whose leading primary-key columns equal `prefixValues` (see the file comment). */
  async *lookupByKeyPrefix(table: TableDef, prefixValues: readonly Value[]): AsyncGenerator<Value[][]> {
    const schema = table.schema;
    if (schema.primaryKey.length === 0) throw internalError(`lookupByKeyPrefix on log table ${table.name}`);
    if (prefixValues.length > schema.primaryKey.length) throw internalError(`${prefixValues.length} values for a primary key of ${schema.primaryKey.length} columns`);
    if (prefixValues.some((value) => value === null)) return;
    const width = schema.columns.length;
    const known = new Map<string, Value>(schema.primaryKey.slice(0, prefixValues.length).map((name, i) => [name, prefixValues[i]!]));
    const tablets = this.storage.allTablets(table).filter((tablet) => this.mayHold(table, tablet, known));
    const signal = new AbortController().signal;
    for await (const { batch } of this.readAtOnePoint(tablets, (tablet) => tablet.kv?.scan({ prefix: prefixValues }), signal)) {
      for (const row of batch) row.length = width;
      yield batch;
    }
  }

  /** Rows per key of `keys` (see lookupByIndex), all read at one consistent point. */
  lookupManyByIndex(table: TableDef, indexOid: number, keys: readonly (readonly Value[])[]): Promise<Value[][][]> {
    const index = table.indexes?.find((candidate) => candidate.oid === indexOid);
    if (index === undefined) throw internalError(`table ${table.name} has no index ${indexOid}`);
    for (const key of keys) {
      if (key.length > index.columns.length) throw internalError(`${key.length} values for index ${index.name} of ${index.columns.length} columns`);
    }
    const all = keys.map((_, i) => i);
    const plan = this.storage.allTablets(table).map((tablet) => ({ tablet, picks: all }));
    return this.lookupManyAtOnePoint(table, keys, plan, (reader, picked) => reader.byIndex(indexOid, picked));
  }

  /** Rows per key prefix of `keys` (see lookupByKeyPrefix), all read at one consistent point. */
  lookupManyByKeyPrefix(table: TableDef, keys: readonly (readonly Value[])[]): Promise<Value[][][]> {
    const schema = table.schema;
    if (schema.primaryKey.length === 0) throw internalError(`lookupManyByKeyPrefix on log table ${table.name}`);
    const tablets = this.storage.allTablets(table);
    const picks = tablets.map((): number[] => []);
    keys.forEach((key, keyIndex) => {
      if (key.length > schema.primaryKey.length) throw internalError(`${key.length} values for a primary key of ${schema.primaryKey.length} columns`);
      if (key.some((value) => value === null)) return;
      const known = new Map<string, Value>(schema.primaryKey.slice(0, key.length).map((name, i) => [name, key[i]!]));
      tablets.forEach((tablet, t) => { if (this.mayHold(table, tablet, known)) picks[t]!.push(keyIndex); });
    });
    const plan = tablets.map((tablet, t) => ({ tablet, picks: picks[t]! }));
    return this.lookupManyAtOnePoint(table, keys, plan, (reader, picked) => reader.byKeyPrefix(picked));
  }

  /**
   * For each key, its rows from the tablets that `plan` picks it for, in tablet order. Every tablet
   * gets a few lookup readers (one RocksDB iterator each, however many keys), all made at one
   * consistent point of the pipeline, each seeking its share of the keys one after another; all
   * read concurrently.
   */
  private async lookupManyAtOnePoint(table: TableDef, keys: readonly (readonly Value[])[],
    plan: readonly { readonly tablet: BucketTablet; readonly picks: readonly number[] }[],
    read: (reader: TabletLookupReader, keys: readonly (readonly Value[])[]) => Promise<Value[][][]>): Promise<Value[][][]> {
    const width = table.schema.columns.length;
    const out = keys.map((): Value[][] => []);
    const readers = await this.storage.pipeline.atConsistentPoint(() => plan.flatMap(({ tablet, picks }) => {
      const kv = tablet.kv;
      if (kv === null || picks.length === 0) return [];
      const count = Math.min(readersPerTabletMax, Math.ceil(picks.length / keysPerReaderMin));
      const size = Math.ceil(picks.length / count);
      return Array.from({ length: count }, (_, i) => ({ reader: kv.lookupReader(), picks: picks.slice(i * size, (i + 1) * size) }));
    }));
    try {
      const results = await Promise.all(readers.map(({ reader, picks }) => read(reader, picks.map((keyIndex) => keys[keyIndex]!))));
      readers.forEach(({ picks }, r) => picks.forEach((keyIndex, i) => {
        for (const row of results[r]![i]!) {
          row.length = width;
          out[keyIndex]!.push(row);
        }
      }));
    } finally {
      await Promise.all(readers.map(({ reader }) => reader.close()));
    }
    return out;
  }

  /** Whether a tablet can hold rows with the `known` column values (by bucket key and partition). */
  private mayHold(table: TableDef, tablet: BucketTablet, known: ReadonlyMap<string, Value>): boolean {
    const schema = table.schema;
    const typeOf = (name: string): DataType | undefined => schema.columns.find((column) => column.name === name)?.type;
    const bucketKey = schema.options.bucketKey;
    if (bucketKey.length > 0 && bucketKey.every((name) => known.has(name))) {
      const types = bucketKey.map(typeOf).filter((type): type is DataType => type !== undefined);
      if (bucketOfValues(types, bucketKey.map((name) => known.get(name)!), schema.options.buckets) !== tablet.bucket) return false;
    }
    if (tablet.partition !== null && schema.partitionKey.every((name) => known.has(name))) {
      const texts = schema.partitionKey.map((name) => formatText(typeOf(name)!, known.get(name)!));
      if (texts.some((text, i) => tablet.partition!.values[i] !== text)) return false;
    }
    return true;
  }
}

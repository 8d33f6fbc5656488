// The byte layout of one secondary index in one KV tablet (see kv-store.ts for the namespaces):
//
//   key   = [tabletId u32][0x02][indexId u32] ([tag][field])… [encoded pk…]
//   value = [encoded pk…]   (the row's RocksDB key without the tablet's data prefix)
//
// Each indexed field is tagged: 0x01 then its key-codec encoding (key-codec.ts, order-preserving
// and self-delimiting), or 0x02 alone for NULL, so NULLs sort last as in PostgreSQL and one byte
// string never prefixes another field's encoding. The primary key after the fields makes every
// entry unique and orders equal index values by key. The encoding of leading indexed values is a
// byte prefix of every entry that has them, so equality on a prefix of the indexed columns and a
// range on the next one are one RocksDB key range.
// Invariant: a row has exactly one entry per index (entryKey(row)); the value names its row.

import { indexesOf, type TableDef } from '../../common/catalog-model.js';
import { internalError, notSupported, SqlError } from '../../common/errors.js';
import type { Value } from '../../common/types.js';
import { ByteArena } from './byte-arena.js';
import { KeyCodec, prefixSuccessor } from './key-codec.js';
import type { KeyRange } from '../rocks-store.js';
import type { KvColumn } from './tablet-codec.js';

const nonNullTag = 0x01;
const nullTag = 0x02;

/** What a KV tablet knows of a secondary index: its id (the catalog OID) and its column indexes. */
export interface KvIndexSpec {
  readonly id: number;
  /** Column indexes of the indexed columns in the table, in key order. */
  readonly columns: readonly number[];
}

/** The specs of a table's secondary indexes, as its KV tablets maintain them. */
export function kvIndexSpecsOf(table: TableDef): KvIndexSpec[] {
  const columns = table.schema.columns;
  return indexesOf(table).map((index) => ({
    id: index.oid,
    columns: index.columns.map((name) => {
      const position = columns.findIndex((column) => column.name === name);
      if (position < 0) throw internalError(`index ${index.name} names a column "${name}" table ${table.name} does not have`);
      return position;
    }),
  }));
}

/** A bound on the indexed column after the equality prefix. */
export interface IndexBound {
  readonly value: Value;
  readonly inclusive: boolean;
}

/** Which entries of an index to read: equal to `prefix` on the leading columns, then within bounds on the next. */
export interface IndexRange {
  readonly prefix: readonly Value[];
  readonly lower?: IndexBound;
  readonly upper?: IndexBound;
}

export class IndexCodec {
  private readonly fields: KeyCodec;
  private readonly arena = new ByteArena(64 * 1024);

  constructor(readonly spec: KvIndexSpec, readonly prefix: Buffer, readonly dataPrefix: Buffer, columns: readonly KvColumn[]) {
    for (const index of spec.columns) {
      if (!(Number.isInteger(index) && index >= 0 && index < columns.length)) throw internalError(`index column ${index} of ${columns.length}`);
    }
    try {
      this.fields = new KeyCodec(spec.columns.map((index) => columns[index]!.type));
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      throw notSupported(`${error.message.replace('part of a primary key', 'indexed')}`);
    }
  }

  get id(): number {
    return this.spec.id;
  }

  private writeFields(values: readonly Value[]): void {
    const arena = this.arena;
    arena.append(this.prefix);
    for (let index = 0; index < values.length; index++) {
      const value = values[index]!;
      arena.reserve(1);
      arena.bytes[arena.position++] = value === null ? nullTag : nonNullTag;
      if (value !== null) this.fields.writeField(arena, index, value);
    }
  }

  /** The entry key of a row whose RocksDB key is `rowKey` (data prefix + encoded pk). */
  entryKey(row: readonly Value[], rowKey: Buffer): Buffer {
    const arena = this.arena;
    try {
      this.writeFields(this.spec.columns.map((column) => row[column] ?? null));
      arena.append(rowKey, this.dataPrefix.byteLength);
    } catch (error) {
      arena.abandon();
      throw error;
    }
    return arena.finish();
  }

  /** The entry's value: the row's key without the data prefix. */
  entryValue(rowKey: Buffer): Buffer {
    return rowKey.subarray(this.dataPrefix.byteLength);
  }

  /** The RocksDB key of the row an entry names. */
  rowKeyOf(entryValue: Buffer): Buffer {
    return Buffer.concat([this.dataPrefix, entryValue]);
  }

  /** Tagged encoding of leading indexed values, after the index prefix. */
  private encodePrefix(values: readonly Value[]): Buffer {
    if (values.length > this.spec.columns.length) throw internalError(`${values.length} values for an index of ${this.spec.columns.length} columns`);
    try {
      this.writeFields(values);
    } catch (error) {
      this.arena.abandon();
      throw error;
    }
    return Buffer.from(this.arena.finish());
  }

  /** Every entry of the index in this tablet. */
  wholeRange(): KeyRange {
    return { gte: this.prefix, lt: prefixSuccessor(this.prefix)! };
  }

  /**
   * The key range of the entries in `range`; undefined when none can match (a NULL in the prefix
   * or a bound: SQL comparisons with NULL are never true). Bounds never admit NULL entries.
   */
  keyRange(range: IndexRange): KeyRange | undefined {
    if (range.prefix.some((value) => value === null)) return undefined;
    if (range.lower?.value === null || range.upper?.value === null) return undefined;
    const prefix = this.encodePrefix(range.prefix);
    if (range.lower === undefined && range.upper === undefined) return { gte: prefix, lt: prefixSuccessor(prefix)! };
    if (range.prefix.length >= this.spec.columns.length) throw internalError('index bound after every indexed column');
    const bound = (value: Value): Buffer => this.encodePrefix([...range.prefix, value]);
    const lower = range.lower === undefined ? Buffer.concat([prefix, Buffer.of(nonNullTag)])
      : range.lower.inclusive ? bound(range.lower.value) : prefixSuccessor(bound(range.lower.value))!;
    const upper = range.upper === undefined ? Buffer.concat([prefix, Buffer.of(nullTag)])
      : range.upper.inclusive ? prefixSuccessor(bound(range.upper.value))! : bound(range.upper.value);
    return lower.compare(upper) >= 0 ? undefined : { gte: lower, lt: upper };
  }
}

// The byte layout of one KV tablet's rows: RocksDB key = tablet data prefix + order-preserving
// primary key (key-codec.ts), value = the whole row (row-codec.ts). Keys and rows are written into
// arenas (see byte-arena.ts), so encoding a batch allocates little.

import { internalError, notSupported } from '../../common/errors.js';
import type { DataType, Value } from '../../common/types.js';
import { ByteArena } from './byte-arena.js';
import { KeyCodec } from './key-codec.js';
import { RowCodec } from './row-codec.js';

export interface KvColumn {
  readonly name: string;
  readonly type: DataType;
  /** A key column that may be NULL (see key-codec.ts); other columns' nullability is not the codec's concern. */
  readonly nullableKey?: boolean;
}

export class TabletCodec {
  readonly keyCodec: KeyCodec;
  readonly rowCodec: RowCodec;
  private readonly keyArena = new ByteArena(64 * 1024);
  private readonly rowArena = new ByteArena(256 * 1024);

  constructor(readonly prefix: Buffer, readonly columns: readonly KvColumn[], readonly primaryKey: readonly number[]) {
    if (primaryKey.length === 0) throw notSupported('a KV tablet needs a primary key');
    for (const index of primaryKey) {
      if (!(Number.isInteger(index) && index >= 0 && index < columns.length)) throw internalError(`primary key column ${index} of ${columns.length}`);
    }
    this.keyCodec = new KeyCodec(primaryKey.map((index) => columns[index]!.type), primaryKey.map((index) => columns[index]!.nullableKey === true));
    this.rowCodec = new RowCodec(columns.map((column) => column.type));
  }

  private startKey(): ByteArena {
    const arena = this.keyArena;
    arena.reserve(this.prefix.byteLength);
    this.prefix.copy(arena.bytes, arena.position);
    arena.position += this.prefix.byteLength;
    return arena;
  }

  /** The RocksDB key of a full row. */
  rowKey(row: readonly Value[]): Buffer {
    const arena = this.startKey();
    const primaryKey = this.primaryKey;
    try {
      for (let index = 0; index < primaryKey.length; index++) this.keyCodec.writeField(arena, index, row[primaryKey[index]!]!);
    } catch (error) {
      arena.abandon();
      throw error;
    }
    return arena.finish();
  }

  /** The RocksDB key (or key prefix, for fewer values) of primary-key values in key order. */
  key(values: readonly Value[]): Buffer {
    const arena = this.startKey();
    try {
      this.keyCodec.write(arena, values);
    } catch (error) {
      arena.abandon();
      throw error;
    }
    return arena.finish();
  }

  /** The primary-key values of a RocksDB key. */
  keyValues(key: Buffer): Value[] {
    return this.keyCodec.decode(key, this.prefix.byteLength);
  }

  encodeRow(row: readonly Value[]): Buffer {
    try {
      this.rowCodec.write(this.rowArena, row);
    } catch (error) {
      this.rowArena.abandon();
      throw error;
    }
    return this.rowArena.finish();
  }

  decodeRow(bytes: Buffer): Value[] {
    return this.rowCodec.decode(bytes);
  }
}

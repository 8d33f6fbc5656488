// Compact binary encoding of a whole row, the value stored under each primary key in RocksDB.
// This is the hot path of every upsert and lookup, so it writes straight into a ByteArena and
// decodes with one switch per column, no intermediate objects.
//
// Layout: u16 LE column count, NULL bitmap (bit set = NULL, ceil(count / 8) bytes), then each
// non-NULL column in order:
//   bool 1 byte; int2 2, int4 4, int8/time/timestamp[tz] 8, float4 4, float8 8 (little-endian);
//   date int32 (±Infinity as INT32_MAX/INT32_MIN); uuid 16 bytes; interval i32 months, i32 days,
//   i64 micros; numeric: a tag byte, then for finite values an i16 scale and either an i64
//   coefficient (tag 0) or a varint length and the coefficient's decimal digits (tag 1; sign
//   included); NaN/Infinity/-Infinity are tags 2/3/4; text-like: varint of (byte length << 1 |
//   1 if all ASCII) and the UTF-8 bytes; bytea: varint byte length and the bytes.
// Invariants: decoding gives back exactly the values encoded (Decimal scale, -0, NaN, bytes). A row
// encoded with fewer columns than the decoder knows (written before ADD COLUMN) reads the missing
// trailing columns as NULL.

import { endianness } from 'node:os';
import { Decimal } from '../../common/decimal.js';
import { internalError, notSupported, SqlError, SqlState } from '../../common/errors.js';
import { formatType, type DataType, type Interval, type Value } from '../../common/types.js';
import { ByteArena } from './byte-arena.js';

const enum Kind { Bool, Int2, Int4, Int8, Float4, Float8, Date, Numeric, Text, Bytes, Uuid, Interval }

const numericSmall = 0;
const numericBig = 1;
const numericNaN = 2;
const numericInfinity = 3;
const numericMinusInfinity = 4;
const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;
const dateInfinity = 0x7fffffff;
const dateMinusInfinity = -0x80000000;
/** Strings up to this many UTF-16 units fit in 63 UTF-8 bytes: their varint header is one byte. */
const shortStringUnits = 21;
/** ASCII strings up to this long are copied by a JS loop (cheaper than a native call) with a one-byte header. */
const shortAsciiUnits = 63;
/** Scratch for moving int64 values between bigints and bytes without BigInt arithmetic. */
const int64 = new BigInt64Array(1);
const int64Bytes = new Uint8Array(int64.buffer);
if (endianness() !== 'LE') throw new Error('the KV row codec assumes a little-endian machine');

function writeInt64(bytes: Buffer, position: number, value: bigint): void {
  int64[0] = value;
  for (let index = 0; index < 8; index++) bytes[position + index] = int64Bytes[index]!;
}

/** The two's complement int64 of a safe integer, little-endian, without a bigint. */
function writeSafeInt64(bytes: Uint8Array, position: number, value: number): void {
  const high = Math.floor(value / 0x100000000);
  const low = value - high * 0x100000000;
  bytes[position] = low & 0xff;
  bytes[position + 1] = (low >>> 8) & 0xff;
  bytes[position + 2] = (low >>> 16) & 0xff;
  bytes[position + 3] = (low >>> 24) & 0xff;
  bytes[position + 4] = high & 0xff;
  bytes[position + 5] = (high >>> 8) & 0xff;
  bytes[position + 6] = (high >>> 16) & 0xff;
  bytes[position + 7] = (high >>> 24) & 0xff;
}

function readInt64(bytes: Buffer, position: number): bigint {
  if (position + 8 > bytes.byteLength) throw new RangeError('int64 past the end');
  for (let index = 0; index < 8; index++) int64Bytes[index] = bytes[position + index]!;
  return int64[0]!;
}
const rowColumnsMax = 0xffff;

function kindOf(type: DataType): Kind {
  if (type.element !== undefined) throw notSupported(`type ${formatType(type)} cannot be stored in a primary-key table`);
  switch (type.name) {
    case 'bool': return Kind.Bool;
    case 'int2': return Kind.Int2;
    case 'int4': case 'oid': case 'regclass': case 'regtype': return Kind.Int4;
    case 'int8': case 'time': case 'timestamp': case 'timestamptz': return Kind.Int8;
    case 'float4': return Kind.Float4;
    case 'float8': return Kind.Float8;
    case 'date': return Kind.Date;
    case 'numeric': return Kind.Numeric;
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'json': case 'jsonb': return Kind.Text;
    case 'bytea': return Kind.Bytes;
    case 'uuid': return Kind.Uuid;
    case 'interval': return Kind.Interval;
    default: throw notSupported(`type ${formatType(type)} cannot be stored in a primary-key table`);
  }
}

function badValue(type: DataType, value: Value): never {
  throw internalError(`row value ${String(value)} (${typeof value}) does not fit type ${formatType(type)}`);
}

function corruptRow(reason: string): SqlError {
  return new SqlError(SqlState.dataCorrupted, `corrupt row in KV store: ${reason}`);
}

export class RowCodec {
  private readonly kinds: Kind[];
  private readonly bitmapBytes: number;
  private readonly scratch = new ByteArena(64 * 1024);

  constructor(readonly types: readonly DataType[]) {
    if (types.length > rowColumnsMax) throw internalError(`row of ${types.length} columns`);
    this.kinds = types.map(kindOf);
    this.bitmapBytes = (types.length + 7) >> 3;
  }

  /** A standalone copy of the row's encoding. */
  encode(row: readonly Value[]): Buffer {
    this.write(this.scratch, row);
    return Buffer.from(this.scratch.finish());
  }

  /** Writes the row's encoding as the arena's current entry (finish() it afterwards). */
  write(arena: ByteArena, row: readonly Value[]): void {
    const kinds = this.kinds;
    const count = kinds.length;
    if (row.length !== count) throw internalError(`row of ${row.length} values for ${count} columns`);
    arena.reserve(2 + this.bitmapBytes);
    const header = arena.position;
    const bytes = arena.bytes;
    bytes[header] = count & 0xff;
    bytes[header + 1] = count >>> 8;
    // A loop: the bitmap is a byte or two, less than a native fill call costs.
    for (let at = header + 2; at < header + 2 + this.bitmapBytes; at++) bytes[at] = 0;
    arena.position += 2 + this.bitmapBytes;
    for (let column = 0; column < count; column++) {
      const value = row[column]!;
      if (value === null) {
        // The arena may have moved the entry to a new chunk; the header is at a fixed distance from its start.
        const bitmapAt = arena.position - arena.entryLength + 2 + (column >> 3);
        arena.bytes[bitmapAt] = arena.bytes[bitmapAt]! | (1 << (column & 7));
        continue;
      }
      this.writeValue(arena, kinds[column]!, column, value);
    }
  }

  // A row written field by field from parsed numbers and bytes (a bulk load's fast path): the
  // caller reserves fieldRowBytesMax plus the text bytes in the arena once, then beginRowAt and
  // one call per column in order, each writing at `at` exactly what write() writes for the value
  // and returning the position after it (no bounds check of its own: the one reserve covers it).

  /**
   * Bytes a row written field by field takes at most, but for the bytes of its text fields:
   * `fixedBytes` for its non-text fields (the sum of fieldBytesMax over them), and a length header
   * for each of its `textFields` text fields.
   */
  fieldRowBytesMax(fixedBytes: number, textFields: number): number {
    return 2 + this.bitmapBytes + fixedBytes + 5 * textFields;
  }

  /** Writes a row's header and a bitmap without NULLs at `at` (the row's start). */
  beginRowAt(bytes: Uint8Array, at: number): number {
    const count = this.kinds.length;
    bytes[at] = count & 0xff;
    bytes[at + 1] = count >>> 8;
    const end = at + 2 + this.bitmapBytes;
    for (let position = at + 2; position < end; position++) bytes[position] = 0;
    return end;
  }

  /** Marks `column` NULL in the row that starts at `rowStart`. */
  nullFieldAt(bytes: Uint8Array, rowStart: number, column: number): void {
    const bitmapAt = rowStart + 2 + (column >> 3);
    bytes[bitmapAt] = bytes[bitmapAt]! | (1 << (column & 7));
  }

  private writeValue(arena: ByteArena, kind: Kind, column: number, value: Value): void {
    switch (kind) {
      case Kind.Bool:
        if (typeof value !== 'boolean') badValue(this.types[column]!, value);
        arena.reserve(1);
        arena.bytes[arena.position++] = value ? 1 : 0;
        return;
      case Kind.Int2:
        if (typeof value !== 'number') badValue(this.types[column]!, value);
        arena.reserve(2);
        arena.bytes.writeInt16LE(value, arena.position);
        arena.position += 2;
        return;
      case Kind.Int4:
        if (typeof value !== 'number') badValue(this.types[column]!, value);
        arena.reserve(4);
        arena.bytes.writeInt32LE(value, arena.position);
        arena.position += 4;
        return;
      case Kind.Int8:
        if (typeof value !== 'bigint') badValue(this.types[column]!, value);
        arena.reserve(8);
        writeInt64(arena.bytes, arena.position, value);
        arena.position += 8;
        return;
      case Kind.Float4:
        if (typeof value !== 'number') badValue(this.types[column]!, value);
        arena.reserve(4);
        arena.bytes.writeFloatLE(value, arena.position);
        arena.position += 4;
        return;
      case Kind.Float8:
        if (typeof value !== 'number') badValue(this.types[column]!, value);
        arena.reserve(8);
        arena.bytes.writeDoubleLE(value, arena.position);
        arena.position += 8;
        return;
      case Kind.Date:
        if (typeof value !== 'number') badValue(this.types[column]!, value);
        arena.reserve(4);
        arena.bytes.writeInt32LE(value === Infinity ? dateInfinity : value === -Infinity ? dateMinusInfinity : value, arena.position);
        arena.position += 4;
        return;
      case Kind.Numeric:
        if (!(value instanceof Decimal)) badValue(this.types[column]!, value);
        writeDecimal(arena, value);
        return;
      case Kind.Text:
        if (typeof value !== 'string') badValue(this.types[column]!, value);
        writeString(arena, value);
        return;
      case Kind.Bytes:
        if (!(value instanceof Uint8Array)) badValue(this.types[column]!, value);
        writeVarint(arena, value.byteLength);
        arena.reserve(value.byteLength);
        arena.bytes.set(value, arena.position);
        arena.position += value.byteLength;
        return;
      case Kind.Uuid:
        if (typeof value !== 'string') badValue(this.types[column]!, value);
        writeUuid(arena, value, this.types[column]!);
        return;
      case Kind.Interval: {
        const interval = value as Interval;
        if (typeof interval !== 'object' || typeof interval.micros !== 'bigint') badValue(this.types[column]!, value);
        arena.reserve(16);
        arena.bytes.writeInt32LE(interval.months, arena.position);
        arena.bytes.writeInt32LE(interval.days, arena.position + 4);
        arena.bytes.writeBigInt64LE(interval.micros, arena.position + 8);
        arena.position += 16;
        return;
      }
    }
  }

  /** Decodes a whole row; XX001 if the bytes are malformed. */
  decode(bytes: Buffer): Value[] {
    const kinds = this.kinds;
    const count = kinds.length;
    if (bytes.byteLength < 2) throw corruptRow('too short');
    const stored = bytes.readUInt16LE(0);
    if (stored > count) throw corruptRow(`${stored} columns, schema has ${count}`);
    const bitmap = 2;
    let position = 2 + ((stored + 7) >> 3);
    const row = new Array<Value>(count);
    try {
      for (let column = 0; column < count; column++) {
        if (column >= stored || (bytes[bitmap + (column >> 3)]! & (1 << (column & 7))) !== 0) { row[column] = null; continue; }
        switch (kinds[column]!) {
          case Kind.Bool: row[column] = bytes[position] === 1; position += 1; break;
          case Kind.Int2: row[column] = bytes.readInt16LE(position); position += 2; break;
          case Kind.Int4: row[column] = bytes.readInt32LE(position); position += 4; break;
          case Kind.Int8: row[column] = readInt64(bytes, position); position += 8; break;
          case Kind.Float4: row[column] = bytes.readFloatLE(position); position += 4; break;
          case Kind.Float8: row[column] = bytes.readDoubleLE(position); position += 8; break;
          case Kind.Date: {
            const days = bytes.readInt32LE(position);
            row[column] = days === dateInfinity ? Infinity : days === dateMinusInfinity ? -Infinity : days;
            position += 4;
            break;
          }
          case Kind.Numeric: position = readDecimal(bytes, position, row, column); break;
          case Kind.Text: {
            const header = readVarint(bytes, position);
            const length = Math.floor(header / 2);
            position = varintEnd;
            if (position + length > bytes.byteLength) throw corruptRow('string past the end');
            row[column] = (header & 1) === 1 ? readAscii(bytes, position, length) : bytes.toString('utf8', position, position + length);
            position += length;
            break;
          }
          case Kind.Bytes: {
            const length = readVarint(bytes, position);
            position = varintEnd;
            if (position + length > bytes.byteLength) throw corruptRow('bytes past the end');
            row[column] = new Uint8Array(bytes.subarray(position, position + length));
            position += length;
            break;
          }
          case Kind.Uuid: row[column] = readUuid(bytes, position); position += 16; break;
          case Kind.Interval:
            row[column] = { months: bytes.readInt32LE(position), days: bytes.readInt32LE(position + 4), micros: bytes.readBigInt64LE(position + 8) } satisfies Interval;
            position += 16;
            break;
        }
      }
    } catch (error) {
      if (error instanceof RangeError) throw corruptRow('value past the end');
      throw error;
    }
    if (position !== bytes.byteLength) throw corruptRow(`${bytes.byteLength - position} bytes after the last column`);
    return row;
  }
}

/** The most bytes a non-text field of `type` takes when written field by field (see RowCodec.fieldRowBytesMax). */
export function fieldBytesMax(type: DataType): number {
  switch (kindOf(type)) {
    case Kind.Int2: return 2;
    case Kind.Int4: case Kind.Date: return 4;
    case Kind.Int8: return 8;
    case Kind.Numeric: return 11;
    default: throw internalError(`no field-by-field write of ${formatType(type)}`);
  }
}

/** int2 at `at`; the position after it. */
export function int16At(bytes: Uint8Array, at: number, value: number): number {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  return at + 2;
}

/** int4, and date (a finite day number), at `at`. */
export function int32At(bytes: Uint8Array, at: number, value: number): number {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = (value >>> 24) & 0xff;
  return at + 4;
}

/** int8 from a safe integer (|value| < 2^53) at `at`. */
export function int64At(bytes: Uint8Array, at: number, value: number): number {
  writeSafeInt64(bytes, at, value);
  return at + 8;
}

/** A finite numeric whose coefficient is a safe integer, at `at`. */
export function decimalAt(bytes: Uint8Array, at: number, coefficient: number, scale: number): number {
  bytes[at] = numericSmall;
  bytes[at + 1] = scale & 0xff;
  bytes[at + 2] = (scale >>> 8) & 0xff;
  writeSafeInt64(bytes, at + 3, coefficient);
  return at + 11;
}

/** Text whose UTF-8 bytes are source[start, end), all ASCII, at `at`. */
export function asciiAt(bytes: Uint8Array, at: number, source: Uint8Array, start: number, end: number): number {
  let header = (end - start) * 2 + 1;
  while (header >= 0x80) {
    bytes[at++] = (header & 0x7f) | 0x80;
    header >>>= 7;
  }
  bytes[at++] = header;
  for (let index = start; index < end; index++) bytes[at++] = source[index]!;
  return at;
}

function writeVarint(arena: ByteArena, value: number): void {
  arena.reserve(5);
  while (value >= 0x80) {
    arena.bytes[arena.position++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  arena.bytes[arena.position++] = value;
}

/** Position after the varint read last (avoids allocating a pair per string). */
let varintEnd = 0;

function readVarint(bytes: Buffer, position: number): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[position++];
    if (byte === undefined) throw corruptRow('varint past the end');
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
    shift += 7;
    if (shift > 28) throw corruptRow('varint too long');
  }
  varintEnd = position;
  return value;
}

function writeString(arena: ByteArena, value: string): void {
  const units = value.length;
  if (units <= shortAsciiUnits) {
    arena.reserve(1 + units);
    const bytes = arena.bytes;
    const start = arena.position + 1;
    let index = 0;
    for (; index < units; index++) {
      const code = value.charCodeAt(index);
      if (code >= 0x80) break;
      bytes[start + index] = code;
    }
    if (index === units) {
      bytes[arena.position] = (units << 1) | 1;
      arena.position = start + units;
      return;
    }
  }
  if (units <= shortStringUnits) {
    arena.reserve(1 + units * 3);
    const written = arena.bytes.write(value, arena.position + 1, 'utf8');
    arena.bytes[arena.position] = written << 1;
    arena.position += 1 + written;
    return;
  }
  const length = Buffer.byteLength(value, 'utf8');
  writeVarint(arena, length * 2 + (length === units ? 1 : 0));
  arena.reserve(length);
  arena.bytes.write(value, arena.position, 'utf8');
  arena.position += length;
}

function writeDecimal(arena: ByteArena, value: Decimal): void {
  arena.reserve(11);
  const bytes = arena.bytes;
  if (value.special !== undefined) {
    bytes[arena.position++] = value.special === 'NaN' ? numericNaN : value.special === 'Infinity' ? numericInfinity : numericMinusInfinity;
    return;
  }
  const coefficient = value.coefficient;
  if (coefficient >= int64Min && coefficient <= int64Max) {
    bytes[arena.position] = numericSmall;
    bytes.writeInt16LE(value.scale, arena.position + 1);
    writeInt64(bytes, arena.position + 3, coefficient);
    arena.position += 11;
    return;
  }
  bytes[arena.position] = numericBig;
  bytes.writeInt16LE(value.scale, arena.position + 1);
  arena.position += 3;
  const digits = coefficient.toString();
  writeVarint(arena, digits.length);
  arena.reserve(digits.length);
  arena.bytes.write(digits, arena.position, 'latin1');
  arena.position += digits.length;
}

function readDecimal(bytes: Buffer, position: number, row: Value[], column: number): number {
  const tag = bytes[position];
  switch (tag) {
    case numericSmall:
      row[column] = new Decimal(readInt64(bytes, position + 3), bytes.readInt16LE(position + 1));
      return position + 11;
    case numericBig: {
      const scale = bytes.readInt16LE(position + 1);
      const length = readVarint(bytes, position + 3);
      const start = varintEnd;
      if (start + length > bytes.byteLength) throw corruptRow('numeric past the end');
      row[column] = new Decimal(BigInt(bytes.toString('latin1', start, start + length)), scale);
      return start + length;
    }
    case numericNaN: row[column] = Decimal.NaN; return position + 1;
    case numericInfinity: row[column] = Decimal.Infinity; return position + 1;
    case numericMinusInfinity: row[column] = Decimal.NegativeInfinity; return position + 1;
    default: throw corruptRow(`numeric tag ${String(tag)}`);
  }
}

/** Short ASCII strings decode faster from char codes than through a native call. */
function readAscii(bytes: Buffer, position: number, length: number): string {
  if (length > 24) return bytes.toString('latin1', position, position + length);
  let text = '';
  for (let index = position; index < position + length; index++) text += String.fromCharCode(bytes[index]!);
  return text;
}

const hexValue = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  hexValue[digit.toString(16).charCodeAt(0)] = digit;
  hexValue[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
}
const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function writeUuid(arena: ByteArena, value: string, type: DataType): void {
  if (value.length !== 36) badValue(type, value);
  arena.reserve(16);
  let character = 0;
  for (let index = 0; index < 16; index++) {
    if (character === 8 || character === 13 || character === 18 || character === 23) character++;
    const high = hexValue[value.charCodeAt(character)] ?? -1;
    const low = hexValue[value.charCodeAt(character + 1)] ?? -1;
    if (high < 0 || low < 0) badValue(type, value);
    arena.bytes[arena.position++] = (high << 4) | low;
    character += 2;
  }
}

function readUuid(bytes: Buffer, position: number): string {
  if (position + 16 > bytes.byteLength) throw corruptRow('uuid past the end');
  let text = '';
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) text += '-';
    text += hexDigits[bytes[position + index]!]!;
  }
  return text;
}

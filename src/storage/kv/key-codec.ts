// Order-preserving binary encoding of primary-key tuples: comparing two encoded keys with memcmp
// gives the SQL order of the tuples, so RocksDB iterates a tablet in primary-key order and range and
// prefix scans become byte ranges. Every field is self-delimiting and fields are concatenated, so
// the encoding of a leading subset of the key columns (a bucket key prefix) is a byte prefix of the
// full key's encoding.
//
// A key column may be declared nullable (a materialized view grouped by a value that may be NULL):
// its field is then tagged, 0x01 then the encoding below or 0x02 alone for NULL, so NULL sorts
// after every value as in PostgreSQL. Other key columns are untagged and never NULL.
//
// Field encodings:
//   bool                    1 byte, 0 or 1
//   int2/int4/int8          big-endian two's complement with the sign bit flipped
//   date                    int32 days as int4 (±Infinity as INT32_MAX/INT32_MIN, as PostgreSQL)
//   time/timestamp[tz]      int64 microseconds as int8
//   float4/float8           IEEE bits big-endian; positives get the sign bit set, negatives are
//                           inverted; -0 is written as 0 and every NaN as one NaN above +Infinity
//   numeric                 tag (-Inf < negative < zero < positive < +Inf < NaN), then for nonzero
//                           finite values the decimal exponent E (value = 0.d1d2… × 10^E) as int4
//                           and the significant digits in base-100 bytes (pair + 2) ending in 0x01;
//                           negative values have exponent and digit bytes inverted. Display scale
//                           is not kept: decoding restores the column's declared scale, if any.
//   text/varchar/bpchar/name/"char", bytea
//                           the bytes (UTF-8 for text) with 0x00 escaped as 0x00 0xFF, ending in
//                           0x00 0x01, so a string sorts before its extensions. Text orders by
//                           code point (the C collation).
//   uuid                    its 16 bytes
// interval and json/jsonb cannot be key columns (their SQL equality is not byte equality).

import { Decimal } from '../../common/decimal.js';
import { internalError, notSupported, SqlError, SqlState } from '../../common/errors.js';
import { formatType, type DataType, type Value } from '../../common/types.js';
import { ByteArena } from './byte-arena.js';

type FieldWriter = (arena: ByteArena, value: Value) => void;
/** Decodes the field at `position`, returning the value and the position after it. */
type FieldReader = (bytes: Buffer, position: number, type: DataType) => [Value, number];

const int32Infinity = 0x7fffffff;
const int32MinusInfinity = -0x80000000;

export class KeyCodec {
  private readonly writers: readonly FieldWriter[];
  private readonly readers: readonly FieldReader[];
  private readonly arena = new ByteArena(16 * 1024);

  /** `nullable[i]`: the i-th key column may be NULL (its field is tagged). */
  constructor(readonly types: readonly DataType[], private readonly nullable: readonly boolean[] = []) {
    this.writers = types.map((type, index) => (nullable[index] === true ? taggedWriter(fieldWriter(type)) : fieldWriter(type)));
    this.readers = types.map((type, index) => (nullable[index] === true ? taggedReader(fieldReader(type)) : fieldReader(type)));
  }

  /** Appends the encoding of one key field (`index`-th key column) to the arena's current entry. */
  writeField(arena: ByteArena, index: number, value: Value): void {
    if (value === null && this.nullable[index] !== true) throw nullInKey(index);
    this.writers[index]!(arena, value);
  }

  /** Appends the encoding of `values`, the first `values.length` key columns in key order. */
  write(arena: ByteArena, values: readonly Value[]): void {
    if (values.length > this.writers.length) throw internalError(`key of ${values.length} values for ${this.writers.length} columns`);
    for (let index = 0; index < values.length; index++) this.writeField(arena, index, values[index]!);
  }

  /** The encoding of `values` (all key columns, or a leading subset of them) as a fresh Buffer. */
  encode(values: readonly Value[]): Buffer {
    this.write(this.arena, values);
    return Buffer.from(this.arena.finish());
  }

  /** Decodes a full key starting at `start`; fails with XX001 on malformed bytes. */
  decode(bytes: Uint8Array, start = 0): Value[] {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = new Array<Value>(this.readers.length);
    let position = start;
    for (let index = 0; index < this.readers.length; index++) {
      const [value, next] = this.readers[index]!(buffer, position, this.types[index]!);
      if (next > buffer.byteLength) throw corruptKey('key ends inside a field');
      values[index] = value;
      position = next;
    }
    if (position !== buffer.byteLength) throw corruptKey(`${buffer.byteLength - position} bytes after the last key field`);
    return values;
  }
}

export function encodeKey(types: readonly DataType[], values: readonly Value[]): Buffer {
  return new KeyCodec(types).encode(values);
}

export function decodeKey(types: readonly DataType[], bytes: Uint8Array): Value[] {
  return new KeyCodec(types).decode(bytes);
}

/** The smallest byte string greater than every string that starts with `prefix` (none if all 0xFF). */
export function prefixSuccessor(prefix: Uint8Array): Buffer | undefined {
  let end = prefix.byteLength;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const successor = Buffer.from(prefix.subarray(0, end));
  successor[end - 1]!++;
  return successor;
}

function nullInKey(index: number): SqlError {
  return new SqlError(SqlState.notNullViolation, `null value in primary key column ${index + 1}`);
}

function corruptKey(reason: string): SqlError {
  return new SqlError(SqlState.dataCorrupted, `corrupt primary key in KV store: ${reason}`);
}

function badKeyValue(type: string, value: Value): never {
  throw internalError(`key value ${String(value)} (${typeof value}) does not fit type ${type}`);
}

// ---- writers ------------------------------------------------------------------------------------

const valueTag = 0x01;
const nullTag = 0x02;

function taggedWriter(write: FieldWriter): FieldWriter {
  return (arena, value) => {
    arena.reserve(1);
    arena.bytes[arena.position++] = value === null ? nullTag : valueTag;
    if (value !== null) write(arena, value);
  };
}

function taggedReader(read: FieldReader): FieldReader {
  return (bytes, position, type) => {
    const tag = bytes[position];
    if (tag === nullTag) return [null, position + 1];
    if (tag !== valueTag) throw corruptKey(`field tag ${String(tag)}`);
    return read(bytes, position + 1, type);
  };
}

function fieldWriter(type: DataType): FieldWriter {
  if (type.element !== undefined) throw notSupported(`type ${formatType(type)} cannot be part of a primary key`);
  switch (type.name) {
    case 'bool': return writeBool;
    case 'int2': return writeInt2;
    case 'int4': return writeInt4;
    case 'date': return writeDate;
    case 'int8': case 'time': case 'timestamp': case 'timestamptz': return writeInt8;
    case 'float4': return writeFloat4;
    case 'float8': return writeFloat8;
    case 'numeric': return writeNumeric;
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': return writeText;
    case 'bytea': return writeBytes;
    case 'uuid': return writeUuid;
    default: throw notSupported(`type ${formatType(type)} cannot be part of a primary key`);
  }
}

function writeBool(arena: ByteArena, value: Value): void {
  if (typeof value !== 'boolean') badKeyValue('bool', value);
  arena.reserve(1);
  arena.bytes[arena.position++] = value ? 1 : 0;
}

function writeInt2(arena: ByteArena, value: Value): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x8000 || value > 0x7fff) badKeyValue('int2', value);
  arena.reserve(2);
  arena.bytes.writeUInt16BE(value + 0x8000, arena.position);
  arena.position += 2;
}

function writeInt32Flipped(arena: ByteArena, value: number): void {
  arena.reserve(4);
  arena.bytes.writeUInt32BE((value ^ 0x80000000) >>> 0, arena.position);
  arena.position += 4;
}

function writeInt4(arena: ByteArena, value: Value): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < int32MinusInfinity || value > int32Infinity) badKeyValue('int4', value);
  writeInt32Flipped(arena, value);
}

function writeDate(arena: ByteArena, value: Value): void {
  if (typeof value !== 'number') badKeyValue('date', value);
  if (value === Infinity) writeInt32Flipped(arena, int32Infinity);
  else if (value === -Infinity) writeInt32Flipped(arena, int32MinusInfinity);
  else writeInt4(arena, value);
}

/** Scratch for moving int64 values between bigints and bytes without BigInt arithmetic. */
const int64 = new BigInt64Array(1);
const int64Bytes = new Uint8Array(int64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeInt8(arena: ByteArena, value: Value): void {
  if (typeof value !== 'bigint') badKeyValue('int8', value);
  arena.reserve(8);
  int64[0] = value;
  const bytes = arena.bytes;
  const position = arena.position;
  for (let index = 0; index < 8; index++) bytes[position + index] = int64Bytes[littleEndian ? 7 - index : index]!;
  bytes[position] = bytes[position]! ^ 0x80;
  arena.position += 8;
}

/** The encoding writeInt8 gives an int8 key field, from a safe integer (|value| < 2^53) without a bigint. */
export function writeSafeInt64Key(arena: ByteArena, value: number): void {
  arena.reserve(8);
  const high = Math.floor(value / 0x100000000);
  const low = value - high * 0x100000000;
  const bytes = arena.bytes;
  const position = arena.position;
  bytes[position] = ((high >>> 24) & 0xff) ^ 0x80;
  bytes[position + 1] = (high >>> 16) & 0xff;
  bytes[position + 2] = (high >>> 8) & 0xff;
  bytes[position + 3] = high & 0xff;
  bytes[position + 4] = (low >>> 24) & 0xff;
  bytes[position + 5] = (low >>> 16) & 0xff;
  bytes[position + 6] = (low >>> 8) & 0xff;
  bytes[position + 7] = low & 0xff;
  arena.position += 8;
}

/** Turns big-endian IEEE bits at `position` into an order-preserving form. */
function flipFloat(bytes: Buffer, position: number, length: number): void {
  if ((bytes[position]! & 0x80) !== 0) {
    for (let index = position; index < position + length; index++) bytes[index] = ~bytes[index]! & 0xff;
  } else {
    bytes[position] = bytes[position]! | 0x80;
  }
}

function writeFloat4(arena: ByteArena, value: Value): void {
  if (typeof value !== 'number') badKeyValue('float4', value);
  arena.reserve(4);
  if (Number.isNaN(value)) arena.bytes.writeUInt32BE(0xffc00000, arena.position);
  else {
    arena.bytes.writeFloatBE(value === 0 ? 0 : value, arena.position);
    flipFloat(arena.bytes, arena.position, 4);
  }
  arena.position += 4;
}

function writeFloat8(arena: ByteArena, value: Value): void {
  if (typeof value !== 'number') badKeyValue('float8', value);
  arena.reserve(8);
  if (Number.isNaN(value)) {
    arena.bytes.writeUInt32BE(0xfff80000, arena.position);
    arena.bytes.writeUInt32BE(0, arena.position + 4);
  } else {
    arena.bytes.writeDoubleBE(value === 0 ? 0 : value, arena.position);
    flipFloat(arena.bytes, arena.position, 8);
  }
  arena.position += 8;
}

const numericTag = { minusInfinity: 1, negative: 2, zero: 3, positive: 4, infinity: 5, nan: 6 } as const;
const digitsEnd = 0x01;

function writeNumeric(arena: ByteArena, value: Value): void {
  if (!(value instanceof Decimal)) badKeyValue('numeric', value);
  arena.reserve(1);
  if (value.special !== undefined) {
    arena.bytes[arena.position++] = value.special === 'NaN' ? numericTag.nan : value.special === 'Infinity' ? numericTag.infinity : numericTag.minusInfinity;
    return;
  }
  if (value.coefficient === 0n) { arena.bytes[arena.position++] = numericTag.zero; return; }
  const negative = value.coefficient < 0n;
  let digits = (negative ? -value.coefficient : value.coefficient).toString();
  let scale = value.scale;
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48) end--;
  scale -= digits.length - end;
  digits = digits.slice(0, end);
  const exponent = digits.length - scale;
  if (!(exponent >= int32MinusInfinity && exponent <= int32Infinity)) throw internalError(`numeric key exponent ${exponent} out of range`);
  const invert = negative ? 0xff : 0;
  const pairs = (digits.length + 1) >> 1;
  arena.reserve(1 + 4 + pairs + 1);
  const out = arena.bytes;
  out[arena.position++] = negative ? numericTag.negative : numericTag.positive;
  out.writeUInt32BE(((exponent ^ 0x80000000) ^ (negative ? -1 : 0)) >>> 0, arena.position);
  arena.position += 4;
  for (let index = 0; index < digits.length; index += 2) {
    const high = digits.charCodeAt(index) - 48;
    const low = index + 1 < digits.length ? digits.charCodeAt(index + 1) - 48 : 0;
    out[arena.position++] = (high * 10 + low + 2) ^ invert;
  }
  out[arena.position++] = digitsEnd ^ invert;
}

function writeEscaped(arena: ByteArena, source: Buffer, from: number, to: number): void {
  for (let index = from; index < to; index++) {
    arena.reserve(2);
    const byte = source[index]!;
    arena.bytes[arena.position++] = byte;
    if (byte === 0) arena.bytes[arena.position++] = 0xff;
  }
}

function writeTerminator(arena: ByteArena): void {
  arena.reserve(2);
  arena.bytes[arena.position++] = 0;
  arena.bytes[arena.position++] = 1;
}

function writeText(arena: ByteArena, value: Value): void {
  if (typeof value !== 'string') badKeyValue('text', value);
  arena.reserve(value.length * 3 + 2);
  const start = arena.position;
  const written = arena.bytes.write(value, start, 'utf8');
  if (arena.bytes.subarray(start, start + written).indexOf(0) >= 0) {
    const copy = Buffer.from(arena.bytes.subarray(start, start + written));
    arena.position = start;
    writeEscaped(arena, copy, 0, copy.byteLength);
  } else {
    arena.position = start + written;
  }
  writeTerminator(arena);
}

function writeBytes(arena: ByteArena, value: Value): void {
  if (!(value instanceof Uint8Array)) badKeyValue('bytea', value);
  const source = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (source.indexOf(0) < 0) {
    arena.append(source);
  } else {
    writeEscaped(arena, source, 0, source.byteLength);
  }
  writeTerminator(arena);
}

const hexValue = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  hexValue[digit.toString(16).charCodeAt(0)] = digit;
  hexValue[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
}

function writeUuid(arena: ByteArena, value: Value): void {
  if (typeof value !== 'string' || value.length !== 36) badKeyValue('uuid', value);
  arena.reserve(16);
  let character = 0;
  for (let index = 0; index < 16; index++) {
    if (character === 8 || character === 13 || character === 18 || character === 23) character++;
    const high = hexValue[value.charCodeAt(character)] ?? -1;
    const low = hexValue[value.charCodeAt(character + 1)] ?? -1;
    if (high < 0 || low < 0) badKeyValue('uuid', value);
    arena.bytes[arena.position++] = (high << 4) | low;
    character += 2;
  }
}

// ---- readers ------------------------------------------------------------------------------------

function fieldReader(type: DataType): FieldReader {
  switch (type.name) {
    case 'bool': return readBool;
    case 'int2': return readInt2;
    case 'int4': return readInt4;
    case 'date': return readDate;
    case 'int8': case 'time': case 'timestamp': case 'timestamptz': return readInt8;
    case 'float4': return readFloat4;
    case 'float8': return readFloat8;
    case 'numeric': return readNumeric;
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': return readText;
    case 'bytea': return readBytes;
    case 'uuid': return readUuid;
    default: throw notSupported(`type ${formatType(type)} cannot be part of a primary key`);
  }
}

function need(bytes: Buffer, position: number, length: number): void {
  if (position + length > bytes.byteLength) throw corruptKey('key ends inside a field');
}

function readBool(bytes: Buffer, position: number): [Value, number] {
  need(bytes, position, 1);
  const byte = bytes[position]!;
  if (byte > 1) throw corruptKey(`bool byte ${byte}`);
  return [byte === 1, position + 1];
}

function readInt2(bytes: Buffer, position: number): [Value, number] {
  need(bytes, position, 2);
  return [bytes.readUInt16BE(position) - 0x8000, position + 2];
}

function readInt4(bytes: Buffer, position: number): [Value, number] {
  need(bytes, position, 4);
  return [(bytes.readUInt32BE(position) ^ 0x80000000) | 0, position + 4];
}

function readDate(bytes: Buffer, position: number): [Value, number] {
  const [days, next] = readInt4(bytes, position) as [number, number];
  return [days === int32Infinity ? Infinity : days === int32MinusInfinity ? -Infinity : days, next];
}

function readInt8(bytes: Buffer, position: number): [Value, number] {
  need(bytes, position, 8);
  return [BigInt.asIntN(64, bytes.readBigUInt64BE(position) ^ (1n << 63n)), position + 8];
}

function unflipFloat(bytes: Buffer, position: number, length: number): Buffer {
  const copy = Buffer.from(bytes.subarray(position, position + length));
  if ((copy[0]! & 0x80) !== 0) copy[0] = copy[0]! & 0x7f;
  else for (let index = 0; index < length; index++) copy[index] = ~copy[index]! & 0xff;
  return copy;
}

function readFloat4(bytes: Buffer, position: number): [Value, number] {
  need(bytes, position, 4);
  return [unflipFloat(bytes, position, 4).readFloatBE(0), position + 4];
}

function readFloat8(bytes: Buffer, position: number): [Value, number] {
  need(bytes, position, 8);
  return [unflipFloat(bytes, position, 8).readDoubleBE(0), position + 8];
}

function readNumeric(bytes: Buffer, position: number, type: DataType): [Value, number] {
  need(bytes, position, 1);
  const tag = bytes[position]!;
  switch (tag) {
    case numericTag.nan: return [Decimal.NaN, position + 1];
    case numericTag.infinity: return [Decimal.Infinity, position + 1];
    case numericTag.minusInfinity: return [Decimal.NegativeInfinity, position + 1];
    case numericTag.zero: return [new Decimal(0n, type.scale ?? 0), position + 1];
    case numericTag.negative: case numericTag.positive: break;
    default: throw corruptKey(`numeric tag ${tag}`);
  }
  const negative = tag === numericTag.negative;
  const invert = negative ? 0xff : 0;
  need(bytes, position + 1, 4);
  const exponent = ((bytes.readUInt32BE(position + 1) ^ (negative ? 0xffffffff : 0)) ^ 0x80000000) | 0;
  let digits = '';
  let index = position + 5;
  for (;; index++) {
    need(bytes, index, 1);
    const byte = bytes[index]! ^ invert;
    if (byte === digitsEnd) break;
    if (byte < 2 || byte > 101) throw corruptKey(`numeric digit byte ${byte}`);
    const pair = byte - 2;
    digits += String.fromCharCode(48 + Math.floor(pair / 10), 48 + (pair % 10));
  }
  if (digits.endsWith('0')) digits = digits.slice(0, -1);
  let coefficient = BigInt(digits);
  let scale = digits.length - exponent;
  if (scale < 0) { coefficient *= 10n ** BigInt(-scale); scale = 0; }
  if (type.scale !== undefined && scale < type.scale) {
    coefficient *= 10n ** BigInt(type.scale - scale);
    scale = type.scale;
  }
  return [new Decimal(negative ? -coefficient : coefficient, scale), index + 1];
}

/** The unescaped bytes of a terminated field and the position after its terminator. */
function readEscaped(bytes: Buffer, position: number): [Buffer, number] {
  const zero = bytes.indexOf(0, position);
  if (zero < 0 || zero + 1 >= bytes.byteLength) throw corruptKey('unterminated string');
  if (bytes[zero + 1] === 1) return [bytes.subarray(position, zero), zero + 2];
  const out: number[] = [];
  for (let index = position; ; index++) {
    need(bytes, index, 1);
    const byte = bytes[index]!;
    if (byte !== 0) { out.push(byte); continue; }
    need(bytes, index + 1, 1);
    const next = bytes[index + 1]!;
    if (next === 1) return [Buffer.from(out), index + 2];
    if (next !== 0xff) throw corruptKey(`string escape byte ${next}`);
    out.push(0);
    index++;
  }
}

function readText(bytes: Buffer, position: number): [Value, number] {
  const [raw, next] = readEscaped(bytes, position);
  return [raw.toString('utf8'), next];
}

function readBytes(bytes: Buffer, position: number): [Value, number] {
  const [raw, next] = readEscaped(bytes, position);
  return [new Uint8Array(raw), next];
}

const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function readUuid(bytes: Buffer, position: number): [Value, number] {
  need(bytes, position, 16);
  let text = '';
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) text += '-';
    text += hexDigits[bytes[position + index]!]!;
  }
  return [text, position + 16];
}

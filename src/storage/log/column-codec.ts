// Values ⇄ Arrow column buffers, built directly (no Arrow builders): typed arrays for fixed-width
// types, one offsets array plus one UTF-8 byte buffer for text, LSB-first validity bitmaps.
//
// Storage type per SQL type (the Arrow type in parentheses):
//   bool → Bool; int2 → Int16; int4 → Int32; int8 → Int64; float4/8 → Float32/64;
//   numeric(p ≤ 38, s) → Decimal128(p, s), with NaN/±Infinity as int128 values no numeric(38) can
//     hold (−2^127, 2^127−1, −2^127+1); other numerics → Utf8 of their canonical text;
//   text, varchar, bpchar, name, "char", json, jsonb → Utf8; bytea → Binary;
//   uuid → FixedSizeBinary(16); interval → FixedSizeBinary(16) as months i32, days i32, micros i64;
//   date → Date32 (days; ±Infinity as INT32_MAX/INT32_MIN, as PostgreSQL); timestamp[tz] → Timestamp(µs).
// Invariants: buffers are in Arrow's order for the type (validity first, empty when nullCount is 0);
// decoding the buffers of `encodeColumn(kind, values)` gives back `values` exactly.

import { isAscii as bufferIsAscii } from 'node:buffer';
import { Decimal } from '../../common/decimal.js';
import { internalError, notSupported, SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import { uninitializedBytes } from '../../common/uninitialized.js';
import { formatType, type DataType, type Interval, type Value } from '../../common/types.js';

export type ColumnKind =
  | 'bool' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'decimal128' | 'numericText'
  | 'utf8' | 'binary' | 'uuid' | 'interval' | 'date32' | 'timestamp';

export function columnKind(type: DataType): ColumnKind {
  if (type.element !== undefined) throw notSupported(`type ${formatType(type)} cannot be stored in a log`);
  switch (type.name) {
    case 'bool': return 'bool';
    case 'int2': return 'int16';
    case 'int4': return 'int32';
    case 'int8': return 'int64';
    case 'float4': return 'float32';
    case 'float8': return 'float64';
    case 'numeric': return type.precision !== undefined && type.precision <= 38 ? 'decimal128' : 'numericText';
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'json': case 'jsonb': return 'utf8';
    case 'bytea': return 'binary';
    case 'uuid': return 'uuid';
    case 'interval': return 'interval';
    case 'date': return 'date32';
    case 'timestamp': case 'timestamptz': return 'timestamp';
    default: throw notSupported(`type ${formatType(type)} cannot be stored in a log`);
  }
}

/** Buffers of one column in Arrow order; the body holds each padded to 8 bytes. */
export interface EncodedColumn {
  readonly nullCount: number;
  readonly buffers: readonly Uint8Array[];
}

export function paddedLength(length: number): number {
  return (length + 7) & ~7;
}

export function encodedByteLength(column: EncodedColumn): number {
  let total = 0;
  for (const buffer of column.buffers) total += paddedLength(buffer.byteLength);
  return total;
}

/** Clears validity bits lazily: a column without NULLs never allocates a bitmap. */
class Validity {
  bitmap: Uint8Array | undefined;
  nullCount = 0;
  constructor(private readonly rowCount: number) {}

  markNull(row: number): void {
    if (this.bitmap === undefined) this.bitmap = new Uint8Array((this.rowCount + 7) >> 3).fill(0xff);
    this.bitmap[row >> 3]! &= ~(1 << (row & 7));
    this.nullCount++;
  }

  buffer(): Uint8Array {
    return this.bitmap ?? empty;
  }
}

const empty = new Uint8Array(0);

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function badValue(kind: ColumnKind, value: unknown): never {
  throw internalError(`value ${String(value)} (${typeof value}) does not fit a ${kind} log column`);
}

export function encodeColumn(kind: ColumnKind, values: readonly Value[], rowCount: number, type: DataType): EncodedColumn {
  if (values.length !== rowCount) throw internalError(`log column has ${values.length} values for ${rowCount} rows`);
  switch (kind) {
    case 'bool': return encodeBool(values, rowCount);
    case 'int16': return encodeNumbers(values, rowCount, new Int16Array(rowCount), kind);
    case 'int32': return encodeNumbers(values, rowCount, new Int32Array(rowCount), kind);
    case 'float32': return encodeNumbers(values, rowCount, new Float32Array(rowCount), kind);
    case 'float64': return encodeNumbers(values, rowCount, new Float64Array(rowCount), kind);
    case 'date32': return encodeDates(values, rowCount);
    case 'int64': case 'timestamp': return encodeBigInts(values, rowCount, kind);
    case 'decimal128': return encodeDecimals(values, rowCount, type.scale ?? 0);
    case 'numericText': return encodeVariable(values, rowCount, kind, numericText);
    case 'utf8': return encodeVariable(values, rowCount, kind, undefined);
    case 'binary': return encodeBinary(values, rowCount);
    case 'uuid': return encodeUuids(values, rowCount);
    case 'interval': return encodeIntervals(values, rowCount);
  }
}

function encodeBool(values: readonly Value[], rowCount: number): EncodedColumn {
  const validity = new Validity(rowCount);
  const data = new Uint8Array((rowCount + 7) >> 3);
  for (let row = 0; row < rowCount; row++) {
    const value = values[row];
    if (value === null) { validity.markNull(row); continue; }
    if (typeof value !== 'boolean') badValue('bool', value);
    if (value) data[row >> 3]! |= 1 << (row & 7);
  }
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), data] };
}

function encodeNumbers(
  values: readonly Value[], rowCount: number, data: Int16Array | Int32Array | Float32Array | Float64Array, kind: ColumnKind,
): EncodedColumn {
  const validity = new Validity(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const value = values[row];
    if (value === null) { validity.markNull(row); continue; }
    if (typeof value !== 'number') badValue(kind, value);
    data[row] = value;
  }
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), bytesOf(data)] };
}

const dateInfinity = 0x7fffffff;
const dateMinusInfinity = -0x80000000;

function encodeDates(values: readonly Value[], rowCount: number): EncodedColumn {
  const validity = new Validity(rowCount);
  const data = new Int32Array(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const value = values[row];
    if (value === null) { validity.markNull(row); continue; }
    if (typeof value !== 'number') badValue('date32', value);
    data[row] = value === Infinity ? dateInfinity : value === -Infinity ? dateMinusInfinity : value;
  }
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), bytesOf(data)] };
}

function encodeBigInts(values: readonly Value[], rowCount: number, kind: ColumnKind): EncodedColumn {
  const validity = new Validity(rowCount);
  const data = new BigInt64Array(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const value = values[row];
    if (value === null) { validity.markNull(row); continue; }
    if (typeof value !== 'bigint') badValue(kind, value);
    data[row] = value;
  }
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), bytesOf(data)] };
}

const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;
const decimalNaN = -(1n << 127n);
const decimalInfinity = (1n << 127n) - 1n;
const decimalMinusInfinity = -(1n << 127n) + 1n;
const decimal38Bound = 10n ** 38n;
const powersOfTen: bigint[] = Array.from({ length: 80 }, (_, exponent) => 10n ** BigInt(exponent));

function powerOfTen(exponent: number): bigint {
  return powersOfTen[exponent] ?? 10n ** BigInt(exponent);
}

/** The coefficient of `value` at `scale`; the caller has already rounded values to the column's scale. */
function decimalUnscaled(value: Decimal, scale: number): bigint {
  if (value.special !== undefined) {
    return value.special === 'NaN' ? decimalNaN : value.special === 'Infinity' ? decimalInfinity : decimalMinusInfinity;
  }
  if (value.scale === scale) return value.coefficient;
  if (value.scale < scale) return value.coefficient * powerOfTen(scale - value.scale);
  const divisor = powerOfTen(value.scale - scale);
  if (value.coefficient % divisor !== 0n) throw internalError(`numeric ${value.toString()} was not rounded to scale ${scale}`);
  return value.coefficient / divisor;
}

function encodeDecimals(values: readonly Value[], rowCount: number, scale: number): EncodedColumn {
  const validity = new Validity(rowCount);
  const data = new BigInt64Array(rowCount * 2);
  for (let row = 0; row < rowCount; row++) {
    const value = values[row];
    if (value === null) { validity.markNull(row); continue; }
    if (!(value instanceof Decimal)) badValue('decimal128', value);
    const unscaled = decimalUnscaled(value, scale);
    if (unscaled >= int64Min && unscaled <= int64Max) {
      data[2 * row] = unscaled;
      data[2 * row + 1] = unscaled < 0n ? -1n : 0n;
    } else {
      if (value.special === undefined && (unscaled >= decimal38Bound || unscaled <= -decimal38Bound)) badValue('decimal128', value);
      data[2 * row] = BigInt.asIntN(64, unscaled);
      data[2 * row + 1] = BigInt.asIntN(64, unscaled >> 64n);
    }
  }
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), bytesOf(data)] };
}

function numericText(value: Value): string {
  if (!(value instanceof Decimal)) badValue('numericText', value);
  return value.toString();
}

function encodeVariable(
  values: readonly Value[], rowCount: number, kind: ColumnKind, toText: ((value: Value) => string) | undefined,
): EncodedColumn {
  const validity = new Validity(rowCount);
  const offsets = new Int32Array(rowCount + 1);
  const texts: (string | null)[] = toText === undefined ? (values as (string | null)[]) : new Array<string | null>(rowCount);
  let characters = 0;
  for (let row = 0; row < rowCount; row++) {
    offsets[row] = characters;
    const value = values[row];
    if (value === null) { validity.markNull(row); if (toText !== undefined) texts[row] = null; continue; }
    if (toText !== undefined) texts[row] = toText(value as Value);
    else if (typeof value !== 'string') badValue(kind, value);
    characters += texts[row]!.length;
  }
  offsets[rowCount] = characters;
  // ASCII fast path: one native write of the joined column; character offsets are byte offsets.
  // `join` turns NULLs into ''. Any non-ASCII character makes the UTF-8 longer than the characters;
  // 4 spare bytes make a write cut short by the capacity also write more than `characters` bytes.
  const data = Buffer.allocUnsafeSlow(characters + 4);
  if (data.write(texts.join(''), 0) === characters) {
    return { nullCount: validity.nullCount, buffers: [validity.buffer(), bytesOf(offsets), data.subarray(0, characters)] };
  }
  let utf8 = Buffer.allocUnsafeSlow(characters * 3);
  let position = 0;
  for (let row = 0; row < rowCount; row++) {
    offsets[row] = position;
    const text = texts[row];
    if (text === null || text === undefined) continue;
    position += utf8.write(text, position);
  }
  offsets[rowCount] = position;
  if (position > limits.logBatchBytesMax) throw new SqlError(SqlState.programLimitExceeded, `log column of ${position} bytes is too large`);
  utf8 = utf8.subarray(0, position);
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), bytesOf(offsets), utf8] };
}

function encodeBinary(values: readonly Value[], rowCount: number): EncodedColumn {
  const validity = new Validity(rowCount);
  const offsets = new Int32Array(rowCount + 1);
  let total = 0;
  for (const value of values) if (value instanceof Uint8Array) total += value.byteLength;
  const data = new Uint8Array(total);
  let position = 0;
  for (let row = 0; row < rowCount; row++) {
    offsets[row] = position;
    const value = values[row];
    if (value === null) { validity.markNull(row); continue; }
    if (!(value instanceof Uint8Array)) badValue('binary', value);
    data.set(value, position);
    position += value.byteLength;
  }
  offsets[rowCount] = position;
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), bytesOf(offsets), data] };
}

const hexValue = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  hexValue['0123456789abcdef'.charCodeAt(digit)] = digit;
  hexValue['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}

function encodeUuids(values: readonly Value[], rowCount: number): EncodedColumn {
  const validity = new Validity(rowCount);
  const data = new Uint8Array(rowCount * 16);
  for (let row = 0; row < rowCount; row++) {
    const value = values[row];
    if (value === null) { validity.markNull(row); continue; }
    if (typeof value !== 'string' || value.length !== 36) badValue('uuid', value);
    let out = row * 16;
    for (let index = 0; index < 36; index += 2) {
      if (index === 8 || index === 13 || index === 18 || index === 23) index++;
      const high = hexValue[value.charCodeAt(index)] ?? -1;
      const low = hexValue[value.charCodeAt(index + 1)] ?? -1;
      if (high < 0 || low < 0) badValue('uuid', value);
      data[out++] = (high << 4) | low;
    }
  }
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), data] };
}

function isInterval(value: Value): value is Interval {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !(value instanceof Decimal)
    && !Array.isArray(value) && typeof (value as Interval).micros === 'bigint';
}

function encodeIntervals(values: readonly Value[], rowCount: number): EncodedColumn {
  const validity = new Validity(rowCount);
  const words = new Int32Array(rowCount * 4);
  const micros = new BigInt64Array(words.buffer);
  for (let row = 0; row < rowCount; row++) {
    const value = values[row];
    if (value === null) { validity.markNull(row); continue; }
    if (value === undefined || !isInterval(value)) badValue('interval', value);
    words[4 * row] = value.months;
    words[4 * row + 1] = value.days;
    micros[2 * row + 1] = value.micros;
  }
  return { nullCount: validity.nullCount, buffers: [validity.buffer(), bytesOf(words)] };
}

// ---------------------------------------------------------------------------------------------
// Joining: the encoding of the rows of several encoded parts in order, as encodeColumn of all their
// values would give it (validity and bool bits moved, fixed-width bytes copied, offsets rebased).

/** One encoded part of a column and its row count. */
export interface ColumnPart {
  readonly column: EncodedColumn;
  readonly rowCount: number;
}

export function concatColumns(kind: ColumnKind, parts: readonly ColumnPart[]): EncodedColumn {
  let rowCount = 0;
  let nullCount = 0;
  for (const part of parts) {
    rowCount += part.rowCount;
    nullCount += part.column.nullCount;
  }
  const validity = nullCount === 0 ? empty : concatBits(parts, 0, rowCount, true);
  switch (kind) {
    case 'bool': return { nullCount, buffers: [validity, concatBits(parts, 1, rowCount, false)] };
    case 'utf8': case 'binary': case 'numericText': return { nullCount, buffers: [validity, ...concatVariable(parts, rowCount)] };
    default: return { nullCount, buffers: [validity, concatBytes(parts.map((part) => part.column.buffers[1]!))] };
  }
}

/**
 * Buffer `index` of every part as one bitmap of `rowCount` bits; a part whose buffer is empty (a
 * validity bitmap of a part without NULLs) counts as all set when `emptyIsSet`.
 */
function concatBits(parts: readonly ColumnPart[], index: number, rowCount: number, emptyIsSet: boolean): Uint8Array {
  const out = new Uint8Array((rowCount + 7) >> 3);
  let at = 0;
  for (const { column, rowCount: count } of parts) {
    const bits = column.buffers[index]!;
    const all = bits.byteLength === 0 && emptyIsSet;
    for (let row = 0; row < count; row++, at++) {
      if (all || (bits[row >> 3]! & (1 << (row & 7))) !== 0) out[at >> 3]! |= 1 << (at & 7);
    }
  }
  return out;
}

function concatBytes(buffers: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const buffer of buffers) length += buffer.byteLength;
  const out = uninitializedBytes(length);
  let at = 0;
  for (const buffer of buffers) {
    out.set(buffer, at);
    at += buffer.byteLength;
  }
  return out;
}

/** Offsets (rebased) and data of variable-width parts. */
function concatVariable(parts: readonly ColumnPart[], rowCount: number): [Uint8Array, Uint8Array] {
  const offsets = new Int32Array(uninitializedBytes(4 * (rowCount + 1)).buffer, 0, rowCount + 1);
  let row = 0;
  let base = 0;
  for (const { column, rowCount: count } of parts) {
    const bytes = aligned(column.buffers[1]!);
    const partOffsets = new Int32Array(bytes.buffer, bytes.byteOffset, count + 1);
    for (let index = 0; index < count; index++) offsets[row++] = base + partOffsets[index]!;
    base += partOffsets[count]!;
  }
  offsets[rowCount] = base;
  if (base > limits.logBatchBytesMax) throw new SqlError(SqlState.programLimitExceeded, `log column of ${base} bytes is too large`);
  return [bytesOf(offsets), concatBytes(parts.map((part) => part.column.buffers[2]!))];
}

// ---------------------------------------------------------------------------------------------
// Decoding: `bytes` is the column's whole body range (its buffers, each padded to 8), as written.

/** Byte length of each buffer of a column, in Arrow order, derived from its kind and the body range. */
export function bufferLengths(kind: ColumnKind, rowCount: number, nullCount: number, rangeLength: number): number[] {
  const validity = nullCount > 0 ? (rowCount + 7) >> 3 : 0;
  const fixed = (width: number): number[] => [validity, rowCount * width];
  switch (kind) {
    case 'bool': return [validity, (rowCount + 7) >> 3];
    case 'int16': return fixed(2);
    case 'int32': case 'float32': case 'date32': return fixed(4);
    case 'int64': case 'float64': case 'timestamp': return fixed(8);
    case 'decimal128': case 'uuid': case 'interval': return fixed(16);
    case 'utf8': case 'binary': case 'numericText': {
      const offsets = (rowCount + 1) * 4;
      return [validity, offsets, rangeLength - paddedLength(validity) - paddedLength(offsets)];
    }
  }
}

interface ColumnView {
  readonly validity: Uint8Array | undefined;
  readonly buffers: Uint8Array[];
}

function viewColumn(kind: ColumnKind, bytes: Uint8Array, rowCount: number, nullCount: number): ColumnView {
  const lengths = bufferLengths(kind, rowCount, nullCount, bytes.byteLength);
  const buffers: Uint8Array[] = [];
  let position = 0;
  for (const length of lengths) {
    if (length < 0 || position + length > bytes.byteLength) throw internalError(`log column body of ${bytes.byteLength} bytes is too short`);
    buffers.push(aligned(bytes.subarray(position, position + length)));
    position += paddedLength(length);
  }
  return { validity: nullCount > 0 ? buffers[0] : undefined, buffers };
}

/** The bytes at an 8-aligned address, copying only when the source is misaligned. */
function aligned(bytes: Uint8Array): Uint8Array {
  if ((bytes.byteOffset & 7) === 0) return bytes;
  return bytes.slice();
}

function isNull(validity: Uint8Array | undefined, row: number): boolean {
  return validity !== undefined && (validity[row >> 3]! & (1 << (row & 7))) === 0;
}

/** Values of rows [rowStart, rowEnd) of a column whose body range is `bytes`. */
export function decodeColumn(
  kind: ColumnKind, type: DataType, bytes: Uint8Array, rowCount: number, nullCount: number, rowStart: number, rowEnd: number,
): Value[] {
  const { validity, buffers } = viewColumn(kind, bytes, rowCount, nullCount);
  const data = buffers[1]!;
  switch (kind) {
    case 'bool': return decodeBool(validity, data, rowStart, rowEnd);
    case 'int16': return decodeNumbers(validity, new Int16Array(data.buffer, data.byteOffset, rowCount), rowStart, rowEnd);
    case 'int32': return decodeNumbers(validity, new Int32Array(data.buffer, data.byteOffset, rowCount), rowStart, rowEnd);
    case 'float32': return decodeNumbers(validity, new Float32Array(data.buffer, data.byteOffset, rowCount), rowStart, rowEnd);
    case 'float64': return decodeNumbers(validity, new Float64Array(data.buffer, data.byteOffset, rowCount), rowStart, rowEnd);
    case 'date32': return decodeDates(validity, new Int32Array(data.buffer, data.byteOffset, rowCount), rowStart, rowEnd);
    case 'int64': case 'timestamp':
      return decodeNumbers(validity, new BigInt64Array(data.buffer, data.byteOffset, rowCount), rowStart, rowEnd);
    case 'decimal128':
      return decodeDecimals(validity, new BigInt64Array(data.buffer, data.byteOffset, rowCount * 2), type.scale ?? 0, rowStart, rowEnd);
    case 'utf8': return decodeText(validity, buffers[1]!, buffers[2]!, rowStart, rowEnd);
    case 'numericText':
      return decodeText(validity, buffers[1]!, buffers[2]!, rowStart, rowEnd).map((text) => (text === null ? null : Decimal.parse(text as string)));
    case 'binary': return decodeBinary(validity, buffers[1]!, buffers[2]!, rowStart, rowEnd);
    case 'uuid': return decodeUuids(validity, data, rowStart, rowEnd);
    case 'interval': return decodeIntervals(validity, data, rowStart, rowEnd);
  }
}

function decodeBool(validity: Uint8Array | undefined, data: Uint8Array, rowStart: number, rowEnd: number): Value[] {
  const out = new Array<Value>(rowEnd - rowStart);
  for (let row = rowStart; row < rowEnd; row++) {
    out[row - rowStart] = isNull(validity, row) ? null : (data[row >> 3]! & (1 << (row & 7))) !== 0;
  }
  return out;
}

function decodeNumbers(
  validity: Uint8Array | undefined, data: Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array, rowStart: number, rowEnd: number,
): Value[] {
  const out = new Array<Value>(rowEnd - rowStart);
  if (validity === undefined) {
    for (let row = rowStart; row < rowEnd; row++) out[row - rowStart] = data[row]!;
  } else {
    for (let row = rowStart; row < rowEnd; row++) out[row - rowStart] = isNull(validity, row) ? null : data[row]!;
  }
  return out;
}

function decodeDates(validity: Uint8Array | undefined, data: Int32Array, rowStart: number, rowEnd: number): Value[] {
  const out = new Array<Value>(rowEnd - rowStart);
  for (let row = rowStart; row < rowEnd; row++) {
    const days = data[row]!;
    out[row - rowStart] = isNull(validity, row) ? null : days === dateInfinity ? Infinity : days === dateMinusInfinity ? -Infinity : days;
  }
  return out;
}

function decodeDecimals(validity: Uint8Array | undefined, words: BigInt64Array, scale: number, rowStart: number, rowEnd: number): Value[] {
  const out = new Array<Value>(rowEnd - rowStart);
  for (let row = rowStart; row < rowEnd; row++) {
    if (isNull(validity, row)) { out[row - rowStart] = null; continue; }
    const low = words[2 * row]!;
    const high = words[2 * row + 1]!;
    if ((high === 0n && low >= 0n) || (high === -1n && low < 0n)) {
      out[row - rowStart] = new Decimal(low, scale);
      continue;
    }
    const unscaled = (high << 64n) | BigInt.asUintN(64, low);
    if (unscaled === decimalNaN) out[row - rowStart] = new Decimal(0n, 0, 'NaN');
    else if (unscaled === decimalInfinity) out[row - rowStart] = new Decimal(0n, 0, 'Infinity');
    else if (unscaled === decimalMinusInfinity) out[row - rowStart] = new Decimal(0n, 0, '-Infinity');
    else out[row - rowStart] = new Decimal(unscaled, scale);
  }
  return out;
}

function decodeText(validity: Uint8Array | undefined, offsetBytes: Uint8Array, data: Uint8Array, rowStart: number, rowEnd: number): Value[] {
  const offsets = new Int32Array(offsetBytes.buffer, offsetBytes.byteOffset, offsetBytes.byteLength >> 2);
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const from = offsets[rowStart]!;
  const to = offsets[rowEnd]!;
  const out = new Array<Value>(rowEnd - rowStart);
  if (isAscii(data, from, to)) {
    // One JS string for the whole range; per-row values are slices of it (byte = char offsets).
    const whole = buffer.toString('latin1', from, to);
    for (let row = rowStart; row < rowEnd; row++) {
      out[row - rowStart] = isNull(validity, row) ? null : whole.slice(offsets[row]! - from, offsets[row + 1]! - from);
    }
    return out;
  }
  for (let row = rowStart; row < rowEnd; row++) {
    out[row - rowStart] = isNull(validity, row) ? null : buffer.toString('utf8', offsets[row]!, offsets[row + 1]!);
  }
  return out;
}

function isAscii(data: Uint8Array, from: number, to: number): boolean {
  return bufferIsAscii(data.subarray(from, to));
}

function decodeBinary(validity: Uint8Array | undefined, offsetBytes: Uint8Array, data: Uint8Array, rowStart: number, rowEnd: number): Value[] {
  const offsets = new Int32Array(offsetBytes.buffer, offsetBytes.byteOffset, offsetBytes.byteLength >> 2);
  const out = new Array<Value>(rowEnd - rowStart);
  for (let row = rowStart; row < rowEnd; row++) {
    out[row - rowStart] = isNull(validity, row) ? null : data.slice(offsets[row]!, offsets[row + 1]!);
  }
  return out;
}

const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function decodeUuids(validity: Uint8Array | undefined, data: Uint8Array, rowStart: number, rowEnd: number): Value[] {
  const out = new Array<Value>(rowEnd - rowStart);
  for (let row = rowStart; row < rowEnd; row++) {
    if (isNull(validity, row)) { out[row - rowStart] = null; continue; }
    let text = '';
    for (let index = 0; index < 16; index++) {
      if (index === 4 || index === 6 || index === 8 || index === 10) text += '-';
      text += hexDigits[data[row * 16 + index]!]!;
    }
    out[row - rowStart] = text;
  }
  return out;
}

function decodeIntervals(validity: Uint8Array | undefined, data: Uint8Array, rowStart: number, rowEnd: number): Value[] {
  const words = new Int32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
  const micros = new BigInt64Array(data.buffer, data.byteOffset, data.byteLength >> 3);
  const out = new Array<Value>(rowEnd - rowStart);
  for (let row = rowStart; row < rowEnd; row++) {
    out[row - rowStart] = isNull(validity, row)
      ? null
      : { months: words[4 * row]!, days: words[4 * row + 1]!, micros: micros[2 * row + 1]! } satisfies Interval;
  }
  return out;
}

// Wire encodings of Values, both directions. Text format delegates to the types' text functions
// (common/value-text.ts); binary format is PostgreSQL's send/recv layout for each type, written
// here. Invariants: a writer emits the Int32 length and then the payload (never for null, which the
// DataRow encoder writes as -1); a decoder reads exactly one parameter's bytes and rejects any other
// length for a fixed-size type with 22P03, as PostgreSQL's recv functions do.

import { Decimal } from '../common/decimal.js';
import { SqlError, SqlState, notSupported } from '../common/errors.js';
import { canonicalJsonb, parseJson } from '../common/json-text.js';
import { formatType, type DataType, type Interval, type Value } from '../common/types.js';
import { formatText, parseText } from '../common/value-text.js';
import { MessageWriter } from './message-writer.js';
import { checkUtf8 } from './utf8-check.js';

export type FormatCode = 0 | 1;
export type NonNullValue = Exclude<Value, null>;
/** Writes one non-null value: its Int32 byte length, then its bytes. */
export type ValueWriter = (out: MessageWriter, value: NonNullValue) => void;

/** Days from 1970-01-01 (Sluice's date epoch) to 2000-01-01 (PostgreSQL's). */
const epochShiftDays = 10_957;
const epochShiftMicros = 946_684_800_000_000n;
const int32Max = 2_147_483_647;
const int32Min = -2_147_483_648;
const int64Max = 9_223_372_036_854_775_807n;
const int64Min = -9_223_372_036_854_775_808n;

const numericPositive = 0x0000;
const numericNegative = 0x4000;
const numericNaN = 0xc000;
const numericPositiveInfinity = 0xd000;
const numericNegativeInfinity = 0xf000;
const numericDisplayScaleMax = 0x3fff;
const numericDigitsMax = 1000 + 1000;


// ---------------------------------------------------------------------------------------------
// Encoding results

/** The writer for one result column; throws 0A000 when the type has no binary form. */
export function valueWriter(type: DataType, format: FormatCode, timeZone = 'UTC', textOutput?: (value: Value) => string): ValueWriter {
  if (format === 0 && textOutput !== undefined) return (out, value) => out.lengthPrefixedString(textOutput(value));
  return format === 1 ? binaryWriter(type) : textWriter(type, timeZone);
}

/** One value's payload bytes (no length word), or null for SQL NULL. */
export function encodeValue(type: DataType, format: FormatCode, value: Value, timeZone = 'UTC'): Buffer | null {
  if (value === null) return null;
  const out = new MessageWriter(64);
  valueWriter(type, format, timeZone)(out, value);
  return out.take().subarray(4);
}

function textWriter(type: DataType, timeZone: string): ValueWriter {
  if (type.element !== undefined) return (out, value) => out.lengthPrefixedString(formatText(type, value, timeZone));
  switch (type.name) {
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'uuid': case 'jsonb': case 'json':
      return (out, value) => out.lengthPrefixedString(value as string);
    case 'int2': case 'int4': case 'int8':
      return (out, value) => out.lengthPrefixedString(String(value));
    case 'bool':
      return (out, value) => out.int32(1).byte(value === true ? 0x74 : 0x66);
    case 'timestamptz': case 'timestamp': case 'date': {
      // Consecutive rows often share the value (every row of a commit has its _commit_timestamp),
      // and formatting one costs microseconds: the writer keeps the last text.
      let last: Value | undefined;
      let lastText = '';
      return (out, value) => {
        if (value !== last) {
          lastText = formatText(type, value, timeZone);
          last = value;
        }
        out.lengthPrefixedString(lastText);
      };
    }
    default:
      return (out, value) => out.lengthPrefixedString(formatText(type, value, timeZone));
  }
}

function binaryWriter(type: DataType): ValueWriter {
  if (type.element !== undefined) throw noBinaryForm(type);
  switch (type.name) {
    case 'bool': return (out, value) => out.int32(1).byte(value === true ? 1 : 0);
    case 'int2': return (out, value) => out.int32(2).int16(value as number);
    case 'int4': return (out, value) => out.int32(4).int32(value as number);
    case 'oid': case 'regclass': case 'regtype': case 'regnamespace': case 'regproc': case 'regrole':
      return (out, value) => out.int32(4).uint32(value as number);
    case 'int2vector': case 'oidvector': case 'aclitem': case 'record': throw noBinaryForm(type);
    case 'int8': case 'time': return (out, value) => out.int32(8).int64(value as bigint);
    case 'float4': return (out, value) => out.int32(4).float32(value as number);
    case 'float8': return (out, value) => out.int32(8).float64(value as number);
    case 'numeric': return (out, value) => writeNumeric(out, value as Decimal);
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'json': case 'char': case 'unknown':
      return (out, value) => out.lengthPrefixedString(value as string);
    case 'bytea': return (out, value) => out.lengthPrefixedBytes(value as Uint8Array);
    case 'date': return (out, value) => out.int32(4).int32(dateToWire(value as number));
    case 'timestamp': case 'timestamptz': return (out, value) => out.int32(8).int64(timestampToWire(value as bigint));
    case 'interval': return (out, value) => writeInterval(out, value as Interval);
    case 'uuid': return (out, value) => out.int32(16).bytes(uuidToBytes(value as string));
    case 'jsonb': return writeJsonb;
    case 'void': return (out) => out.int32(0);
  }
}

function noBinaryForm(type: DataType): SqlError {
  return notSupported(`binary format is not supported for type ${formatType(type)}`);
}

function dateToWire(days: number): number {
  if (days === Number.POSITIVE_INFINITY) return int32Max;
  if (days === Number.NEGATIVE_INFINITY) return int32Min;
  return days - epochShiftDays;
}

function timestampToWire(micros: bigint): bigint {
  if (micros === int64Max || micros === int64Min) return micros;
  return micros - epochShiftMicros;
}

function writeInterval(out: MessageWriter, interval: Interval): void {
  out.int32(16).int64(interval.micros).int32(interval.days).int32(interval.months);
}

function writeJsonb(out: MessageWriter, value: NonNullValue): void {
  const at = out.reserve(4);
  out.byte(1).string(value as string);
  out.patchInt32(at, out.length - at - 4);
}

function uuidToBytes(text: string): Buffer {
  return Buffer.from(text.replaceAll('-', ''), 'hex');
}

/** PostgreSQL's numeric send format: ndigits, weight, sign, dscale, then base-10000 digits. */
function writeNumeric(out: MessageWriter, value: Decimal): void {
  const { digits, weight, sign, displayScale } = numericToWire(value);
  out.int32(8 + 2 * digits.length).int16(digits.length).int16(weight).uint16(sign).int16(displayScale);
  for (const digit of digits) out.int16(digit);
}

interface WireNumeric {
  readonly digits: number[];
  readonly weight: number;
  readonly sign: number;
  readonly displayScale: number;
}

export function numericToWire(value: Decimal): WireNumeric {
  if (value.special === 'NaN') return { digits: [], weight: 0, sign: numericNaN, displayScale: 0 };
  if (value.special === 'Infinity') return { digits: [], weight: 0, sign: numericPositiveInfinity, displayScale: 0 };
  if (value.special === '-Infinity') return { digits: [], weight: 0, sign: numericNegativeInfinity, displayScale: 0 };
  const scale = Math.max(value.scale, 0);
  const coefficient = value.scale < 0 ? value.coefficient * 10n ** BigInt(-value.scale) : value.coefficient;
  const sign = coefficient < 0n ? numericNegative : numericPositive;
  const text = (coefficient < 0n ? -coefficient : coefficient).toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const fraction = text.slice(text.length - scale);
  const padded = whole.padStart(Math.ceil(whole.length / 4) * 4, '0') + fraction.padEnd(Math.ceil(fraction.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let at = 0; at < padded.length; at += 4) groups.push(Number(padded.slice(at, at + 4)));
  return trimNumericDigits(groups, Math.ceil(whole.length / 4), sign, scale);
}

function trimNumericDigits(groups: number[], wholeGroupCount: number, sign: number, displayScale: number): WireNumeric {
  let first = 0;
  let last = groups.length;
  while (first < last && groups[first] === 0) first++;
  while (last > first && groups[last - 1] === 0) last--;
  if (first === last) return { digits: [], weight: 0, sign: numericPositive, displayScale };
  const weight = wholeGroupCount - 1 - first;
  return { digits: groups.slice(first, last), weight, sign, displayScale };
}

// ---------------------------------------------------------------------------------------------
// Decoding parameters

/** A Bind parameter's Value; bad input is 22P02-style (text) or 22P03 (binary). */
export function decodeParameter(type: DataType, format: FormatCode, bytes: Uint8Array | null, timeZone = 'UTC'): Value {
  if (bytes === null) return null;
  if (format === 0) return parseText(type, parameterText(bytes), timeZone);
  return decodeBinary(type, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), timeZone);
}

/** Text parameters up to this many bytes are decoded in JavaScript when they are plain ASCII. */
const shortParameterBytes = 32;

/**
 * A text parameter's string. Short ASCII ones (keys, numbers) are decoded here, cheaper than a
 * native call; anything else is checked as UTF-8 first (NUL bytes included, which PostgreSQL refuses).
 */
function parameterText(bytes: Uint8Array): string {
  if (bytes.length <= shortParameterBytes) {
    let text = '';
    let index = 0;
    for (; index < bytes.length; index++) {
      const code = bytes[index] as number;
      if (code === 0 || code >= 0x80) break;
      text += String.fromCharCode(code);
    }
    if (index === bytes.length) return text;
  }
  return decodeUtf8(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
}

function decodeUtf8(bytes: Buffer): string {
  checkUtf8(bytes);
  return bytes.toString('utf8');
}

function badBinary(message: string): SqlError {
  return new SqlError(SqlState.invalidBinaryRepresentation, message);
}

function expectLength(bytes: Buffer, length: number, type: DataType): void {
  if (bytes.length !== length) {
    throw badBinary(`incorrect binary data format: ${formatType(type)} takes ${length} bytes, got ${bytes.length}`);
  }
}

function decodeBinary(type: DataType, bytes: Buffer, timeZone: string): Value {
  if (type.element !== undefined) throw noBinaryForm(type);
  switch (type.name) {
    case 'bool': expectLength(bytes, 1, type); return bytes[0] !== 0;
    case 'int2': expectLength(bytes, 2, type); return bytes.readInt16BE(0);
    case 'int4': expectLength(bytes, 4, type); return bytes.readInt32BE(0);
    case 'oid': case 'regclass': case 'regtype': case 'regnamespace': case 'regproc': case 'regrole':
      expectLength(bytes, 4, type); return bytes.readUInt32BE(0);
    case 'int8': case 'time': expectLength(bytes, 8, type); return bytes.readBigInt64BE(0);
    case 'float4': expectLength(bytes, 4, type); return bytes.readFloatBE(0);
    case 'float8': expectLength(bytes, 8, type); return bytes.readDoubleBE(0);
    case 'numeric': return decodeNumeric(bytes).withTypmod(type.precision, type.scale);
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'unknown':
      return parseText(type, decodeUtf8(bytes), timeZone);
    case 'json': return decodeJson(bytes);
    case 'jsonb': return decodeJsonb(bytes);
    case 'bytea': return new Uint8Array(bytes);
    case 'date': expectLength(bytes, 4, type); return dateFromWire(bytes.readInt32BE(0));
    case 'timestamp': case 'timestamptz': expectLength(bytes, 8, type); return timestampFromWire(bytes.readBigInt64BE(0));
    case 'interval': expectLength(bytes, 16, type); return decodeInterval(bytes);
    case 'uuid': expectLength(bytes, 16, type); return uuidFromBytes(bytes);
    case 'void': return null;
    case 'int2vector': case 'oidvector': case 'aclitem': case 'record': throw noBinaryForm(type);
  }
}

function dateFromWire(days: number): number {
  if (days === int32Max) return Number.POSITIVE_INFINITY;
  if (days === int32Min) return Number.NEGATIVE_INFINITY;
  return days + epochShiftDays;
}

function timestampFromWire(micros: bigint): bigint {
  if (micros === int64Max || micros === int64Min) return micros;
  return micros + epochShiftMicros;
}

function decodeInterval(bytes: Buffer): Interval {
  return { micros: bytes.readBigInt64BE(0), days: bytes.readInt32BE(8), months: bytes.readInt32BE(12) };
}

function uuidFromBytes(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function decodeJson(bytes: Buffer): string {
  const text = decodeUtf8(bytes);
  parseJson(text, false);
  return text;
}

function decodeJsonb(bytes: Buffer): string {
  if (bytes.length === 0 || bytes[0] !== 1) throw badBinary(`unsupported jsonb version number ${bytes[0] ?? 'missing'}`);
  return canonicalJsonb(decodeUtf8(bytes.subarray(1)));
}

export function decodeNumeric(bytes: Buffer): Decimal {
  if (bytes.length < 8) throw badBinary('insufficient data left in message for numeric');
  const count = bytes.readInt16BE(0);
  const weight = bytes.readInt16BE(2);
  const sign = bytes.readUInt16BE(4);
  const displayScale = bytes.readUInt16BE(6);
  if (count < 0 || count > numericDigitsMax || bytes.length !== 8 + 2 * count) throw badBinary('invalid length in external "numeric" value');
  const special = numericSpecial(sign);
  if (special !== undefined) return special;
  if (sign !== numericPositive && sign !== numericNegative) throw badBinary('invalid sign in external "numeric" value');
  if (displayScale > numericDisplayScaleMax) throw badBinary('invalid scale in external "numeric" value');
  const digits = readNumericDigits(bytes, count);
  return numericFromDigits(digits, weight - count + 1, sign === numericNegative, displayScale);
}

function numericSpecial(sign: number): Decimal | undefined {
  if (sign === numericNaN) return new Decimal(0n, 0, 'NaN');
  if (sign === numericPositiveInfinity) return new Decimal(0n, 0, 'Infinity');
  if (sign === numericNegativeInfinity) return new Decimal(0n, 0, '-Infinity');
  return undefined;
}

function readNumericDigits(bytes: Buffer, count: number): bigint {
  let digits = 0n;
  for (let index = 0; index < count; index++) {
    const digit = bytes.readInt16BE(8 + 2 * index);
    if (digit < 0 || digit > 9999) throw badBinary('invalid digit in external "numeric" value');
    digits = digits * 10000n + BigInt(digit);
  }
  return digits;
}

/** value = digits × 10000^lowestWeight, truncated to displayScale decimal places as numeric_recv does. */
function numericFromDigits(digits: bigint, lowestWeight: number, negative: boolean, displayScale: number): Decimal {
  const shift = 4 * lowestWeight + displayScale;
  const coefficient = shift >= 0 ? digits * 10n ** BigInt(shift) : digits / 10n ** BigInt(-shift);
  return new Decimal(negative ? -coefficient : coefficient, displayScale);
}

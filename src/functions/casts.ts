// Casts between all types: which are allowed in which context (type-rules.ts) and the conversions
// themselves, including type modifiers (varchar(n) truncates on an explicit cast and fails with
// 22001 otherwise; numeric(p,s) rounds and fails with 22003). Conversions to and from strings go
// through the types' text forms, as PostgreSQL's I/O conversion casts do.

import {
  MICROS_PER_DAY, MICROS_PER_SECOND, TIMESTAMP_INFINITY, TIMESTAMP_NEG_INFINITY, checkTimestampRange,
  isFiniteTimestamp, localToUtc, splitTimestamp, zoneOffsetSeconds,
} from '../common/datetime.js';
import { Decimal } from '../common/decimal.js';
import { SqlError, SqlState } from '../common/errors.js';
import { parseJson, type JsonValue } from '../common/json-text.js';
import { formatType, type DataType, type Interval, type Value } from '../common/types.js';
import { applyBpcharLength, applyVarcharLength, formatText, parseText } from '../common/value-text.js';
import type { CastContext, FunctionContext } from './function.js';
import {
  checkInt2, checkInt4, checkInt8, decimalToFloat4, decimalToFloat8, decimalToInt2, decimalToInt4, decimalToInt8,
  float8ToFloat4, floatToInt2, floatToInt4, floatToInt8, outOfRange, sessionZone,
} from './numeric-checks.js';
import { castAllowedIn, castContextOf, isStringType } from './type-rules.js';
import { catalogNameConversion } from './catalog-casts.js';

/** A cast's conversion; NULL maps to NULL. Time-zone-dependent casts read the session's TimeZone. */
export type CastFunction = (value: Value, context?: FunctionContext) => Value;

type Conversion = (value: Value, context: FunctionContext | undefined) => Value;

/** The conversion from `from` to `to` if that cast is allowed in `context`, else null. */
export function findCast(from: DataType, to: DataType, context: CastContext): CastFunction | null {
  const declared = castContextOf(from, to);
  if (declared === null || !castAllowedIn(declared, context)) return null;
  return buildCast(from, to, context);
}

/**
 * The conversion a bound Cast node executes: any cast that exists at all (the binder already
 * checked the context), with type modifiers applied as `context` says (explicit truncates).
 */
export function castForExecution(from: DataType, to: DataType, context: CastContext): CastFunction | null {
  if (castContextOf(from, to) === null) return null;
  return buildCast(from, to, context);
}

function buildCast(from: DataType, to: DataType, context: CastContext): CastFunction {
  const convert = conversion(from, to);
  const typmod = typmodApplier(to, context);
  if (convert === undefined && typmod === undefined) return (value) => value;
  return (value, functionContext) => {
    if (value === null) return null;
    const converted = convert === undefined ? value : convert(value, functionContext);
    return typmod === undefined || converted === null ? converted : typmod(converted);
  };
}

/** Casts one value, failing with PostgreSQL's error when no such cast exists in `context`. */
export function castValue(value: Value, from: DataType, to: DataType, context: CastContext, functionContext?: FunctionContext): Value {
  const cast = findCast(from, to, context);
  if (cast === null) {
    throw new SqlError(SqlState.cannotCoerce, `cannot cast type ${formatType(from)} to ${formatType(to)}`);
  }
  return cast(value, functionContext);
}

/** Applies a target type's modifier to an already converted value; undefined when there is none. */
function typmodApplier(to: DataType, context: CastContext): ((value: Value) => Value) | undefined {
  if (to.element !== undefined) {
    const element = typmodApplier(to.element, context);
    if (element === undefined) return undefined;
    const applyDeep = (value: Value): Value => (Array.isArray(value) ? value.map(applyDeep) : value === null ? null : element(value));
    return applyDeep;
  }
  if (to.precision === undefined) return undefined;
  const explicit = context === 'explicit';
  switch (to.name) {
    case 'varchar': return (value) => applyVarcharLength(value as string, to, explicit);
    case 'bpchar': return (value) => applyBpcharLength(value as string, to, explicit);
    case 'numeric': return (value) => (value as Decimal).withTypmod(to.precision, to.scale);
    default: return undefined;
  }
}

function baseType(type: DataType): DataType {
  return type.element === undefined ? { name: type.name } : { name: type.name, element: baseType(type.element) };
}

/** The value conversion ignoring typmods; undefined when the representation is unchanged. */
function conversion(from: DataType, to: DataType): Conversion | undefined {
  const catalogName = catalogNameConversion(from, to);
  if (catalogName !== undefined) return catalogName;
  if (from.element !== undefined && to.element !== undefined) {
    const element = conversion(from.element, to.element);
    if (element === undefined) return undefined;
    const mapDeep = (value: Value, context: FunctionContext | undefined): Value =>
      Array.isArray(value) ? value.map((item) => mapDeep(item, context)) : value === null ? null : element(value, context);
    return mapDeep;
  }
  if (from.element !== undefined && to.element === undefined) {
    return (value, context) => stringOut(from, to, formatText(from, value, sessionZone(context)));
  }
  if (from.name === 'unknown' || (isStringType(from) && !isStringType(to))) {
    const target = baseType(to);
    return (value, context) => parseText(target, stringOfChar(from, value as string), sessionZone(context));
  }
  if (from.name === to.name) return undefined;
  if (isStringType(to)) return toStringConversion(from, to);
  return scalarConversion(from, to);
}

/** bpchar loses its trailing spaces when converted to another type, as PostgreSQL's rtrim does. */
function stringOfChar(from: DataType, text: string): string {
  return from.name === 'bpchar' ? text.replace(/ +$/, '') : text;
}

function stringOut(_from: DataType, to: DataType, text: string): string {
  if (to.name === 'char') return text.length === 0 ? '' : String.fromCodePoint(text.codePointAt(0) ?? 0);
  if (to.name === 'name') return parseText({ name: 'name' }, text) as string;
  return text;
}

function toStringConversion(from: DataType, to: DataType): Conversion {
  if (isStringType(from)) {
    return (value) => stringOut(from, to, stringOfChar(from, value as string));
  }
  if (from.name === 'bool') return (value) => stringOut(from, to, value === true ? 'true' : 'false');
  if (from.name === 'int4' && to.name === 'char') {
    return (value) => {
      const code = value as number;
      if (code < -128 || code > 127) throw outOfRange('"char" out of range');
      return code === 0 ? '' : String.fromCharCode(code & 0xff);
    };
  }
  return (value, context) => stringOut(from, to, formatText(from, value, sessionZone(context)));
}

function scalarConversion(from: DataType, to: DataType): Conversion | undefined {
  const key = `${from.name}>${to.name}`;
  const direct = scalarConversions[key];
  if (direct !== undefined) return direct;
  if (from.name === 'jsonb') return jsonbScalar(to);
  // Integer-represented types that share a representation (oid, regclass, regtype, int4).
  return undefined;
}

const toBool = (value: Value): Value => (value as number) !== 0;

/** Integer ↔ OID-alias conversions for reg* types (they share the oid representation). */
function oidAliasConversions(names: readonly string[]): Record<string, Conversion> {
  const result: Record<string, Conversion> = {};
  for (const name of names) {
    result[`int2>${name}`] = (value) => toOid(BigInt(value as number));
    result[`int4>${name}`] = (value) => toOid(BigInt(value as number));
    result[`int8>${name}`] = (value) => toOid(value as bigint);
    result[`${name}>int4`] = oidToInt4;
    result[`${name}>int8`] = (value) => BigInt(value as number);
  }
  return result;
}

const scalarConversions: Readonly<Record<string, Conversion>> = {
  'bool>int4': (value) => (value === true ? 1 : 0),
  'int4>bool': toBool,
  'char>int4': (value) => {
    const code = (value as string).charCodeAt(0);
    return Number.isNaN(code) ? 0 : code > 127 ? code - 256 : code;
  },
  'int2>int8': (value) => BigInt(value as number),
  'int4>int8': (value) => BigInt(value as number),
  'int8>int2': (value) => checkInt2(Number(checkRange(value as bigint, -32768n, 32767n, 'smallint out of range'))),
  'int8>int4': (value) => checkInt4(Number(checkRange(value as bigint, -2147483648n, 2147483647n, 'integer out of range'))),
  'int4>int2': (value) => checkInt2(value as number),
  'int2>float4': (value) => value, 'int4>float4': (value) => Math.fround(value as number),
  'int2>float8': (value) => value, 'int4>float8': (value) => value,
  'int8>float4': (value) => Math.fround(Number(value as bigint)),
  'int8>float8': (value) => Number(value as bigint),
  'int2>numeric': (value) => new Decimal(BigInt(value as number), 0),
  'int4>numeric': (value) => new Decimal(BigInt(value as number), 0),
  'int8>numeric': (value) => new Decimal(value as bigint, 0),
  // float4 → float8 widens the binary value exactly, as PostgreSQL does.
  'float4>float8': (value) => value,
  'float8>float4': (value) => float8ToFloat4(value as number),
  'float4>int2': (value) => floatToInt2(value as number), 'float8>int2': (value) => floatToInt2(value as number),
  'float4>int4': (value) => floatToInt4(value as number), 'float8>int4': (value) => floatToInt4(value as number),
  'float4>int8': (value) => floatToInt8(value as number), 'float8>int8': (value) => floatToInt8(value as number),
  'float4>numeric': (value) => Decimal.fromNumber(value as number, 6),
  'float8>numeric': (value) => Decimal.fromNumber(value as number, 15),
  'numeric>int2': (value) => decimalToInt2(value as Decimal),
  'numeric>int4': (value) => decimalToInt4(value as Decimal),
  'numeric>int8': (value) => decimalToInt8(value as Decimal),
  'numeric>float4': (value) => decimalToFloat4(value as Decimal),
  'numeric>float8': (value) => decimalToFloat8(value as Decimal),
  'int2>oid': (value) => toOid(BigInt(value as number)), 'int4>oid': (value) => toOid(BigInt(value as number)),
  'int8>oid': (value) => toOid(value as bigint),
  'int2>regclass': (value) => toOid(BigInt(value as number)), 'int4>regclass': (value) => toOid(BigInt(value as number)),
  'int8>regclass': (value) => toOid(value as bigint),
  'int2>regtype': (value) => toOid(BigInt(value as number)), 'int4>regtype': (value) => toOid(BigInt(value as number)),
  'int8>regtype': (value) => toOid(value as bigint),
  ...oidAliasConversions(['regnamespace', 'regproc', 'regrole']),
  'oid>int4': oidToInt4, 'regclass>int4': oidToInt4, 'regtype>int4': oidToInt4,
  'oid>int8': (value) => BigInt(value as number), 'regclass>int8': (value) => BigInt(value as number),
  'regtype>int8': (value) => BigInt(value as number),
  'date>timestamp': (value) => dateToTimestamp(value as number),
  'date>timestamptz': (value, context) => {
    const local = dateToTimestamp(value as number);
    return isFiniteTimestamp(local) ? checkTimestampRange(localToUtc(local, sessionZone(context))) : local;
  },
  'timestamp>timestamptz': (value, context) => {
    const local = value as bigint;
    return isFiniteTimestamp(local) ? checkTimestampRange(localToUtc(local, sessionZone(context))) : local;
  },
  'timestamptz>timestamp': (value, context) => utcToLocal(value as bigint, sessionZone(context)),
  'timestamp>date': (value) => timestampToDate(value as bigint),
  'timestamptz>date': (value, context) => timestampToDate(utcToLocal(value as bigint, sessionZone(context))),
  'timestamp>time': (value) => timeOfTimestamp(value as bigint),
  'timestamptz>time': (value, context) => timeOfTimestamp(utcToLocal(value as bigint, sessionZone(context))),
  'time>interval': (value): Interval => ({ months: 0, days: 0, micros: value as bigint }),
  'interval>time': (value) => {
    const micros = (value as Interval).micros % MICROS_PER_DAY;
    return micros < 0n ? micros + MICROS_PER_DAY : micros;
  },
  'json>jsonb': (value) => parseText({ name: 'jsonb' }, value as string),
  'jsonb>json': (value) => value,
};

function checkRange(value: bigint, min: bigint, max: bigint, message: string): bigint {
  if (value < min || value > max) throw outOfRange(message);
  return value;
}

function toOid(value: bigint): number {
  if (value < -2147483648n || value > 4294967295n) throw outOfRange('OID out of range');
  return Number(value < 0n ? value + 4294967296n : value);
}

function oidToInt4(value: Value): Value {
  const oid = value as number;
  return oid > 2147483647 ? oid - 4294967296 : oid;
}

export function dateToTimestamp(days: number): bigint {
  if (days === Number.POSITIVE_INFINITY) return TIMESTAMP_INFINITY;
  if (days === Number.NEGATIVE_INFINITY) return TIMESTAMP_NEG_INFINITY;
  return checkTimestampRange(BigInt(days) * MICROS_PER_DAY);
}

export function timestampToDate(micros: bigint): number {
  if (micros === TIMESTAMP_INFINITY) return Number.POSITIVE_INFINITY;
  if (micros === TIMESTAMP_NEG_INFINITY) return Number.NEGATIVE_INFINITY;
  return splitTimestamp(micros).days;
}

export function utcToLocal(micros: bigint, zone: string): bigint {
  if (!isFiniteTimestamp(micros)) return micros;
  return micros + BigInt(zoneOffsetSeconds(zone, micros)) * MICROS_PER_SECOND;
}

function timeOfTimestamp(micros: bigint): bigint {
  if (!isFiniteTimestamp(micros)) throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  return splitTimestamp(micros).timeMicros;
}

/** jsonb → bool/number: only from a JSON scalar of the matching kind (PostgreSQL 11+). */
function jsonbScalar(to: DataType): Conversion | undefined {
  const sqlName = formatType(to);
  const expect = (value: Value, kind: 'number' | 'boolean'): JsonValue => {
    const parsed = parseJson(value as string, true);
    const actual = parsed === null ? 'null' : typeof parsed === 'boolean' ? 'boolean' : typeof parsed === 'string' ? 'string'
      : parsed instanceof Decimal ? 'number' : Array.isArray(parsed) ? 'array' : 'object';
    if (actual !== kind) throw new SqlError(SqlState.invalidParameterValue, `cannot cast jsonb ${actual} to type ${sqlName}`);
    return parsed;
  };
  switch (to.name) {
    case 'bool': return (value) => expect(value, 'boolean') as boolean;
    case 'numeric': return (value) => expect(value, 'number') as Decimal;
    case 'int2': return (value) => decimalToInt2(expect(value, 'number') as Decimal);
    case 'int4': return (value) => decimalToInt4(expect(value, 'number') as Decimal);
    case 'int8': return (value) => checkInt8(decimalToInt8(expect(value, 'number') as Decimal));
    case 'float4': return (value) => decimalToFloat4(expect(value, 'number') as Decimal);
    case 'float8': return (value) => decimalToFloat8(expect(value, 'number') as Decimal);
    default: return undefined;
  }
}

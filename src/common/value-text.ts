// PostgreSQL's text format for every Sluice type: formatText is each type's output function and
// parseText its input function (with the type modifier applied, as a column or cast with a typmod
// does). Values follow the representation contract in types.ts. Errors carry PostgreSQL's SQLSTATEs
// and messages, since clients match on both.

import {
  formatDate, formatInterval, formatTime, formatTimestamp, formatTimestamptz,
  parseDate, parseInterval, parseTime, parseTimestamp, parseTimestamptz,
} from './datetime.js';
import { Decimal } from './decimal.js';
import { SqlError, SqlState } from './errors.js';
import { canonicalJsonb, parseJson } from './json-text.js';
import { formatType, typeFromOid, typeInfo, type DataType, type Interval, type TypeName, type Value } from './types.js';

// ---------------------------------------------------------------------------------------------
// Output

/** The text PostgreSQL prints for `value` of `type`; timestamptz is shown in `timeZone`. */
export function formatText(type: DataType, value: Value, timeZone = 'UTC'): string {
  if (value === null) return 'NULL';
  if (type.element !== undefined) return formatArray(type.element, value, timeZone);
  if (type.name === 'record') return formatRecord(type, value as Value[], timeZone);
  switch (type.name) {
    case 'bool': return value === true ? 't' : 'f';
    case 'int2': case 'int4': case 'oid': case 'regclass': case 'regnamespace': case 'regproc': case 'regrole':
      return String(value as number);
    case 'int2vector': case 'oidvector': return (value as number[]).join(' ');
    case 'aclitem': return value as string;
    case 'regtype': {
      if (value === 0) return '-';
      const named = typeFromOid(value as number);
      return named === undefined ? String(value as number) : formatType(named);
    }
    case 'int8': return (value as bigint).toString();
    case 'float4': return formatFloat4(value as number);
    case 'float8': return formatFloat8(value as number);
    case 'numeric': return (value as Decimal).toString();
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'uuid': case 'jsonb': case 'json': case 'unknown':
      return value as string;
    case 'bytea': return formatBytea(value as Uint8Array);
    case 'date': return formatDate(value as number);
    case 'time': return formatTime(value as bigint);
    case 'timestamp': return formatTimestamp(value as bigint);
    case 'timestamptz': return formatTimestamptz(value as bigint, timeZone);
    case 'interval': return formatInterval(value as Interval);
    case 'void': return '';
  }
}

/** float8 output: the shortest text that reads back exactly, in %g style with 15 as the cutoff. */
export function formatFloat8(value: number): string {
  const special = formatSpecialFloat(value);
  if (special !== undefined) return special;
  const shortest = value.toExponential();
  if (Math.abs(value) < 2 ** 53 || !onRoundingBoundary(value, shortest)) return formatShortest(shortest, 15);
  // PostgreSQL's shortest-digits algorithm does not accept a candidate lying exactly halfway to a
  // neighbouring double, which JavaScript's does; above 2^53 such ties occur, so take more digits.
  for (let precision = significantDigits(shortest) + 1; precision <= 17; precision++) {
    const candidate = value.toExponential(precision - 1);
    if (Number(candidate) === value && !onRoundingBoundary(value, candidate)) return formatShortest(candidate.replace(/\.?0+e/, 'e'), 15);
  }
  return formatShortest(value.toExponential(16), 15);
}

function significantDigits(exponential: string): number {
  return exponential.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').length;
}

/** Whether decimal text of an integral double ≥ 2^53 is exactly halfway between it and a neighbour. */
function onRoundingBoundary(value: number, text: string): boolean {
  const match = /^(-?)(\d)(?:\.(\d+))?e\+(\d+)$/.exec(text);
  if (!match) return false;
  const digits = (match[2] ?? '') + (match[3] ?? '');
  const exponent = Number(match[4]) - (digits.length - 1);
  if (exponent < 0) return false;
  const candidate = BigInt(digits) * 10n ** BigInt(exponent);
  const exact = BigInt(Math.abs(value));
  const unitInLastPlace = 2n ** BigInt(Math.floor(Math.log2(Math.abs(value))) - 52);
  const distance = candidate > exact ? candidate - exact : exact - candidate;
  return distance * 2n === unitInLastPlace;
}

/** float4 output: the shortest text that reads back to the same single-precision value. */
export function formatFloat4(value: number): string {
  const special = formatSpecialFloat(value);
  if (special !== undefined) return special;
  for (let precision = 1; precision <= 9; precision++) {
    const chosen = nearestFloat4Digits(value, precision);
    if (chosen !== undefined) return formatShortest(chosen, 6);
  }
  return formatShortest(value.toExponential(8), 6);
}

/**
 * The `precision`-digit decimal nearest to a float4 that reads back to it and lies strictly within
 * half a unit in the last place (ties between two such decimals go to the even digit), as the
 * shortest-digits algorithm PostgreSQL uses chooses; undefined if there is none.
 */
function nearestFloat4Digits(value: number, precision: number): string | undefined {
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(value.toExponential(precision - 1));
  if (!match) return undefined;
  const sign = match[1] ?? '';
  const digits = BigInt((match[2] ?? '') + (match[3] ?? ''));
  const exponent = Number(match[4]) - (precision - 1);
  const magnitude = Math.abs(value);
  const binaryExponent = Math.floor(Math.log2(magnitude));
  const normal = binaryExponent >= -126;
  const ulpExponent = normal ? binaryExponent - 23 : -149;
  const exact = exactBinary(magnitude);
  let best: { digits: bigint; distance: bigint } | undefined;
  for (const candidate of [digits - 1n, digits, digits + 1n]) {
    if (candidate <= 0n) continue;
    const text = `${sign}${candidate}e${exponent}`;
    if (Math.fround(Number(text)) !== value) continue;
    const distance = scaledDistance(exact, candidate, exponent, ulpExponent);
    if (distance.twiceDistance >= distance.ulp) continue;
    if (best === undefined || distance.twiceDistance < best.distance
      || (distance.twiceDistance === best.distance && candidate % 2n === 0n)) {
      best = { digits: candidate, distance: distance.twiceDistance };
    }
  }
  if (best === undefined) return undefined;
  const text = best.digits.toString();
  const decimalExponent = exponent + text.length - 1;
  const mantissa = text.length > 1 ? `${text[0] ?? ''}.${text.slice(1)}` : text;
  return `${sign}${mantissa.replace(/\.?0+$/, '')}e${decimalExponent < 0 ? '-' : '+'}${Math.abs(decimalExponent)}`;
}

/** A positive double as mantissa × 2^exponent, exactly. */
function exactBinary(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0 ? { mantissa: fraction, exponent: -1074 } : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** 2·|value − digits·10^exponent| and one ulp (2^ulpExponent), both in one common scale. */
function scaledDistance(
  exact: { mantissa: bigint; exponent: number }, digits: bigint, exponent: number, ulpExponent: number,
): { twiceDistance: bigint; ulp: bigint } {
  const binaryShift = Math.max(0, -Math.min(exact.exponent, ulpExponent));
  const decimalShift = Math.max(0, -exponent);
  const scale = (mantissa: bigint, power2: number, power10: number): bigint =>
    mantissa * 2n ** BigInt(power2 + binaryShift) * 10n ** BigInt(power10 + decimalShift);
  const valueScaled = scale(exact.mantissa, exact.exponent, 0);
  const candidateScaled = scale(digits, 0, exponent);
  const difference = valueScaled > candidateScaled ? valueScaled - candidateScaled : candidateScaled - valueScaled;
  return { twiceDistance: 2n * difference, ulp: scale(1n, ulpExponent, 0) };
}

function formatSpecialFloat(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  return undefined;
}

/** Lays out shortest digits (from toExponential) as C's %g would with `cutoff` significant digits. */
function formatShortest(exponential: string, cutoff: number): string {
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exponential);
  if (!match) return exponential;
  const sign = match[1] ?? '';
  const digits = (match[2] ?? '') + (match[3] ?? '');
  const exponent = Number(match[4]);
  if (exponent < -4 || exponent >= cutoff) {
    const mantissa = digits.length > 1 ? `${digits[0] ?? ''}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return sign + digits + '0'.repeat(exponent + 1 - digits.length);
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

const hexDigits = '0123456789abcdef';

export function formatBytea(bytes: Uint8Array): string {
  return '\\x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function formatArray(element: DataType, value: Value, timeZone: string): string {
  if (!Array.isArray(value)) return formatText(element, value, timeZone);
  const parts = value.map((item) => {
    if (item === null) return 'NULL';
    if (Array.isArray(item)) return formatArray(element, item, timeZone);
    return quoteArrayElement(formatText(element, item, timeZone));
  });
  return '{' + parts.join(',') + '}';
}

/** `(1,"a b",)`: a record's fields, quoted where PostgreSQL's record_out quotes them, NULL empty. */
function formatRecord(type: DataType, value: Value[], timeZone: string): string {
  const fields = type.fields ?? [];
  const parts = value.map((item, index) => {
    if (item === null) return '';
    const text = formatText(fields[index]?.type ?? { name: 'text' }, item, timeZone);
    if (text !== '' && !/[(),"\\\s]/.test(text)) return text;
    return '"' + text.replace(/["\\]/g, '$&$&') + '"';
  });
  return '(' + parts.join(',') + ')';
}

function quoteArrayElement(text: string): string {
  if (text !== '' && !/[{}",\\\s]/.test(text) && text.toUpperCase() !== 'NULL') return text;
  return '"' + text.replace(/["\\]/g, '\\$&') + '"';
}

// ---------------------------------------------------------------------------------------------
// Input

function invalidSyntax(typeName: string, text: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
}

function outOfRange(typeName: string, text: string): SqlError {
  return new SqlError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type ${typeName}`);
}

/** Parses PostgreSQL input text for `type`, applying its typmod (varchar(n), numeric(p,s)). */
export function parseText(type: DataType, text: string, timeZone = 'UTC'): Value {
  if (type.element !== undefined) return parseArray(type, text, timeZone);
  switch (type.name) {
    case 'bool': return parseBool(text);
    case 'int2': return parseInteger(text, 'smallint', -32768, 32767);
    case 'int4': return parseInteger(text, 'integer', -2147483648, 2147483647);
    case 'int8': return parseBigint(text);
    case 'float4': return parseFloat4(text);
    case 'float8': return parseFloat8(text);
    case 'numeric': return Decimal.parse(text).withTypmod(type.precision, type.scale);
    case 'text': case 'unknown': return text;
    case 'varchar': return applyVarcharLength(text, type, false);
    case 'bpchar': return applyBpcharLength(text, type, false);
    case 'name': return truncateBytes(text, 63);
    case 'char': return text.length === 0 ? '' : String.fromCodePoint(text.codePointAt(0) ?? 0);
    case 'bytea': return parseBytea(text);
    case 'date': return parseDate(text, timeZone);
    case 'time': return parseTime(text);
    case 'timestamp': return parseTimestamp(text, timeZone);
    case 'timestamptz': return parseTimestamptz(text, timeZone);
    case 'interval': return parseInterval(text);
    case 'uuid': return parseUuid(text);
    case 'jsonb': return canonicalJsonb(text);
    case 'json': parseJson(text, false); return text;
    case 'oid': return parseOid(text);
    case 'regclass': return parseOid(text);
    case 'regtype': return parseRegtype(text);
    // Names of catalog objects are resolved by casts that see the catalog; here only OIDs are read.
    case 'regnamespace': case 'regproc': case 'regrole': return parseOid(text);
    case 'int2vector': return parseVector(text, (item) => parseInteger(item, 'smallint', -32768, 32767));
    case 'oidvector': return parseVector(text, parseOid);
    case 'aclitem': return text;
    case 'void': return null;
    case 'record': throw new SqlError(SqlState.featureNotSupported, 'input of anonymous composite types is not implemented');
  }
}

const boolWords: readonly (readonly [string, boolean, number])[] = [
  ['true', true, 1], ['false', false, 1], ['yes', true, 1], ['no', false, 1], ['on', true, 2], ['off', false, 2],
];

export function parseBool(text: string): boolean {
  const word = text.trim().toLowerCase();
  if (word === '1' || word === 't' || word === 'y') return true;
  if (word === '0' || word === 'f' || word === 'n') return false;
  if (word.length > 0) {
    for (const [full, value, shortest] of boolWords) {
      if (word.length >= shortest && full.startsWith(word)) return value;
    }
  }
  throw invalidSyntax('boolean', text);
}

function parseInteger(text: string, typeName: string, min: number, max: number): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw invalidSyntax(typeName, text);
  const value = Number(trimmed);
  if (value < min || value > max) throw outOfRange(typeName, text);
  return value + 0;
}

function parseBigint(text: string): bigint {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw invalidSyntax('bigint', text);
  const value = BigInt(trimmed);
  if (value < -9223372036854775808n || value > 9223372036854775807n) throw outOfRange('bigint', text);
  return value;
}

const floatSyntax = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function parseSpecialFloat(trimmed: string): number | undefined {
  switch (trimmed.toLowerCase()) {
    case 'nan': case '+nan': case '-nan': return Number.NaN;
    case 'infinity': case '+infinity': case 'inf': case '+inf': return Number.POSITIVE_INFINITY;
    case '-infinity': case '-inf': return Number.NEGATIVE_INFINITY;
    default: return undefined;
  }
}

function hasNonZeroDigit(text: string): boolean {
  return /[1-9]/.test(text.replace(/e.*$/i, ''));
}

export function parseFloat8(text: string): number {
  const trimmed = text.trim();
  const special = parseSpecialFloat(trimmed);
  if (special !== undefined) return special;
  if (!floatSyntax.test(trimmed)) throw invalidSyntax('double precision', text);
  const value = Number(trimmed);
  if (!Number.isFinite(value) || (value === 0 && hasNonZeroDigit(trimmed))) {
    throw new SqlError(SqlState.numericValueOutOfRange, `"${text}" is out of range for type double precision`);
  }
  return value;
}

export function parseFloat4(text: string): number {
  const trimmed = text.trim();
  const special = parseSpecialFloat(trimmed);
  if (special !== undefined) return special;
  if (!floatSyntax.test(trimmed)) throw invalidSyntax('real', text);
  const value = Math.fround(Number(trimmed));
  if (!Number.isFinite(value) || (value === 0 && hasNonZeroDigit(trimmed))) {
    throw new SqlError(SqlState.numericValueOutOfRange, `"${text}" is out of range for type real`);
  }
  return value;
}

/** Characters (code points) in a string, counting only as far as needed past `limit`. */
function exceedsLength(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  let count = 0;
  for (const _char of text) {
    count++;
    if (count > limit) return true;
  }
  return false;
}

function firstCodePoints(text: string, count: number): string {
  let result = '';
  let taken = 0;
  for (const char of text) {
    if (taken === count) break;
    result += char;
    taken++;
  }
  return result;
}

/**
 * varchar(n): longer values are an error (22001) unless only spaces are cut off; an explicit cast
 * truncates silently instead, as the SQL standard says.
 */
export function applyVarcharLength(text: string, type: DataType, explicit: boolean): string {
  const limit = type.precision;
  if (limit === undefined || !exceedsLength(text, limit)) return text;
  const kept = firstCodePoints(text, limit);
  if (!explicit && text.slice(kept.length).trim() !== '' && /[^ ]/.test(text.slice(kept.length))) {
    throw new SqlError(SqlState.stringDataRightTruncation, `value too long for type ${formatType(type)}`);
  }
  return kept;
}

/** char(n): padded with spaces to n; too-long values as for varchar. */
export function applyBpcharLength(text: string, type: DataType, explicit: boolean): string {
  const limit = type.precision;
  if (limit === undefined) return text;
  if (exceedsLength(text, limit)) {
    const kept = firstCodePoints(text, limit);
    if (!explicit && /[^ ]/.test(text.slice(kept.length))) {
      throw new SqlError(SqlState.stringDataRightTruncation, `value too long for type ${formatType(type)}`);
    }
    return kept;
  }
  let length = 0;
  for (const _char of text) length++;
  return length < limit ? text + ' '.repeat(limit - length) : text;
}

function truncateBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}

export function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2).replace(/\s+/g, '');
    for (const char of hex) {
      if (!hexDigits.includes(char.toLowerCase())) {
        throw new SqlError(SqlState.invalidTextRepresentation, `invalid hexadecimal digit: "${char}"`);
      }
    }
    if (hex.length % 2 !== 0) {
      throw new SqlError(SqlState.invalidTextRepresentation, 'invalid hexadecimal data: odd number of digits');
    }
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }
  const bytes: number[] = [];
  const source = Buffer.from(text);
  for (let i = 0; i < source.length; i++) {
    const byte = source[i] ?? 0;
    if (byte !== 0x5c) {
      bytes.push(byte);
      continue;
    }
    if (source[i + 1] === 0x5c) {
      bytes.push(0x5c);
      i++;
      continue;
    }
    const octal = source.subarray(i + 1, i + 4).toString();
    if (!/^[0-3][0-7][0-7]$/.test(octal)) {
      throw new SqlError(SqlState.invalidTextRepresentation, 'invalid input syntax for type bytea');
    }
    bytes.push(parseInt(octal, 8));
    i += 3;
  }
  return new Uint8Array(bytes);
}

export function parseUuid(text: string): string {
  let body = text.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  if (!/^[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}$/i.test(body)) throw invalidSyntax('uuid', text);
  const hex = body.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** int2vector/oidvector input: numbers separated by spaces. */
function parseVector(text: string, item: (text: string) => number): number[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/).map(item);
}

function parseOid(text: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw invalidSyntax('oid', text);
  const value = Number(trimmed);
  if (value < -2147483648 || value > 4294967295) throw outOfRange('oid', text);
  return value < 0 ? value + 4294967296 : value;
}

const typeNamesBySqlName = new Map<string, TypeName>([
  ...(Object.keys(typeInfo) as TypeName[]).map((name) => [name, name] as const),
  ...(Object.keys(typeInfo) as TypeName[]).map((name) => [typeInfo[name].sqlName, name] as const),
  ['int', 'int4'], ['integer', 'int4'], ['smallint', 'int2'], ['bigint', 'int8'], ['boolean', 'bool'],
  ['real', 'float4'], ['float', 'float8'], ['decimal', 'numeric'], ['timestamp with time zone', 'timestamptz'],
  ['character varying', 'varchar'], ['character', 'bpchar'],
]);

function parseRegtype(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return parseOid(trimmed);
  const lower = trimmed.toLowerCase().replace(/^pg_catalog\./, '');
  const isArray = lower.endsWith('[]');
  const name = typeNamesBySqlName.get(isArray ? lower.slice(0, -2) : lower);
  if (name === undefined) throw new SqlError(SqlState.undefinedObject, `type "${trimmed}" does not exist`);
  return isArray ? typeInfo[name].arrayOid : typeInfo[name].oid;
}

// Array input: '{1,2,NULL}', '{"a b","c\"d"}', nested '{{1,2},{3,4}}'.

function parseArray(type: DataType, text: string, timeZone: string): Value[] {
  const element = type.element ?? { name: 'text' };
  const malformed = (detail: string): SqlError =>
    new SqlError(SqlState.invalidTextRepresentation, `malformed array literal: "${text}"`, { detail });
  let position = 0;
  let body = text.trim();
  const dimensions = /^(\[[^\]]*\])+\s*=\s*/.exec(body);
  if (dimensions) body = body.slice(dimensions[0].length);
  const parseLevel = (): Value[] => {
    if (body[position] !== '{') throw malformed('Array value must start with "{" or dimension information.');
    position++;
    const items: Value[] = [];
    skipSpace();
    if (body[position] === '}') {
      position++;
      return items;
    }
    for (;;) {
      skipSpace();
      if (body[position] === '{') {
        items.push(parseLevel());
      } else {
        items.push(parseElement());
      }
      skipSpace();
      const next = body[position];
      position++;
      if (next === '}') return items;
      if (next !== ',') throw malformed(next === undefined ? 'Unexpected end of input.' : `Unexpected "${next}" character.`);
    }
  };
  const skipSpace = (): void => {
    while (position < body.length && /\s/.test(body[position] ?? '')) position++;
  };
  const parseElement = (): Value => {
    if (body[position] === '"') {
      position++;
      let result = '';
      for (;;) {
        const char = body[position];
        if (char === undefined) throw malformed('Unexpected end of input.');
        position++;
        if (char === '"') break;
        if (char === '\\') {
          result += body[position] ?? '';
          position++;
          continue;
        }
        result += char;
      }
      return parseText(element, result, timeZone);
    }
    let result = '';
    while (position < body.length) {
      const char = body[position] ?? '';
      if (char === ',' || char === '}') break;
      if (char === '{' || char === '"') throw malformed(`Unexpected "${char}" character.`);
      if (char === '\\') {
        position++;
        result += body[position] ?? '';
        position++;
        continue;
      }
      result += char;
      position++;
    }
    result = result.trim();
    if (result === '') throw malformed('Unexpected "," character.');
    if (result.toUpperCase() === 'NULL') return null;
    return parseText(element, result, timeZone);
  };
  const result = parseLevel();
  skipSpace();
  if (position < body.length) throw malformed('Junk after closing right brace.');
  return result;
}

// jsonb operators (-> ->> #> #>> @> <@ ? ?| ?& || -) and functions (jsonb_typeof,
// jsonb_array_length, jsonb_build_object, jsonb_build_array, to_jsonb, jsonb_extract_path). jsonb
// values are canonical text (json-text.ts); operators parse them, work on the tree and print back.

import { formatDate, formatOffset, formatTimeOfDay, isFiniteTimestamp, splitTimestamp, zoneOffsetSeconds } from '../common/datetime.js';
import { civilFromDays, MICROS_PER_SECOND } from '../common/datetime.js';
import { Decimal } from '../common/decimal.js';
import { SqlError, SqlState } from '../common/errors.js';
import {
  formatJsonb, isJsonArray, isJsonObject, jsonbObject, parseJson, type JsonValue,
} from '../common/json-text.js';
import type { DataType, Value } from '../common/types.js';
import { formatFloat4, formatFloat8, formatText } from '../common/value-text.js';
import type { FunctionDef, FunctionImpl } from './function.js';
import { T, binary, def, unary } from './define.js';
import { sessionZone } from './numeric-checks.js';

function parse(value: Value): JsonValue {
  return parseJson(value as string, true);
}

function field(json: JsonValue, key: string): JsonValue | undefined {
  return isJsonObject(json) ? json.get(key) : undefined;
}

function element(json: JsonValue, index: number): JsonValue | undefined {
  if (!isJsonArray(json)) return undefined;
  return json[index < 0 ? json.length + index : index];
}

function pathStep(json: JsonValue, step: Value): JsonValue | undefined {
  if (step === null) return undefined;
  const key = step as string;
  if (isJsonObject(json)) return json.get(key);
  if (isJsonArray(json)) {
    if (!/^\s*-?\d+\s*$/.test(key)) return undefined;
    return element(json, Number(key));
  }
  return undefined;
}

function extractPath(json: JsonValue, path: readonly Value[]): JsonValue | undefined {
  let current: JsonValue | undefined = json;
  for (const step of path) {
    if (current === undefined) return undefined;
    current = pathStep(current, step);
  }
  return current;
}

function asJsonb(json: JsonValue | undefined): Value {
  return json === undefined ? null : formatJsonb(json);
}

/** ->> and #>>: strings unquoted, JSON null as SQL NULL, everything else as jsonb text. */
function asText(json: JsonValue | undefined): Value {
  if (json === undefined || json === null) return null;
  if (typeof json === 'string') return json;
  return formatJsonb(json);
}

function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  return formatJsonb(a) === formatJsonb(b);
}

/** jsonb containment (@>), as PostgreSQL's JsonbDeepContains. */
function contains(container: JsonValue, contained: JsonValue, topLevel: boolean): boolean {
  if (isJsonObject(container)) {
    if (!isJsonObject(contained)) return false;
    for (const [key, value] of contained) {
      const candidate = container.get(key);
      if (candidate === undefined) return false;
      if (isScalar(value) ? !jsonEquals(candidate, value) : !contains(candidate, value, false)) return false;
    }
    return true;
  }
  if (isJsonArray(container)) {
    if (isScalar(contained)) return topLevel && container.some((item) => isScalar(item) && jsonEquals(item, contained));
    if (!isJsonArray(contained)) return false;
    return contained.every((wanted) => container.some((item) =>
      isScalar(wanted) ? isScalar(item) && jsonEquals(item, wanted) : !isScalar(item) && contains(item, wanted, false)));
  }
  return isScalar(contained) && jsonEquals(container, contained);
}

function isScalar(json: JsonValue): boolean {
  return !isJsonArray(json) && !isJsonObject(json);
}

function hasKey(json: JsonValue, key: string): boolean {
  if (isJsonObject(json)) return json.has(key);
  if (isJsonArray(json)) return json.some((item) => item === key);
  return json === key;
}

function concatJson(a: JsonValue, b: JsonValue): JsonValue {
  if (isJsonObject(a) && isJsonObject(b)) return jsonbObject([...a, ...b]);
  const left = isJsonArray(a) ? a : [a];
  const right = isJsonArray(b) ? b : [b];
  return [...left, ...right];
}

function deleteKey(json: JsonValue, key: string): JsonValue {
  if (isJsonObject(json)) return new Map([...json].filter(([name]) => name !== key));
  if (isJsonArray(json)) return json.filter((item) => item !== key);
  throw new SqlError(SqlState.invalidParameterValue, 'cannot delete from scalar');
}

function deleteIndex(json: JsonValue, index: number): JsonValue {
  if (isJsonObject(json)) throw new SqlError(SqlState.invalidParameterValue, 'cannot delete from object using integer index');
  if (!isJsonArray(json)) throw new SqlError(SqlState.invalidParameterValue, 'cannot delete from scalar');
  const position = index < 0 ? json.length + index : index;
  return json.filter((_item, i) => i !== position);
}

function typeOfJson(json: JsonValue): string {
  if (json === null) return 'null';
  if (typeof json === 'boolean') return 'boolean';
  if (typeof json === 'string') return 'string';
  if (json instanceof Decimal) return 'number';
  return isJsonArray(json) ? 'array' : 'object';
}

// ---------------------------------------------------------------------------------------------
// SQL values to JSON (to_jsonb, jsonb_build_object)

function floatToJson(text: string): JsonValue {
  return /^-?(?:\d|Infinity)/.test(text) && !/Infinity|NaN/.test(text) ? Decimal.parse(text) : text;
}

function isoTimestamp(micros: bigint, offsetSeconds: number | undefined): string {
  if (!isFiniteTimestamp(micros)) return micros > 0n ? 'infinity' : '-infinity';
  const local = offsetSeconds === undefined ? micros : micros + BigInt(offsetSeconds) * MICROS_PER_SECOND;
  const { days, timeMicros } = splitTimestamp(local);
  const { year } = civilFromDays(days);
  const date = formatDate(days);
  const datePart = year <= 0 ? date.replace(/ BC$/, '') : date;
  let offset = '';
  if (offsetSeconds !== undefined) {
    offset = formatOffset(offsetSeconds);
    if (offset.length === 3) offset += ':00';
  }
  return `${datePart}T${formatTimeOfDay(timeMicros)}${offset}${year <= 0 ? ' BC' : ''}`;
}

/** A SQL value of `type` as a JSON tree, the way PostgreSQL's to_jsonb converts it. */
export function toJsonValue(type: DataType, value: Value, zone: string): JsonValue {
  if (value === null) return null;
  if (type.element !== undefined) {
    const items = value as Value[];
    const elementType = type.element;
    return items.map((item) => (Array.isArray(item) ? toJsonValue(type, item, zone) : toJsonValue(elementType, item, zone)));
  }
  switch (type.name) {
    case 'bool': return value as boolean;
    case 'int2': case 'int4': case 'oid': return new Decimal(BigInt(value as number), 0);
    case 'int8': return new Decimal(value as bigint, 0);
    case 'float4': return floatToJson(formatFloat4(value as number));
    case 'float8': return floatToJson(formatFloat8(value as number));
    case 'numeric': {
      const decimal = value as Decimal;
      return decimal.isFinite() ? decimal : decimal.toString();
    }
    case 'jsonb': case 'json': return parseJson(value as string, true);
    case 'timestamp': return isoTimestamp(value as bigint, undefined);
    case 'timestamptz': {
      const micros = value as bigint;
      return isoTimestamp(micros, isFiniteTimestamp(micros) ? zoneOffsetSeconds(zone, micros) : 0);
    }
    default: return formatText(type, value, zone);
  }
}

function buildObject(types: readonly DataType[]): FunctionImpl {
  return (args, context) => {
    if (args.length % 2 !== 0) {
      throw new SqlError(SqlState.invalidParameterValue, 'argument list must have even number of elements', {
        hint: 'The arguments of jsonb_build_object() must consist of alternating keys and values.',
      });
    }
    const zone = sessionZone(context);
    const entries: [string, JsonValue][] = [];
    for (let i = 0; i < args.length; i += 2) {
      const key = args[i] ?? null;
      if (key === null) throw new SqlError(SqlState.nullValueNotAllowed, `argument ${i + 1}: key must not be null`);
      const keyType = types[i] ?? T.text;
      entries.push([formatText(keyType, key, zone), toJsonValue(types[i + 1] ?? T.text, args[i + 1] ?? null, zone)]);
    }
    return formatJsonb(jsonbObject(entries));
  };
}

function buildArray(types: readonly DataType[]): FunctionImpl {
  return (args, context) => {
    const zone = sessionZone(context);
    return formatJsonb(args.map((value, i) => toJsonValue(types[i] ?? T.text, value, zone)));
  };
}

const jsonbTextArray: DataType = { name: 'text', element: { name: 'text' } };

export const jsonOperatorDefs: readonly FunctionDef[] = [
  binary('->', T.jsonb, T.text, T.jsonb, (json: string, key: string) => asJsonb(field(parse(json), key))),
  binary('->', T.jsonb, T.int4, T.jsonb, (json: string, index: number) => asJsonb(element(parse(json), index))),
  binary('->>', T.jsonb, T.text, T.text, (json: string, key: string) => asText(field(parse(json), key))),
  binary('->>', T.jsonb, T.int4, T.text, (json: string, index: number) => asText(element(parse(json), index))),
  binary('#>', T.jsonb, jsonbTextArray, T.jsonb, (json: string, path: Value[]) => asJsonb(extractPath(parse(json), path))),
  binary('#>>', T.jsonb, jsonbTextArray, T.text, (json: string, path: Value[]) => asText(extractPath(parse(json), path))),
  binary('@>', T.jsonb, T.jsonb, T.bool, (a: string, b: string) => contains(parse(a), parse(b), true)),
  binary('<@', T.jsonb, T.jsonb, T.bool, (a: string, b: string) => contains(parse(b), parse(a), true)),
  binary('?', T.jsonb, T.text, T.bool, (json: string, key: string) => hasKey(parse(json), key)),
  binary('?|', T.jsonb, jsonbTextArray, T.bool, (json: string, keys: Value[]) => {
    const tree = parse(json);
    return keys.some((key) => key !== null && hasKey(tree, key as string));
  }),
  binary('?&', T.jsonb, jsonbTextArray, T.bool, (json: string, keys: Value[]) => {
    const tree = parse(json);
    return keys.every((key) => key === null || hasKey(tree, key as string));
  }),
  binary('||', T.jsonb, T.jsonb, T.jsonb, (a: string, b: string) => formatJsonb(concatJson(parse(a), parse(b)))),
  binary('-', T.jsonb, T.text, T.jsonb, (json: string, key: string) => formatJsonb(deleteKey(parse(json), key))),
  binary('-', T.jsonb, T.int4, T.jsonb, (json: string, index: number) => formatJsonb(deleteIndex(parse(json), index))),
];

export const jsonFunctionDefs: readonly FunctionDef[] = [
  unary('jsonb_typeof', T.jsonb, T.text, (json: string) => typeOfJson(parse(json))),
  unary('jsonb_array_length', T.jsonb, T.int4, (json: string) => {
    const tree = parse(json);
    if (!isJsonArray(tree)) {
      throw new SqlError(SqlState.invalidParameterValue, isScalar(tree) ? 'cannot get array length of a scalar' : 'cannot get array length of a non-array');
    }
    return tree.length;
  }),
  {
    ...def('jsonb_build_object', [T.any], T.jsonb, () => null, { strict: false, variadic: true, volatility: 'stable' }),
    bind: buildObject,
  },
  def('jsonb_build_object', [], T.jsonb, () => '{}'),
  {
    ...def('jsonb_build_array', [T.any], T.jsonb, () => null, { strict: false, variadic: true, volatility: 'stable' }),
    bind: buildArray,
  },
  def('jsonb_build_array', [], T.jsonb, () => '[]'),
  {
    ...def('to_jsonb', [T.any], T.jsonb, () => null, { volatility: 'stable' }),
    bind: (types) => (args, context) => formatJsonb(toJsonValue(types[0] ?? T.text, args[0] ?? null, sessionZone(context))),
  },
  def('jsonb_extract_path', [T.jsonb, T.text], T.jsonb, (args) => asJsonb(extractPath(parse(args[0] ?? null), args.slice(1))), { variadic: true }),
  def('jsonb_extract_path_text', [T.jsonb, T.text], T.text, (args) => asText(extractPath(parse(args[0] ?? null), args.slice(1))), { variadic: true }),
  unary('jsonb_strip_nulls', T.jsonb, T.jsonb, (json: string) => formatJsonb(stripNulls(parse(json)))),
  binary('jsonb_exists', T.jsonb, T.text, T.bool, (json: string, key: string) => hasKey(parse(json), key)),
];

function stripNulls(json: JsonValue): JsonValue {
  if (isJsonObject(json)) return new Map([...json].filter(([, value]) => value !== null).map(([key, value]) => [key, stripNulls(value)]));
  if (isJsonArray(json)) return json.map(stripNulls);
  return json;
}

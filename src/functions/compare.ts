// Total orders of every type's values, as PostgreSQL's btree comparison functions define them
// (NaN sorts above all floats and numerics and equals itself; char(n) ignores trailing spaces;
// intervals compare by their span with a month as 30 days), and the comparison operators built on
// them. Text compares by code unit, which is PostgreSQL's "C" collation for UTF-8 text outside
// the supplementary planes.

import type { Decimal } from '../common/decimal.js';
import { MICROS_PER_DAY } from '../common/datetime.js';
import type { DataType, Interval, TypeName, Value } from '../common/types.js';
import type { FunctionDef } from './function.js';
import { T, binary } from './define.js';

export type Comparator = (a: Value, b: Value) => number;

const compareNumbers = (a: Value, b: Value): number => {
  const x = a as number;
  const y = b as number;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  const xNaN = Number.isNaN(x);
  const yNaN = Number.isNaN(y);
  return xNaN === yNaN ? 0 : xNaN ? 1 : -1;
};

const compareBigints = (a: Value, b: Value): number => {
  const x = a as bigint;
  const y = b as bigint;
  return x < y ? -1 : x > y ? 1 : 0;
};

const compareStrings = (a: Value, b: Value): number => {
  const x = a as string;
  const y = b as string;
  return x < y ? -1 : x > y ? 1 : 0;
};

const compareBpchar = (a: Value, b: Value): number =>
  compareStrings((a as string).replace(/ +$/, ''), (b as string).replace(/ +$/, ''));

const compareBytes = (a: Value, b: Value): number => Buffer.compare(a as Uint8Array, b as Uint8Array);

const compareBools = (a: Value, b: Value): number => Number(a as boolean) - Number(b as boolean);

export function intervalSpan(interval: Interval): bigint {
  return (BigInt(interval.months) * 30n + BigInt(interval.days)) * MICROS_PER_DAY + interval.micros;
}

const compareIntervals = (a: Value, b: Value): number => compareBigints(intervalSpan(a as Interval), intervalSpan(b as Interval));

const compareDecimals = (a: Value, b: Value): number => (a as Decimal).compare(b as Decimal);

const compareArraysOf = (element: Comparator): Comparator => (a, b) => {
  const x = a as Value[];
  const y = b as Value[];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const left = x[i] ?? null;
    const right = y[i] ?? null;
    if (left === null || right === null) {
      if (left !== right) return left === null ? 1 : -1;
      continue;
    }
    const order = Array.isArray(left) ? compareArraysOf(element)(left, right) : element(left, right);
    if (order !== 0) return order;
  }
  return x.length - y.length;
};

const comparators: Readonly<Record<TypeName, Comparator>> = {
  bool: compareBools,
  int2: compareNumbers, int4: compareNumbers, float4: compareNumbers, float8: compareNumbers,
  oid: compareNumbers, regclass: compareNumbers, regtype: compareNumbers, date: compareNumbers,
  regnamespace: compareNumbers, regproc: compareNumbers, regrole: compareNumbers,
  int2vector: compareArraysOf(compareNumbers), oidvector: compareArraysOf(compareNumbers), aclitem: compareStrings,
  int8: compareBigints, time: compareBigints, timestamp: compareBigints, timestamptz: compareBigints,
  numeric: compareDecimals,
  text: compareStrings, varchar: compareStrings, name: compareStrings, char: compareStrings, unknown: compareStrings,
  uuid: compareStrings, json: compareStrings, jsonb: compareStrings,
  bpchar: compareBpchar,
  bytea: compareBytes,
  interval: compareIntervals,
  void: () => 0,
  record: () => 0,
};

/** Records compare field by field, each with its own type's comparator; NULL sorts last. */
function compareRecordsOf(fields: readonly { readonly type: DataType }[]): Comparator {
  const compares = fields.map((field) => comparatorFor(field.type));
  return (a, b) => {
    const x = a as Value[];
    const y = b as Value[];
    for (let i = 0; i < compares.length; i++) {
      const left = x[i] ?? null;
      const right = y[i] ?? null;
      if (left === null || right === null) {
        if (left !== right) return left === null ? 1 : -1;
        continue;
      }
      const order = (compares[i] as Comparator)(left, right);
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** The comparator for non-null values of `type`. */
export function comparatorFor(type: DataType): Comparator {
  if (type.element !== undefined) return compareArraysOf(comparatorFor(type.element));
  if (type.fields !== undefined) return compareRecordsOf(type.fields);
  return comparators[type.name];
}

const comparableTypes: readonly DataType[] = [
  T.bool, T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.text, T.bpchar, T.name, T.char, T.bytea,
  T.date, T.time, T.timestamp, T.timestamptz, T.interval, T.uuid, T.jsonb, T.oid,
];

const tests: readonly (readonly [string, (order: number) => boolean])[] = [
  ['=', (order) => order === 0], ['<>', (order) => order !== 0], ['<', (order) => order < 0],
  ['<=', (order) => order <= 0], ['>', (order) => order > 0], ['>=', (order) => order >= 0],
];

function comparisonOperators(type: DataType): FunctionDef[] {
  const compare = comparatorFor(type);
  return tests.map(([op, test]) => binary(op, type, type, T.bool, (a: Value, b: Value) => test(compare(a, b))));
}

/** Cross-type comparisons PostgreSQL has without casting (integers of different widths). */
function crossIntegerOperators(): FunctionDef[] {
  const defs: FunctionDef[] = [];
  const pairs: readonly (readonly [DataType, DataType])[] = [[T.int2, T.int4], [T.int4, T.int2]];
  for (const [left, right] of pairs) {
    for (const [op, test] of tests) defs.push(binary(op, left, right, T.bool, (a: number, b: number) => test(compareNumbers(a, b))));
  }
  return defs;
}

export const comparisonDefs: readonly FunctionDef[] = [
  ...comparableTypes.flatMap(comparisonOperators),
  // Arrays compare element by element (PostgreSQL's anyarray operators, one per element type here).
  ...comparableTypes.map((type): DataType => ({ name: type.name, element: type })).flatMap(comparisonOperators),
  ...crossIntegerOperators(),
];

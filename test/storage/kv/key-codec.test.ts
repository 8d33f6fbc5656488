// Key codec: memcmp order of encoded keys equals SQL order of the tuples for every key type
// (random values, compared with a JS comparator), decoding gives the key back, and a leading
// subset of the key columns encodes to a byte prefix of the full key.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/common/decimal.js';
import { SqlError } from '../../../src/common/errors.js';
import type { DataType, Value } from '../../../src/common/types.js';
import { decodeKey, encodeKey, KeyCodec, prefixSuccessor } from '../../../src/storage/kv/key-codec.js';
import { seededRandom } from '../log/log-test-support.js';

type Random = () => number;

const keyTypes: readonly DataType[] = [
  { name: 'bool' }, { name: 'int2' }, { name: 'int4' }, { name: 'int8' }, { name: 'float4' }, { name: 'float8' },
  { name: 'numeric' }, { name: 'numeric', precision: 15, scale: 2 }, { name: 'text' }, { name: 'varchar' }, { name: 'bytea' },
  { name: 'date' }, { name: 'timestamp' }, { name: 'timestamptz' }, { name: 'uuid' },
];

const textAlphabet = ['', 'a', 'b', '\u0000', '\u0001', 'é', '\uffff', '😀', 'z', '\ue000'];

function randomKeyValue(type: DataType, random: Random): Value {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const integer = (bound: number): number => Math.floor(random() * bound) - Math.floor(bound / 2);
  switch (type.name) {
    case 'bool': return random() < 0.5;
    case 'int2': return pick([-32768, 32767, 0, -1, integer(200)]);
    case 'int4': return pick([-2147483648, 2147483647, 0, -1, integer(2 ** 32), integer(100)]);
    case 'int8': return pick([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, BigInt(integer(2 ** 53)), BigInt(integer(100))]);
    case 'float4': return pick([0, -0, Infinity, -Infinity, NaN, Math.fround(random() * 200 - 100), Math.fround(1e-40), -Math.fround(1e-40)]);
    case 'float8': return pick([0, -0, Infinity, -Infinity, NaN, random() * 2e6 - 1e6, 5e-324, -5e-324, 1.5, -1.5]);
    case 'numeric': {
      if (type.scale !== undefined) return new Decimal(BigInt(integer(2 * 10 ** 6)), type.scale);
      const special = pick([undefined, undefined, undefined, undefined, 'NaN', 'Infinity', '-Infinity'] as const);
      if (special !== undefined) return new Decimal(0n, 0, special);
      const digits = Array.from({ length: 1 + Math.floor(random() * 25) }, () => Math.floor(random() * 10)).join('');
      return new Decimal(BigInt(digits) * (random() < 0.5 ? -1n : 1n), Math.floor(random() * 30) - 5 < 0 ? 0 : Math.floor(random() * 30));
    }
    case 'text': case 'varchar': return Array.from({ length: Math.floor(random() * 4) }, () => pick(textAlphabet)).join('');
    case 'bytea': return new Uint8Array(Array.from({ length: Math.floor(random() * 4) }, () => pick([0, 1, 2, 254, 255])));
    case 'date': return pick([Infinity, -Infinity, 0, -1, integer(2_000_000)]);
    case 'timestamp': case 'timestamptz': return pick([-(2n ** 63n), 2n ** 63n - 1n, 0n, BigInt(integer(2 ** 53))]);
    case 'uuid': return Array.from({ length: 16 }, () => pick(['00', '01', '7f', '80', 'fe', 'ff'])).join('').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
    default: throw new Error(`no key generator for ${type.name}`);
  }
}

function codePoints(text: string): number[] {
  return Array.from(text, (character) => character.codePointAt(0)!);
}

function compareArrays(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) if (a[index] !== b[index]) return a[index]! - b[index]!;
  return a.length - b.length;
}

/** SQL order (PostgreSQL's, C collation for text). */
function compareValues(a: Value, b: Value): number {
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Decimal && b instanceof Decimal) {
    if (a.special === 'NaN' || b.special === 'NaN') return Number(a.special === 'NaN') - Number(b.special === 'NaN');
    return a.compare(b);
  }
  if (typeof a === 'string' && typeof b === 'string') return compareArrays(codePoints(a), codePoints(b));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareArrays([...a], [...b]);
  throw new Error(`cannot compare ${String(a)} and ${String(b)}`);
}

function compareTuples(a: readonly Value[], b: readonly Value[]): number {
  for (let index = 0; index < a.length; index++) {
    const order = compareValues(a[index]!, b[index]!);
    if (order !== 0) return order;
  }
  return 0;
}

function sign(value: number): number {
  return value < 0 ? -1 : value > 0 ? 1 : 0;
}

/** The value decoding gives back: -0 → 0, numeric at the declared scale, bytes as Uint8Array. */
function normalised(value: Value, type: DataType): unknown {
  if (value instanceof Decimal) {
    if (value.special !== undefined) return value.special;
    return type.scale !== undefined ? value.round(type.scale).toString() : `eq:${value.toString()}`;
  }
  if (typeof value === 'number' && value === 0) return 0;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return `${value}n`;
  return value;
}

describe('key codec', () => {
  for (const type of keyTypes) {
    it(`orders and round-trips ${type.name}${type.scale !== undefined ? `(${type.precision},${type.scale})` : ''}`, () => {
      const random = seededRandom(type.name.length * 7919 + (type.scale ?? 0));
      const values = Array.from({ length: 400 }, () => randomKeyValue(type, random));
      const encoded = values.map((value) => encodeKey([type], [value]));
      for (let trial = 0; trial < 4000; trial++) {
        const a = Math.floor(random() * values.length);
        const b = Math.floor(random() * values.length);
        expect(sign(Buffer.compare(encoded[a]!, encoded[b]!)), `${String(values[a])} vs ${String(values[b])}`)
          .toBe(sign(compareValues(values[a]!, values[b]!)));
      }
      for (let index = 0; index < values.length; index++) {
        const [decoded] = decodeKey([type], encoded[index]!);
        if (decoded instanceof Decimal && values[index] instanceof Decimal && type.scale === undefined) {
          expect(decoded.special ?? decoded.compare(values[index] as Decimal)).toBe((values[index] as Decimal).special ?? 0);
        } else {
          expect(normalised(decoded!, type)).toEqual(normalised(values[index]!, type));
        }
      }
    });
  }

  it('orders composite keys as tuples, and a key prefix encodes to a byte prefix', () => {
    const random = seededRandom(99);
    const types: DataType[] = [{ name: 'text' }, { name: 'int4' }, { name: 'bytea' }, { name: 'numeric' }];
    const codec = new KeyCodec(types);
    const tuples = Array.from({ length: 500 }, () => types.map((type) => randomKeyValue(type, random)));
    const encoded = tuples.map((tuple) => codec.encode(tuple));
    for (let trial = 0; trial < 5000; trial++) {
      const a = Math.floor(random() * tuples.length);
      const b = Math.floor(random() * tuples.length);
      expect(sign(Buffer.compare(encoded[a]!, encoded[b]!))).toBe(sign(compareTuples(tuples[a]!, tuples[b]!)));
    }
    for (let index = 0; index < tuples.length; index++) {
      for (let length = 0; length <= types.length; length++) {
        const prefix = codec.encode(tuples[index]!.slice(0, length));
        expect(encoded[index]!.subarray(0, prefix.byteLength).equals(prefix)).toBe(true);
        const successor = prefixSuccessor(prefix);
        if (successor !== undefined) expect(Buffer.compare(encoded[index]!, successor)).toBe(-1);
      }
    }
  });

  it('orders NULL after every value in a nullable key column, and round-trips it', () => {
    const random = seededRandom(5);
    const types: DataType[] = [{ name: 'text' }, { name: 'int4' }];
    const codec = new KeyCodec(types, [true, true]);
    const tuples = Array.from({ length: 300 }, () => types.map((type) => (random() < 0.2 ? null : randomKeyValue(type, random))));
    const nullsLast = (a: readonly Value[], b: readonly Value[]): number => {
      for (let index = 0; index < a.length; index++) {
        const x = a[index]!;
        const y = b[index]!;
        const order = x === null ? (y === null ? 0 : 1) : y === null ? -1 : compareValues(x, y);
        if (order !== 0) return order;
      }
      return 0;
    };
    const encoded = tuples.map((tuple) => codec.encode(tuple));
    for (let trial = 0; trial < 3000; trial++) {
      const a = Math.floor(random() * tuples.length);
      const b = Math.floor(random() * tuples.length);
      expect(sign(Buffer.compare(encoded[a]!, encoded[b]!))).toBe(sign(nullsLast(tuples[a]!, tuples[b]!)));
    }
    for (let index = 0; index < tuples.length; index++) expect(codec.decode(encoded[index]!)).toEqual(tuples[index]);
    expect(() => new KeyCodec(types, [false, true]).encode([null, 1])).toThrowError(expect.objectContaining({ code: '23502' }) as Error);
  });

  it('rejects NULL key values with 23502 and unsupported key types with 0A000', () => {
    expect(() => encodeKey([{ name: 'int4' }], [null])).toThrowError(expect.objectContaining({ code: '23502' }) as Error);
    for (const name of ['interval', 'jsonb'] as const) {
      const error = (() => { try { new KeyCodec([{ name }]); } catch (thrown) { return thrown; } return undefined; })();
      expect(error).toBeInstanceOf(SqlError);
      expect((error as SqlError).code).toBe('0A000');
    }
  });

  it('reports damaged keys as XX001', () => {
    const bytes = encodeKey([{ name: 'text' }, { name: 'int4' }], ['abc', 5]);
    for (const damaged of [bytes.subarray(0, 3), bytes.subarray(0, bytes.byteLength - 1), Buffer.concat([bytes, Buffer.from([1])])]) {
      expect(() => decodeKey([{ name: 'text' }, { name: 'int4' }], damaged)).toThrowError(expect.objectContaining({ code: 'XX001' }) as Error);
    }
  });
});

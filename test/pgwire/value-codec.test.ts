// Value wire codec: binary round trips for every type, exact bytes for known values (as PostgreSQL
// sends them), text format through the types' text functions, and rejection of bad parameters.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/common/decimal.js';
import { SqlError } from '../../src/common/errors.js';
import { Types, type DataType, type Value } from '../../src/common/types.js';
import { MessageWriter } from '../../src/pgwire/message-writer.js';
import { decodeParameter, encodeValue, numericToWire, valueWriter } from '../../src/pgwire/value-codec.js';

function binary(type: DataType, value: Value): string {
  return (encodeValue(type, 1, value) as Buffer).toString('hex');
}

function roundTrip(type: DataType, value: Value, format: 0 | 1 = 1): Value {
  return decodeParameter(type, format, encodeValue(type, format, value));
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(SqlError);
    return (thrown as SqlError).code;
  }
  throw new Error('expected an error');
}

describe('binary format, exact bytes', () => {
  it('encodes fixed-size scalars', () => {
    expect(binary(Types.bool, true)).toBe('01');
    expect(binary(Types.int2, -2)).toBe('fffe');
    expect(binary(Types.int4, 258)).toBe('00000102');
    expect(binary(Types.int8, -1n)).toBe('ffffffffffffffff');
    expect(binary(Types.float4, 1.5)).toBe('3fc00000');
    expect(binary(Types.float8, 1.5)).toBe('3ff8000000000000');
    expect(binary(Types.oid, 4294967295)).toBe('ffffffff');
  });

  it('encodes numeric as PostgreSQL does', () => {
    // 12345.678: ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780
    expect(binary(Types.numeric, Decimal.parse('12345.678'))).toBe('0003000100000003' + '000109291a7c');
    expect(numericToWire(Decimal.parse('-0.0012'))).toEqual({ digits: [12], weight: -1, sign: 0x4000, displayScale: 4 });
    expect(numericToWire(Decimal.parse('100000000000000000000'))).toEqual({ digits: [1], weight: 5, sign: 0, displayScale: 0 });
    expect(numericToWire(Decimal.parse('0.00'))).toEqual({ digits: [], weight: 0, sign: 0, displayScale: 2 });
    expect(binary(Types.numeric, Decimal.parse('NaN'))).toBe('00000000c0000000');
    expect(binary(Types.numeric, Decimal.parse('Infinity'))).toBe('00000000d0000000');
    expect(binary(Types.numeric, Decimal.parse('-Infinity'))).toBe('00000000f0000000');
  });

  it('encodes dates, timestamps and intervals against the 2000-01-01 epoch', () => {
    expect(binary(Types.date, 10957)).toBe('00000000');
    expect(binary(Types.date, 0)).toBe('ffffd533');
    expect(binary(Types.date, Number.POSITIVE_INFINITY)).toBe('7fffffff');
    expect(binary(Types.date, Number.NEGATIVE_INFINITY)).toBe('80000000');
    expect(binary(Types.timestamp, 946_684_800_000_000n)).toBe('0000000000000000');
    expect(binary(Types.timestamptz, 946_684_800_000_001n)).toBe('0000000000000001');
    expect(binary(Types.timestamp, 9_223_372_036_854_775_807n)).toBe('7fffffffffffffff');
    expect(binary(Types.interval, { months: 1, days: 2, micros: 3n })).toBe('0000000000000003' + '00000002' + '00000001');
  });

  it('encodes text-like values, bytea, uuid and json', () => {
    expect(binary(Types.text, 'hé')).toBe('68c3a9');
    expect(binary(Types.bytea, new Uint8Array([0, 255]))).toBe('00ff');
    expect(binary(Types.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toBe('a0eebc999c0b4ef8bb6d6bb9bd380a11');
    expect(binary(Types.jsonb, '{"a": 1}')).toBe('01' + Buffer.from('{"a": 1}').toString('hex'));
    expect(binary(Types.json, '[1]')).toBe(Buffer.from('[1]').toString('hex'));
  });

  it('writes the length word before the payload', () => {
    const out = new MessageWriter(4);
    valueWriter(Types.int4, 1)(out, 5);
    valueWriter(Types.text, 0)(out, 'ab');
    expect(out.take().toString('hex')).toBe('00000004' + '00000005' + '00000002' + '6162');
    expect(encodeValue(Types.int4, 1, null)).toBeNull();
  });
});

describe('binary format, round trips', () => {
  const cases: [DataType, Value][] = [
    [Types.bool, false], [Types.int2, -32768], [Types.int4, 2147483647], [Types.int8, -9223372036854775808n],
    [Types.float4, -0.25], [Types.float8, 1e300], [Types.float8, Number.NaN], [Types.oid, 26],
    [Types.text, 'unicode ✓'], [Types.varchar, ''], [Types.name, 'pg_class'], [Types.bytea, new Uint8Array([1, 2, 3])],
    [Types.date, 19_000], [Types.date, -800_000], [Types.timestamp, 0n], [Types.timestamptz, -1n],
    [Types.interval, { months: -14, days: 3, micros: 86_400_000_001n }],
    [Types.uuid, '00000000-0000-0000-0000-000000000001'], [Types.jsonb, '{"a": [1, 2]}'], [Types.json, '{ "b" : null }'],
  ];
  for (const [type, value] of cases) {
    it(`${type.name} ${String(value instanceof Uint8Array ? 'bytes' : JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))}`, () => {
      expect(roundTrip(type, value)).toEqual(value);
    });
  }

  it('round-trips numeric values exactly', () => {
    for (const text of ['0', '1', '-1', '12345.678', '0.0001', '-99999999.99990000', '1e-20', '123456789012345678901234567890', 'NaN', '-Infinity']) {
      const value = Decimal.parse(text);
      expect((roundTrip(Types.numeric, value) as Decimal).toString()).toBe(value.toString());
    }
  });
});

describe('text format', () => {
  it('formats through the type output functions', () => {
    expect(encodeValue(Types.bool, 0, true)?.toString()).toBe('t');
    expect(encodeValue(Types.int8, 0, 42n)?.toString()).toBe('42');
    expect(encodeValue(Types.float8, 0, 0.1)?.toString()).toBe('0.1');
    expect(encodeValue(Types.date, 0, 0)?.toString()).toBe('1970-01-01');
    expect(encodeValue(Types.bytea, 0, new Uint8Array([0xde, 0xad]))?.toString()).toBe('\\xdead');
  });

  it('parses parameters through the type input functions', () => {
    expect(decodeParameter(Types.int4, 0, Buffer.from('-17'))).toBe(-17);
    expect(decodeParameter(Types.numeric, 0, Buffer.from('1.50'))).toEqual(Decimal.parse('1.50'));
    expect(decodeParameter(Types.timestamp, 0, Buffer.from('2000-01-01 00:00:00'))).toBe(946_684_800_000_000n);
    expect(decodeParameter(Types.unknown, 0, Buffer.from('anything'))).toBe('anything');
    expect(decodeParameter(Types.int4, 0, null)).toBeNull();
    expect(codeOf(() => decodeParameter(Types.int4, 0, Buffer.from('abc')))).toBe('22P02');
  });
});

describe('bad parameters', () => {
  it('rejects wrong lengths for fixed-size types with 22P03', () => {
    expect(codeOf(() => decodeParameter(Types.int4, 1, Buffer.from([0, 1, 2])))).toBe('22P03');
    expect(codeOf(() => decodeParameter(Types.int8, 1, Buffer.alloc(4)))).toBe('22P03');
    expect(codeOf(() => decodeParameter(Types.uuid, 1, Buffer.alloc(15)))).toBe('22P03');
    expect(codeOf(() => decodeParameter(Types.bool, 1, Buffer.alloc(0)))).toBe('22P03');
  });

  it('rejects malformed numeric, jsonb and text', () => {
    expect(codeOf(() => decodeParameter(Types.numeric, 1, Buffer.from('0001000000000000' + '2710', 'hex')))).toBe('22P03');
    expect(codeOf(() => decodeParameter(Types.numeric, 1, Buffer.from('0002000000000000' + '0001', 'hex')))).toBe('22P03');
    expect(codeOf(() => decodeParameter(Types.numeric, 1, Buffer.from('0000000012340000', 'hex')))).toBe('22P03');
    expect(codeOf(() => decodeParameter(Types.jsonb, 1, Buffer.from('027b7d', 'hex')))).toBe('22P03');
    expect(codeOf(() => decodeParameter(Types.text, 1, Buffer.from([0xc3, 0x28])))).toBe('22021');
    expect(codeOf(() => decodeParameter(Types.text, 0, Buffer.from([0x61, 0x00])))).toBe('22021');
  });

  it('refuses binary format for array types', () => {
    expect(codeOf(() => valueWriter({ name: 'int4', element: Types.int4 }, 1))).toBe('0A000');
  });
});

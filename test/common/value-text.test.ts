// Text input and output of every type, checked against what PostgreSQL 15 prints and the errors
// (SQLSTATE and message) it raises for bad input.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/common/decimal.js';
import { SqlError } from '../../src/common/errors.js';
import type { DataType, Value } from '../../src/common/types.js';
import { formatText, parseText } from '../../src/common/value-text.js';

const t = (name: DataType['name'], extra: Partial<DataType> = {}): DataType => ({ name, ...extra });

function roundTrip(type: DataType, text: string, zone = 'UTC'): string {
  return formatText(type, parseText(type, text, zone), zone);
}

function errorOf(action: () => unknown): { code: string; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof SqlError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('booleans and integers', () => {
  it('prints booleans as t/f and accepts PostgreSQL spellings', () => {
    expect(formatText(t('bool'), true)).toBe('t');
    for (const word of ['t', 'TRUE', ' yes ', 'on', '1', 'y', 'tr']) expect(parseText(t('bool'), word)).toBe(true);
    for (const word of ['f', 'false', 'no', 'off', '0', 'n']) expect(parseText(t('bool'), word)).toBe(false);
    expect(errorOf(() => parseText(t('bool'), 'o'))).toEqual({ code: '22P02', message: 'invalid input syntax for type boolean: "o"' });
  });

  it('parses integers with range checks', () => {
    expect(parseText(t('int4'), ' -42 ')).toBe(-42);
    expect(parseText(t('int8'), '9223372036854775807')).toBe(9223372036854775807n);
    expect(errorOf(() => parseText(t('int4'), 'abc'))).toEqual({ code: '22P02', message: 'invalid input syntax for type integer: "abc"' });
    expect(errorOf(() => parseText(t('int4'), '99999999999'))).toEqual({ code: '22003', message: 'value "99999999999" is out of range for type integer' });
    expect(errorOf(() => parseText(t('int2'), '32768'))).toEqual({ code: '22003', message: 'value "32768" is out of range for type smallint' });
    expect(errorOf(() => parseText(t('int8'), '9223372036854775808')).code).toBe('22003');
    expect(errorOf(() => parseText(t('int4'), '1.5')).code).toBe('22P02');
  });
});

describe('floats', () => {
  it('prints the shortest text that reads back exactly', () => {
    const cases: [number, string][] = [
      [0.1 + 0.2, '0.30000000000000004'], [1e21, '1e+21'], [-0, '-0'], [1e15, '1e+15'], [1e14, '100000000000000'],
      [0.00001, '1e-05'], [0.0001, '0.0001'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'], [123456789012345680000, '1.2345678901234568e+20'], [1.5, '1.5'],
    ];
    for (const [value, text] of cases) expect(formatText(t('float8'), value)).toBe(text);
  });

  it('prints real with single-precision digits', () => {
    expect(formatText(t('float4'), Math.fround(0.1))).toBe('0.1');
    expect(formatText(t('float4'), Math.fround(123456.7))).toBe('123456.7');
    expect(formatText(t('float4'), Math.fround(1234567))).toBe('1.234567e+06');
    expect(formatText(t('float4'), Math.fround(3.4e38))).toBe('3.4e+38');
  });

  it('chooses the same digits as PostgreSQL at ties and halfway boundaries', () => {
    expect(formatText(t('float8'), 20278775516671232)).toBe('2.0278775516671232e+16');
    expect(formatText(t('float8'), 47777034660206816)).toBe('4.7777034660206816e+16');
    expect(formatText(t('float4'), -1638173.25)).toBe('-1.6381732e+06');
    expect(formatText(t('float4'), -293300.625)).toBe('-293300.62');
    expect(formatText(t('float4'), -44040128)).toBe('-4.4040128e+07');
  });

  it('rejects out-of-range input', () => {
    expect(errorOf(() => parseText(t('float8'), '1e400'))).toEqual({ code: '22003', message: '"1e400" is out of range for type double precision' });
    expect(errorOf(() => parseText(t('float4'), '1e40'))).toEqual({ code: '22003', message: '"1e40" is out of range for type real' });
    expect(errorOf(() => parseText(t('float8'), 'x1'))).toEqual({ code: '22P02', message: 'invalid input syntax for type double precision: "x1"' });
    expect(parseText(t('float8'), '-Infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(parseText(t('float8'), '-0'), -0)).toBe(true);
  });
});

describe('numeric', () => {
  it('keeps the scale written', () => {
    expect(roundTrip(t('numeric'), '1.50')).toBe('1.50');
    expect(roundTrip(t('numeric'), '-0.001')).toBe('-0.001');
    expect(roundTrip(t('numeric'), '1.5e3')).toBe('1500');
    expect(roundTrip(t('numeric'), '1.50e1')).toBe('15.0');
    expect(roundTrip(t('numeric'), 'NaN')).toBe('NaN');
  });

  it('applies numeric(p,s): rounds half away from zero, 22003 on overflow', () => {
    const money = t('numeric', { precision: 5, scale: 2 });
    expect(formatText(money, parseText(money, '123.455'))).toBe('123.46');
    expect(formatText(money, parseText(money, '-123.455'))).toBe('-123.46');
    expect(formatText(money, parseText(money, '1'))).toBe('1.00');
    expect(errorOf(() => parseText(money, '1234.5'))).toEqual({ code: '22003', message: 'numeric field overflow' });
    expect(errorOf(() => parseText(money, '999.995')).code).toBe('22003');
  });
});

describe('strings and bytes', () => {
  it('checks varchar(n) and pads char(n)', () => {
    expect(errorOf(() => parseText(t('varchar', { precision: 3 }), 'abcd'))).toEqual({
      code: '22001', message: 'value too long for type character varying(3)',
    });
    expect(parseText(t('varchar', { precision: 3 }), 'abc   ')).toBe('abc');
    expect(parseText(t('bpchar', { precision: 4 }), 'ab')).toBe('ab  ');
    expect(errorOf(() => parseText(t('bpchar', { precision: 1 }), 'ab')).message).toBe('value too long for type character(1)');
  });

  it('reads hex and escape bytea and prints hex', () => {
    expect(formatText(t('bytea'), parseText(t('bytea'), '\\x00ff10'))).toBe('\\x00ff10');
    expect(formatText(t('bytea'), parseText(t('bytea'), 'a\\\\b\\001'))).toBe('\\x615c6201');
    expect(errorOf(() => parseText(t('bytea'), '\\xzz')).code).toBe('22P02');
  });

  it('normalises uuids', () => {
    expect(parseText(t('uuid'), '{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(errorOf(() => parseText(t('uuid'), 'nope'))).toEqual({ code: '22P02', message: 'invalid input syntax for type uuid: "nope"' });
  });
});

describe('dates and times', () => {
  it('prints dates with BC years and infinity', () => {
    expect(roundTrip(t('date'), '2021-02-28')).toBe('2021-02-28');
    expect(roundTrip(t('date'), '0001-01-01 BC')).toBe('0001-01-01 BC');
    expect(formatText(t('date'), (parseText(t('date'), '0001-01-01') as number) - 1)).toBe('0001-12-31 BC');
    expect(roundTrip(t('date'), 'infinity')).toBe('infinity');
    expect(roundTrip(t('date'), '-infinity')).toBe('-infinity');
    expect(roundTrip(t('date'), 'Mar 5 2020')).toBe('2020-03-05');
    expect(errorOf(() => parseText(t('date'), '2021-02-30'))).toEqual({ code: '22008', message: 'date/time field value out of range: "2021-02-30"' });
    expect(errorOf(() => parseText(t('date'), 'garbage'))).toEqual({ code: '22007', message: 'invalid input syntax for type date: "garbage"' });
  });

  it('prints timestamps with microseconds trimmed', () => {
    expect(roundTrip(t('timestamp'), '2021-03-04 05:06:07.123400')).toBe('2021-03-04 05:06:07.1234');
    expect(roundTrip(t('timestamp'), '2021-03-04T05:06:07')).toBe('2021-03-04 05:06:07');
    expect(roundTrip(t('timestamp'), '2021-03-04 05:06:07+02')).toBe('2021-03-04 05:06:07');
    expect(roundTrip(t('timestamp'), '0044-03-15 12:00 BC')).toBe('0044-03-15 12:00:00 BC');
    expect(formatText(t('timestamp'), 0n - 86_400_000_000n)).toBe('1969-12-31 00:00:00');
  });

  it('prints timestamptz in the session time zone', () => {
    const value = parseText(t('timestamptz'), '2021-03-04 05:06:07+02');
    expect(formatText(t('timestamptz'), value)).toBe('2021-03-04 03:06:07+00');
    expect(formatText(t('timestamptz'), value, 'America/New_York')).toBe('2021-03-03 22:06:07-05');
    expect(formatText(t('timestamptz'), value, 'Asia/Kolkata')).toBe('2021-03-04 08:36:07+05:30');
    expect(roundTrip(t('timestamptz'), '2021-06-01 00:00:00+05:30')).toBe('2021-05-31 18:30:00+00');
    expect(roundTrip(t('timestamptz'), '0044-03-15 12:00:00 BC')).toBe('0044-03-15 12:00:00+00 BC');
    expect(formatText(t('timestamptz'), parseText(t('timestamptz'), '2021-07-01 12:00', 'Europe/Paris'))).toBe('2021-07-01 10:00:00+00');
  });

  it('prints intervals in the postgres style', () => {
    const cases: [string, string][] = [
      ['-1 day -4 hours', '-1 days -04:00:00'], ['1 year -1 mon', '11 mons'],
      ['-1 year -2 mons +3 days -04:05:06.5', '-1 years -2 mons +3 days -04:05:06.5'], ['1.5 months', '1 mon 15 days'],
      ['1 day 25:00:00', '1 day 25:00:00'], ['P1Y2M3DT4H5M6S', '1 year 2 mons 3 days 04:05:06'],
      ['@ 1 hour ago', '-01:00:00'], ['0', '00:00:00'], ['1 year 2 mons 3 days 04:05:06', '1 year 2 mons 3 days 04:05:06'],
    ];
    for (const [input, output] of cases) expect(roundTrip(t('interval'), input)).toBe(output);
    expect(errorOf(() => parseText(t('interval'), 'soon')).code).toBe('22007');
  });

  it('reads times of day', () => {
    expect(roundTrip(t('time'), '04:05:06.789')).toBe('04:05:06.789');
    expect(roundTrip(t('time'), '4:05 pm')).toBe('16:05:00');
  });
});

describe('json, jsonb and arrays', () => {
  it('prints jsonb canonically', () => {
    expect(parseText(t('jsonb'), '{"b":[1,2.50,1e2],"a":1,"aa":null,"a":2}')).toBe('{"a": 2, "b": [1, 2.50, 100], "aa": null}');
    expect(parseText(t('jsonb'), '"\\u00e9\\n"')).toBe('"é\\n"');
    expect(parseText(t('jsonb'), ' [ ] ')).toBe('[]');
    expect(parseText(t('json'), '{"b":1,  "a":2}')).toBe('{"b":1,  "a":2}');
    expect(errorOf(() => parseText(t('jsonb'), '{"a":}'))).toEqual({ code: '22P02', message: 'invalid input syntax for type json' });
  });

  it('reads and prints arrays with quoting and NULLs', () => {
    const textArray = t('text', { element: t('text') });
    expect(roundTrip(textArray, '{1,NULL,"a b",""}')).toBe('{1,NULL,"a b",""}');
    expect(roundTrip(textArray, '{"null","x\\"y"}')).toBe('{"null","x\\"y"}');
    const intArray = t('int4', { element: t('int4') });
    expect(parseText(intArray, '{1, 2,NULL}')).toEqual([1, 2, null]);
    expect(formatText(intArray, [[1, 2], [3, 4]] as Value)).toBe('{{1,2},{3,4}}');
    expect(errorOf(() => parseText(intArray, '{1,2')).code).toBe('22P02');
  });

  it('formats numerics held as Decimal', () => {
    expect(formatText(t('numeric'), new Decimal(-5n, 3))).toBe('-0.005');
  });
});

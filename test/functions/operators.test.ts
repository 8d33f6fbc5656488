// Operators and functions evaluated through resolution and the compiler, against results and
// errors of PostgreSQL 15.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/common/decimal.js';
import { SqlError } from '../../src/common/errors.js';
import type { DataType, Value } from '../../src/common/types.js';
import { formatText, parseText } from '../../src/common/value-text.js';
import type { BoundExpr } from '../../src/sql/bound-expr.js';
import { callExpr, evaluate, literal, opExpr, t } from './support.js';

/** A literal of `type` read from its text, as the binder makes typed constants. */
function lit(type: DataType | DataType['name'], text: string): BoundExpr {
  const resolved = typeof type === 'string' ? t(type) : type;
  return literal(resolved, parseText(resolved, text));
}

const int = (value: number): BoundExpr => literal(t('int4'), value);
const num = (text: string): BoundExpr => lit('numeric', text);
const text = (value: string): BoundExpr => literal(t('text'), value);

/** Evaluates and prints the result the way PostgreSQL's output would show it. */
function show(expr: BoundExpr, settings: Record<string, string> = {}): string {
  const value: Value = evaluate(expr, settings);
  return formatText(expr.type, value, settings.timezone ?? 'UTC');
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

describe('integer arithmetic', () => {
  it('detects overflow and division by zero', () => {
    expect(errorOf(() => evaluate(opExpr('+', int(2147483647), int(1))))).toEqual({ code: '22003', message: 'integer out of range' });
    expect(errorOf(() => evaluate(opExpr('*', int(65536), int(65536))))).toEqual({ code: '22003', message: 'integer out of range' });
    expect(errorOf(() => evaluate(opExpr('/', int(1), int(0))))).toEqual({ code: '22012', message: 'division by zero' });
    expect(errorOf(() => evaluate(opExpr('%', int(1), int(0)))).code).toBe('22012');
    expect(errorOf(() => evaluate(opExpr('/', int(-2147483648), int(-1)))).code).toBe('22003');
    const big = literal(t('int8'), 9223372036854775807n);
    expect(errorOf(() => evaluate(opExpr('+', big, literal(t('int8'), 1n))))).toEqual({ code: '22003', message: 'bigint out of range' });
    expect(errorOf(() => evaluate(opExpr('-', null, literal(t('int2'), -32768)))).message).toBe('smallint out of range');
  });

  it('divides toward zero and keeps the dividend sign in %', () => {
    expect(evaluate(opExpr('/', int(-7), int(2)))).toBe(-3);
    expect(evaluate(opExpr('%', int(-7), int(3)))).toBe(-1);
    expect(evaluate(callExpr('mod', [int(-7), int(3)]))).toBe(-1);
    expect(evaluate(opExpr('+', int(1), literal(t('int8'), 2n)))).toBe(3n);
  });
});

describe('numeric and float arithmetic', () => {
  it('uses PostgreSQL result scales', () => {
    expect(show(opExpr('/', num('7.0'), int(2)))).toBe('3.5000000000000000');
    expect(show(opExpr('*', num('2.50'), num('1.2')))).toBe('3.000');
    expect(show(opExpr('%', num('7.5'), num('2')))).toBe('1.5');
    expect(show(opExpr('^', num('2'), num('10')))).toBe('1024.0000000000000000');
    expect(show(opExpr('+', int(1), num('2.5')))).toBe('3.5');
  });

  it('rounds like PostgreSQL', () => {
    expect(show(callExpr('round', [num('2.5')]))).toBe('3');
    expect(show(callExpr('round', [num('-2.5')]))).toBe('-3');
    expect(show(callExpr('round', [literal(t('float8'), 2.5)]))).toBe('2');
    expect(show(callExpr('round', [num('3.14159'), int(2)]))).toBe('3.14');
    expect(show(callExpr('trunc', [num('-3.789'), int(1)]))).toBe('-3.7');
    expect(show(callExpr('ceil', [num('-1.5')]))).toBe('-1');
    expect(show(callExpr('floor', [num('-1.5')]))).toBe('-2');
    expect(show(callExpr('sqrt', [lit('numeric', '2')]))).toBe('1.414213562373095');
    expect(show(callExpr('power', [num('2.0'), num('0.5')]))).toBe('1.4142135623730950');
  });

  it('reports float overflow and numeric division by zero', () => {
    const huge = literal(t('float8'), 1e308);
    expect(errorOf(() => evaluate(opExpr('*', huge, huge)))).toEqual({ code: '22003', message: 'value out of range: overflow' });
    expect(errorOf(() => evaluate(opExpr('/', num('1'), num('0')))).code).toBe('22012');
    expect(errorOf(() => evaluate(opExpr('/', literal(t('float8'), 1), literal(t('float8'), 0)))).code).toBe('22012');
    expect(errorOf(() => evaluate(callExpr('ln', [num('0')]))).code).toBe('2201E');
    expect(errorOf(() => evaluate(callExpr('sqrt', [literal(t('float8'), -1)]))).code).toBe('2201F');
  });
});

describe('comparison', () => {
  it('compares across integer widths and with NaN as PostgreSQL orders it', () => {
    expect(evaluate(opExpr('=', int(5), literal(t('int8'), 5n)))).toBe(true);
    expect(evaluate(opExpr('<', literal(t('float8'), 1e308), literal(t('float8'), Number.NaN)))).toBe(true);
    expect(evaluate(opExpr('=', literal(t('float8'), Number.NaN), literal(t('float8'), Number.NaN)))).toBe(true);
    expect(evaluate(opExpr('=', num('1.0'), num('1.00')))).toBe(true);
    expect(evaluate(opExpr('=', lit('interval', '1 mon'), lit('interval', '30 days')))).toBe(true);
    expect(evaluate(opExpr('=', literal(t('bpchar', { precision: 4 }), 'ab  '), literal(t('bpchar'), 'ab')))).toBe(true);
    expect(evaluate(opExpr('<', lit('date', '2021-01-01'), lit('timestamptz', '2021-01-01 00:00:01+00')))).toBe(true);
  });
});

describe('strings', () => {
  it('implements the text functions', () => {
    expect(show(callExpr('substr', [text('hello'), int(0), int(3)]))).toBe('he');
    expect(show(callExpr('position', [text('hello'), text('l')]))).toBe('3');
    expect(show(callExpr('split_part', [text('a,b,c'), text(','), int(-1)]))).toBe('c');
    expect(show(callExpr('lpad', [text('hi'), int(5), text('xy')]))).toBe('xyxhi');
    expect(show(callExpr('left', [text('hello'), int(-2)]))).toBe('hel');
    expect(show(callExpr('right', [text('hello'), int(-2)]))).toBe('llo');
    expect(show(callExpr('concat', [text('a'), int(1), literal(t('bool'), true), literal(t('text'), null)]))).toBe('a1t');
    expect(show(callExpr('concat_ws', [text('-'), text('a'), literal(t('text'), null), int(2)]))).toBe('a-2');
    expect(show(opExpr('||', text('x'), int(1)))).toBe('x1');
    expect(show(callExpr('md5', [text('abc')]))).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(show(callExpr('initcap', [text('hello wORLD')]))).toBe('Hello World');
    expect(show(callExpr('btrim', [text('xxhixx'), text('x')]))).toBe('hi');
    expect(show(callExpr('length', [text('héllo')]))).toBe('5');
    expect(show(callExpr('octet_length', [text('héllo')]))).toBe('6');
    expect(errorOf(() => evaluate(callExpr('split_part', [text('a'), text(','), int(0)]))).code).toBe('22023');
  });

  it('matches LIKE, ILIKE and regular expressions', () => {
    expect(evaluate(opExpr('~~', text('abc'), text('a%')))).toBe(true);
    expect(evaluate(opExpr('~~', text('abc'), text('a_')))).toBe(false);
    expect(evaluate(opExpr('~~', text('a%c'), text('a\\%c')))).toBe(true);
    expect(evaluate(opExpr('~~', text('abc'), text('a\\%c')))).toBe(false);
    expect(evaluate(opExpr('~~*', text('ABC'), text('a%')))).toBe(true);
    expect(evaluate(opExpr('!~~', text('abc'), text('%b%')))).toBe(false);
    expect(evaluate(opExpr('~~', text('a.c'), text('a.c')))).toBe(true);
    expect(evaluate(opExpr('~~', text('abc'), callExpr('like_escape', [text('a#%'), text('#')])))).toBe(false);
    expect(errorOf(() => evaluate(opExpr('~~', text('a'), text('a\\')))).code).toBe('22025');
    expect(evaluate(opExpr('~', text('abc123'), text('^[a-z]+[[:digit:]]+$')))).toBe(true);
    expect(evaluate(opExpr('~*', text('ABC'), text('^abc$')))).toBe(true);
    expect(evaluate(opExpr('!~', text('abc'), text('b')))).toBe(false);
    expect(errorOf(() => evaluate(opExpr('~', text('a'), text('(')))).code).toBe('2201B');
  });
});

describe('dates and times', () => {
  it('does calendar arithmetic', () => {
    expect(show(opExpr('+', lit('timestamp', '2021-01-31'), lit('interval', '1 month')))).toBe('2021-02-28 00:00:00');
    expect(show(opExpr('-', lit('date', '2021-03-01'), lit('date', '2021-01-01')))).toBe('59');
    expect(show(opExpr('-', lit('timestamp', '2021-01-03'), lit('timestamp', '2021-01-01 12:00')))).toBe('1 day 12:00:00');
    expect(show(opExpr('*', lit('interval', '1 mon'), literal(t('float8'), 1.5)))).toBe('1 mon 15 days');
    expect(show(opExpr('/', lit('interval', '1 day'), literal(t('float8'), 3)))).toBe('08:00:00');
    expect(show(opExpr('+', lit('date', '2021-01-01'), int(31)))).toBe('2021-02-01');
    expect(show(opExpr('+', lit('date', '2021-01-01'), lit('interval', '1 hour')))).toBe('2021-01-01 01:00:00');
  });

  it('keeps calendar days across a DST change for timestamptz', () => {
    const settings = { timezone: 'Europe/Paris' };
    const start = literal(t('timestamptz'), parseText(t('timestamptz'), '2021-03-27 12:00', 'Europe/Paris'));
    expect(show(opExpr('+', start, lit('interval', '1 day')), settings)).toBe('2021-03-28 12:00:00+02');
  });

  it('truncates and extracts fields', () => {
    expect(show(callExpr('date_trunc', [text('week'), lit('timestamp', '2021-01-07 10:00')]))).toBe('2021-01-04 00:00:00');
    expect(show(callExpr('date_trunc', [text('quarter'), lit('timestamp', '2021-05-07 10:00')]))).toBe('2021-04-01 00:00:00');
    expect(show(callExpr('extract', [text('second'), lit('timestamp', '2021-01-01 00:00:07.1234')]))).toBe('7.123400');
    expect(show(callExpr('extract', [text('epoch'), lit('timestamp', '2021-01-01')]))).toBe('1609459200.000000');
    expect(show(callExpr('extract', [text('epoch'), lit('date', '2021-01-01')]))).toBe('1609459200');
    expect(show(callExpr('extract', [text('dow'), lit('date', '2021-01-03')]))).toBe('0');
    expect(show(callExpr('extract', [text('week'), lit('date', '2021-01-03')]))).toBe('53');
    expect(show(callExpr('extract', [text('milliseconds'), lit('timestamp', '2021-01-01 00:00:07.1234')]))).toBe('7123.400');
    expect(show(callExpr('date_part', [text('year'), lit('date', '0001-12-31 BC')]))).toBe('-1');
    expect(show(callExpr('extract', [text('century'), lit('date', '2000-12-31')]))).toBe('20');
    expect(show(callExpr('extract', [text('epoch'), lit('interval', '1 year 1 day')]))).toBe('31644000.000000');
    expect(errorOf(() => evaluate(callExpr('extract', [text('hour'), lit('date', '2021-01-01')]))).code).toBe('0A000');
    expect(errorOf(() => evaluate(callExpr('extract', [text('fortnight'), lit('date', '2021-01-01')]))).code).toBe('22023');
    expect(show(callExpr('make_date', [int(2021), int(2), int(28)]))).toBe('2021-02-28');
    expect(errorOf(() => evaluate(callExpr('make_date', [int(2021), int(2), int(29)]))).message).toBe('date field value out of range: 2021-02-29');
  });

  it('reads the statement clock from the context', () => {
    expect(show(callExpr('now', []))).toBe('2023-11-14 22:13:20+00');
    expect(show(callExpr('current_date', []), { timezone: 'Asia/Tokyo' })).toBe('2023-11-15');
  });
});

describe('jsonb', () => {
  const doc = lit('jsonb', '{"a":{"b":[1,2]}}');
  it('navigates and tests containment', () => {
    expect(show(opExpr('->', doc, text('a')))).toBe('{"b": [1, 2]}');
    expect(show(opExpr('#>>', doc, literal(t('text', { element: t('text') }), ['a', 'b', '1'])))).toBe('2');
    expect(evaluate(opExpr('->>', doc, text('missing')))).toBe(null);
    expect(evaluate(opExpr('@>', lit('jsonb', '{"a":1,"b":2}'), lit('jsonb', '{"a":1}')))).toBe(true);
    expect(evaluate(opExpr('@>', lit('jsonb', '[1,2,3]'), lit('jsonb', '[3,1]')))).toBe(true);
    expect(evaluate(opExpr('?', lit('jsonb', '["a","b"]'), text('a')))).toBe(true);
    expect(show(opExpr('||', lit('jsonb', '{"a":1}'), lit('jsonb', '{"b":2}')))).toBe('{"a": 1, "b": 2}');
    expect(show(opExpr('->', lit('jsonb', '[1,2]'), int(-1)))).toBe('2');
  });

  it('builds values', () => {
    expect(show(callExpr('jsonb_typeof', [lit('jsonb', '1.5')]))).toBe('number');
    expect(show(callExpr('jsonb_array_length', [lit('jsonb', '[1,2]')]))).toBe('2');
    const built = callExpr('jsonb_build_object', [text('b'), lit('date', '2026-11-22'), text('a'), int(1), text('c'), literal(t('text'), null)]);
    expect(show(built)).toBe('{"a": 1, "b": "2026-11-22", "c": null}');
    expect(show(callExpr('to_jsonb', [lit('timestamptz', '2021-01-01 10:00+00')]))).toBe('"2021-01-01T10:00:00+00:00"');
    expect(show(callExpr('to_jsonb', [literal(t('float8'), 1.5)]))).toBe('1.5');
    expect(show(callExpr('to_jsonb', [text('x')]))).toBe('"x"');
  });
});

describe('system functions', () => {
  it('reads the session', () => {
    expect(show(callExpr('current_user', []))).toBe('alice');
    expect(show(callExpr('current_setting', [text('TimeZone')]))).toBe('UTC');
    expect(errorOf(() => evaluate(callExpr('current_setting', [text('nope')]))).code).toBe('42704');
    expect(show(callExpr('pg_typeof', [num('1')]))).toBe('numeric');
    expect(evaluate(callExpr('gen_random_uuid', []))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps Decimal values exact', () => {
    expect(evaluate(opExpr('+', num('0.1'), num('0.2')))).toEqual(new Decimal(3n, 1));
  });
});

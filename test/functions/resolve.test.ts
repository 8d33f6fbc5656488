// Overload resolution, common-type resolution and cast lookup, checked against what PostgreSQL 15
// chooses for the same argument types.

import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/common/errors.js';
import { formatType, type DataType } from '../../src/common/types.js';
import { castValue, commonType, findCast, resolveFunction, resolveOperator } from '../../src/functions/resolve.js';
import { Decimal } from '../../src/common/decimal.js';
import { t } from './support.js';

function signature(resolved: { argTypes: readonly DataType[]; returnType: DataType }): string {
  return `${resolved.argTypes.map(formatType).join(', ')} -> ${formatType(resolved.returnType)}`;
}

function errorOf(action: () => unknown): SqlError {
  try {
    action();
  } catch (error) {
    if (error instanceof SqlError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('resolveOperator', () => {
  it('follows the implicit-cast and preferred-type rules', () => {
    expect(signature(resolveOperator('+', t('int4'), t('numeric')))).toBe('numeric, numeric -> numeric');
    expect(signature(resolveOperator('+', t('unknown'), t('int4')))).toBe('integer, integer -> integer');
    expect(signature(resolveOperator('=', t('int4'), t('int8')))).toBe('bigint, bigint -> boolean');
    expect(signature(resolveOperator('+', t('int4'), t('int8')))).toBe('bigint, bigint -> bigint');
    expect(signature(resolveOperator('*', t('numeric'), t('float8')))).toBe('double precision, double precision -> double precision');
    expect(signature(resolveOperator('=', t('unknown'), t('unknown')))).toBe('text, text -> boolean');
    expect(signature(resolveOperator('=', t('varchar'), t('varchar')))).toBe('text, text -> boolean');
    expect(signature(resolveOperator('||', t('text'), t('int4')))).toBe('text, integer -> text');
    expect(signature(resolveOperator('||', t('unknown'), t('unknown')))).toBe('text, text -> text');
    expect(signature(resolveOperator('->>', t('jsonb'), t('unknown')))).toBe('jsonb, text -> text');
    expect(signature(resolveOperator('-', null, t('int2')))).toBe('smallint -> smallint');
    expect(signature(resolveOperator('<', t('date'), t('timestamptz')))).toBe(
      'timestamp with time zone, timestamp with time zone -> boolean');
  });

  it('reports missing and ambiguous operators as PostgreSQL does', () => {
    const missing = errorOf(() => resolveOperator('+', t('int4'), t('text')));
    expect(missing.code).toBe('42883');
    expect(missing.message).toBe('operator does not exist: integer + text');
    expect(missing.hint).toBe('No operator matches the given name and argument types. You might need to add explicit type casts.');
    const ambiguous = errorOf(() => resolveOperator('+', t('date'), t('unknown')));
    expect(ambiguous.code).toBe('42725');
    expect(ambiguous.message).toBe('operator is not unique: date + unknown');
  });
});

describe('resolveFunction', () => {
  it('resolves overloads', () => {
    expect(signature(resolveFunction('length', [t('unknown')]))).toBe('text -> integer');
    expect(signature(resolveFunction('length', [t('varchar')]))).toBe('text -> integer');
    expect(signature(resolveFunction('round', [t('int4')]))).toBe('double precision -> double precision');
    expect(signature(resolveFunction('abs', [t('unknown')]))).toBe('double precision -> double precision');
    expect(signature(resolveFunction('round', [t('numeric'), t('int4')]))).toBe('numeric, integer -> numeric');
    expect(signature(resolveFunction('mod', [t('int4'), t('int8')]))).toBe('bigint, bigint -> bigint');
    expect(signature(resolveFunction('concat', [t('unknown'), t('int4')]))).toBe('text, integer -> text');
    expect(signature(resolveFunction('date_trunc', [t('unknown'), t('timestamptz')]))).toBe(
      'text, timestamp with time zone -> timestamp with time zone');
    expect(signature(resolveFunction('NOW', []))).toBe(' -> timestamp with time zone');
  });

  it('reports unknown functions with a hint', () => {
    const error = errorOf(() => resolveFunction('foo', [t('int4')]));
    expect(error.code).toBe('42883');
    expect(error.message).toBe('function foo(integer) does not exist');
    expect(error.hint).toBe('No function matches the given name and argument types. You might need to add explicit type casts.');
    expect(errorOf(() => resolveFunction('length', [t('int4')])).message).toBe('function length(integer) does not exist');
  });
});

describe('commonType', () => {
  it('picks the type every branch converts to', () => {
    expect(formatType(commonType([t('int4'), t('int8')], 'CASE'))).toBe('bigint');
    expect(formatType(commonType([t('int4'), t('numeric')], 'UNION'))).toBe('numeric');
    expect(formatType(commonType([t('unknown'), t('int4')], 'COALESCE'))).toBe('integer');
    expect(formatType(commonType([t('unknown'), t('unknown')], 'CASE'))).toBe('text');
    expect(formatType(commonType([t('numeric'), t('float8')], 'CASE'))).toBe('double precision');
    expect(formatType(commonType([t('date'), t('timestamptz')], 'CASE'))).toBe('timestamp with time zone');
    expect(formatType(commonType([t('varchar', { precision: 3 }), t('varchar', { precision: 3 })], 'CASE'))).toBe('character varying(3)');
    expect(formatType(commonType([t('varchar', { precision: 3 }), t('varchar', { precision: 5 })], 'CASE'))).toBe('character varying');
  });

  it('fails with 42804 when categories differ', () => {
    const error = errorOf(() => commonType([t('int4'), t('text')], 'CASE'));
    expect(error.code).toBe('42804');
    expect(error.message).toBe('CASE types integer and text cannot be matched');
  });
});

describe('casts', () => {
  it('allows each cast only in its context', () => {
    expect(findCast(t('int4'), t('bool'), 'implicit')).toBeNull();
    expect(findCast(t('int4'), t('bool'), 'assignment')).toBeNull();
    expect(findCast(t('int4'), t('bool'), 'explicit')).not.toBeNull();
    expect(findCast(t('int8'), t('int4'), 'implicit')).toBeNull();
    expect(findCast(t('int8'), t('int4'), 'assignment')).not.toBeNull();
    expect(findCast(t('int4'), t('text'), 'implicit')).toBeNull();
    expect(findCast(t('int4'), t('text'), 'assignment')).not.toBeNull();
    expect(findCast(t('text'), t('int4'), 'assignment')).toBeNull();
    expect(findCast(t('uuid'), t('int4'), 'explicit')).toBeNull();
  });

  it('converts values as PostgreSQL does', () => {
    expect(castValue(new Decimal(25n, 1), t('numeric'), t('int4'), 'assignment')).toBe(3);
    expect(castValue(new Decimal(-25n, 1), t('numeric'), t('int4'), 'assignment')).toBe(-3);
    expect(castValue(2.5, t('float8'), t('int4'), 'assignment')).toBe(2);
    expect(castValue(3.5, t('float8'), t('int4'), 'assignment')).toBe(4);
    expect(castValue(0.1, t('float8'), t('numeric'), 'assignment')?.toString()).toBe('0.1');
    expect(castValue(Math.fround(0.1), t('float4'), t('float8'), 'implicit')).toBe(0.10000000149011612);
    expect(castValue(true, t('bool'), t('text'), 'assignment')).toBe('true');
    expect(castValue(7, t('int4'), t('bool'), 'explicit')).toBe(true);
    expect(castValue('42', t('text'), t('int4'), 'explicit')).toBe(42);
    expect(castValue('ab  ', t('bpchar'), t('text'), 'implicit')).toBe('ab');
    expect(castValue('{"a": 1}', t('jsonb'), t('text'), 'assignment')).toBe('{"a": 1}');
    expect(castValue('1.50', t('jsonb'), t('numeric'), 'explicit')?.toString()).toBe('1.50');
    expect(errorOf(() => castValue('"x"', t('jsonb'), t('int4'), 'explicit')).message).toBe('cannot cast jsonb string to type integer');
    expect(errorOf(() => castValue(3000000000n, t('int8'), t('int4'), 'assignment')).message).toBe('integer out of range');
    expect(errorOf(() => castValue('abc', t('text'), t('int4'), 'explicit')).code).toBe('22P02');
  });

  it('applies type modifiers: explicit truncates, assignment fails', () => {
    const short = t('varchar', { precision: 3 });
    expect(castValue('abcdef', t('text'), short, 'explicit')).toBe('abc');
    const error = errorOf(() => castValue('abcdef', t('text'), short, 'assignment'));
    expect(error.code).toBe('22001');
    expect(error.message).toBe('value too long for type character varying(3)');
    const money = t('numeric', { precision: 5, scale: 2 });
    expect(castValue(new Decimal(123455n, 3), t('numeric'), money, 'assignment')?.toString()).toBe('123.46');
    expect(errorOf(() => castValue(new Decimal(123455n, 0), t('numeric'), money, 'assignment')).code).toBe('22003');
    expect(castValue(12, t('int4'), money, 'assignment')?.toString()).toBe('12.00');
  });

  it('converts timestamps through the session time zone', () => {
    const context = {
      database: 'd', user: 'u', schema: 's', transactionTimestamp: 0n, statementTimestamp: 0n, serverVersion: 'v',
      setting: (name: string) => (name === 'timezone' ? 'America/New_York' : undefined),
    };
    const utcNoon = 1609502400000000n; // 2021-01-01 12:00:00+00
    expect(castValue(utcNoon, t('timestamptz'), t('text'), 'assignment', context)).toBe('2021-01-01 07:00:00-05');
    expect(castValue(utcNoon, t('timestamptz'), t('date'), 'assignment', context)).toBe(18628);
  });
});

// Exact decimal arithmetic against PostgreSQL 15's numeric results, including its result scales
// (division keeps at least 16 significant digits) and special values.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/common/decimal.js';
import { SqlError } from '../../src/common/errors.js';

const d = (text: string): Decimal => Decimal.parse(text);

describe('Decimal', () => {
  it('adds, subtracts and multiplies exactly', () => {
    expect(d('0.1').add(d('0.2')).toString()).toBe('0.3');
    expect(d('1.50').sub(d('0.5')).toString()).toBe('1.00');
    expect(d('2.50').mul(d('1.2')).toString()).toBe('3.000');
    expect(d('-0.001').mul(d('1000')).toString()).toBe('-1.000');
    expect(d('99999999999999999999').add(d('1')).toString()).toBe('100000000000000000000');
  });

  it('divides with PostgreSQL result scales', () => {
    const cases: [string, string, string][] = [
      ['1', '3', '0.33333333333333333333'], ['10', '4', '2.5000000000000000'], ['1e20', '7', '14285714285714285714'],
      ['123456789.123', '0.001', '123456789123.00000000'], ['2', '3', '0.66666666666666666667'],
      ['-2', '3', '-0.66666666666666666667'], ['1', '8', '0.12500000000000000000'],
    ];
    for (const [a, b, quotient] of cases) expect(d(a).div(d(b)).toString()).toBe(quotient);
    expect(() => d('1').div(d('0'))).toThrow(SqlError);
  });

  it('computes mod, rounding, truncation, floor and ceiling', () => {
    expect(d('7.5').mod(d('2')).toString()).toBe('1.5');
    expect(d('-7.5').mod(d('2')).toString()).toBe('-1.5');
    expect(d('2.5').round(0).toString()).toBe('3');
    expect(d('-2.5').round(0).toString()).toBe('-3');
    expect(d('1234.5678').round(-2).toString()).toBe('1200');
    expect(d('1.5').round(3).toString()).toBe('1.500');
    expect(d('-3.789').trunc(1).toString()).toBe('-3.7');
    expect(d('-1.5').floor().toString()).toBe('-2');
    expect(d('-1.5').ceil().toString()).toBe('-1');
    expect(d('2.5').toBigInt()).toBe(3n);
  });

  it('takes square roots with PostgreSQL scales', () => {
    expect(d('2').sqrt().toString()).toBe('1.414213562373095');
    expect(d('100').sqrt().toString()).toBe('10.000000000000000');
    expect(d('0.0001').sqrt().toString()).toBe('0.01000000000000000');
  });

  it('orders NaN above everything and handles infinities', () => {
    expect(d('NaN').compare(d('Infinity'))).toBe(1);
    expect(d('NaN').compare(d('NaN'))).toBe(0);
    expect(d('-Infinity').compare(d('-1e100'))).toBe(-1);
    expect(d('1.0').compare(d('1.00'))).toBe(0);
    expect(d('Infinity').add(d('-Infinity')).toString()).toBe('NaN');
    expect(d('Infinity').mul(d('-2')).toString()).toBe('-Infinity');
    expect(d('5').div(d('Infinity')).toString()).toBe('0');
  });

  it('converts from floats through 15 significant digits', () => {
    expect(Decimal.fromNumber(0.1).toString()).toBe('0.1');
    expect(Decimal.fromNumber(0.1 + 0.2).toString()).toBe('0.3');
    expect(Decimal.fromNumber(1e20).toString()).toBe('100000000000000000000');
    expect(Decimal.fromNumber(-1.5e-7).toString()).toBe('-0.00000015');
    expect(Decimal.fromNumber(Math.fround(0.1), 6).toString()).toBe('0.1');
  });

  it('applies numeric(p,s) typmods', () => {
    expect(d('123.455').withTypmod(5, 2).toString()).toBe('123.46');
    expect(d('0.5').withTypmod(1, 0).toString()).toBe('1');
    expect(() => d('999.995').withTypmod(5, 2)).toThrow('numeric field overflow');
    expect(() => d('Infinity').withTypmod(5, 2)).toThrow('numeric field overflow');
    expect(d('NaN').withTypmod(5, 2).toString()).toBe('NaN');
  });
});

// Mathematical functions (abs, ceil, floor, round, trunc, mod, power, sqrt, exp, ln, log, sign,
// random, pi). Exact on numeric where PostgreSQL is (rounding, mod, sqrt); the transcendental
// numeric functions are computed in double precision and carry about 16 significant digits.

import { Decimal } from '../common/decimal.js';
import { SqlError } from '../common/errors.js';
import type { DataType } from '../common/types.js';
import type { FunctionDef } from './function.js';
import { T, binary, def, unary } from './define.js';
import {
  INT8_MIN, checkFloat8, checkInt2, checkInt4, divisionByZero, outOfRange, roundHalfEven,
} from './numeric-checks.js';

const invalidArgumentForLog = '2201E';
const invalidArgumentForPower = '2201F';

function logError(value: number | Decimal): SqlError {
  const zero = value instanceof Decimal ? value.isZero() : value === 0;
  return new SqlError(invalidArgumentForLog, zero ? 'cannot take logarithm of zero' : 'cannot take logarithm of a negative number');
}

function checkedPower(base: number, exponent: number): number {
  if (base === 0 && exponent < 0) throw new SqlError(invalidArgumentForPower, 'zero raised to a negative power is undefined');
  if (base < 0 && !Number.isInteger(exponent) && Number.isFinite(exponent)) {
    throw new SqlError(invalidArgumentForPower, 'a negative number raised to a non-integer power yields a complex result');
  }
  const result = Math.pow(base, exponent);
  return checkFloat8(result, !Number.isFinite(base) || !Number.isFinite(exponent), base === 0 || result !== 0 || Math.abs(base) < 1 || exponent < 0);
}

/** A double result as numeric with about 16 significant digits and at least `minScale` digits. */
function approximateDecimal(value: number, minScale: number): Decimal {
  if (!Number.isFinite(value)) return Decimal.fromNumber(value);
  if (value === 0) return new Decimal(0n, Math.max(minScale, 16));
  const exponent = Math.trunc(Math.log10(Math.abs(value)));
  const scale = Math.min(Math.max(16 - exponent, minScale, 0), 1000);
  return Decimal.parse(value.toPrecision(17)).round(scale);
}

function numericPower(base: Decimal, exponent: Decimal): Decimal {
  if (base.isZero() && exponent.sign() < 0) {
    throw new SqlError(invalidArgumentForPower, 'zero raised to a negative power is undefined');
  }
  if (base.sign() < 0 && !exponent.trunc().equals(exponent)) {
    throw new SqlError(invalidArgumentForPower, 'a negative number raised to a non-integer power yields a complex result');
  }
  const integral = exponent.scale === 0 || exponent.trunc().equals(exponent);
  const small = exponent.abs().compare(new Decimal(1000n, 0)) <= 0;
  if (integral && small && base.isFinite() && exponent.isFinite()) {
    // Integer powers are exact, shown with at least 16 digits after the point as PostgreSQL does.
    const power = Number(exponent.toBigInt());
    const scale = Math.min(Math.max(16, base.scale, exponent.scale), 1000);
    let result = new Decimal(1n, 0);
    for (let i = 0; i < Math.abs(power); i++) result = result.mul(base);
    if (power < 0) return new Decimal(1n, 0).divToScale(result, scale);
    return result.round(scale);
  }
  const approximate = approximateDecimal(checkedPower(base.toNumber(), exponent.toNumber()), Math.max(base.scale, exponent.scale));
  // x ^ 0.5 is a square root, which numeric computes exactly.
  if (exponent.equals(new Decimal(5n, 1)) && approximate.isFinite()) return base.sqrt(approximate.scale);
  return approximate;
}

function integerMod(type: DataType): FunctionDef {
  return binary('mod', type, type, type, (a: number, b: number) => {
    if (b === 0) throw divisionByZero();
    return (a % b) + 0;
  });
}

export const mathOperatorDefs: readonly FunctionDef[] = [
  binary('^', T.float8, T.float8, T.float8, checkedPower),
  binary('^', T.numeric, T.numeric, T.numeric, numericPower),
  unary('|/', T.float8, T.float8, (a: number) => {
    if (a < 0) throw new SqlError(invalidArgumentForPower, 'cannot take square root of a negative number');
    return Math.sqrt(a);
  }),
  unary('@', T.int4, T.int4, (a: number) => checkInt4(Math.abs(a))),
  unary('@', T.int8, T.int8, (a: bigint) => {
    if (a === INT8_MIN) throw outOfRange('bigint out of range');
    return a < 0n ? -a : a;
  }),
  unary('@', T.float8, T.float8, (a: number) => Math.abs(a)),
  unary('@', T.numeric, T.numeric, (a: Decimal) => a.abs()),
];

export const mathFunctionDefs: readonly FunctionDef[] = [
  unary('abs', T.int2, T.int2, (a: number) => checkInt2(Math.abs(a))),
  unary('abs', T.int4, T.int4, (a: number) => checkInt4(Math.abs(a))),
  unary('abs', T.int8, T.int8, (a: bigint) => {
    if (a === INT8_MIN) throw outOfRange('bigint out of range');
    return a < 0n ? -a : a;
  }),
  unary('abs', T.float4, T.float4, (a: number) => Math.abs(a)),
  unary('abs', T.float8, T.float8, (a: number) => Math.abs(a)),
  unary('abs', T.numeric, T.numeric, (a: Decimal) => a.abs()),
  ...['ceil', 'ceiling'].flatMap((name) => [
    unary(name, T.float8, T.float8, (a: number) => Math.ceil(a) + 0),
    unary(name, T.numeric, T.numeric, (a: Decimal) => a.ceil()),
  ]),
  unary('floor', T.float8, T.float8, (a: number) => Math.floor(a)),
  unary('floor', T.numeric, T.numeric, (a: Decimal) => a.floor()),
  unary('round', T.float8, T.float8, (a: number) => roundHalfEven(a)),
  unary('round', T.numeric, T.numeric, (a: Decimal) => a.round(0)),
  binary('round', T.numeric, T.int4, T.numeric, (a: Decimal, scale: number) => a.round(Math.min(scale, 1000))),
  unary('trunc', T.float8, T.float8, (a: number) => Math.trunc(a)),
  unary('trunc', T.numeric, T.numeric, (a: Decimal) => a.trunc(0)),
  binary('trunc', T.numeric, T.int4, T.numeric, (a: Decimal, scale: number) => a.trunc(Math.min(scale, 1000))),
  integerMod(T.int2),
  integerMod(T.int4),
  binary('mod', T.int8, T.int8, T.int8, (a: bigint, b: bigint) => {
    if (b === 0n) throw divisionByZero();
    return a % b;
  }),
  binary('mod', T.numeric, T.numeric, T.numeric, (a: Decimal, b: Decimal) => a.mod(b)),
  binary('div', T.numeric, T.numeric, T.numeric, (a: Decimal, b: Decimal) => a.truncDiv(b)),
  ...['power', 'pow'].flatMap((name) => [
    binary(name, T.float8, T.float8, T.float8, checkedPower),
    binary(name, T.numeric, T.numeric, T.numeric, numericPower),
  ]),
  unary('sqrt', T.float8, T.float8, (a: number) => {
    if (a < 0) throw new SqlError(invalidArgumentForPower, 'cannot take square root of a negative number');
    return Math.sqrt(a);
  }),
  unary('sqrt', T.numeric, T.numeric, (a: Decimal) => a.sqrt()),
  unary('cbrt', T.float8, T.float8, (a: number) => Math.cbrt(a)),
  unary('exp', T.float8, T.float8, (a: number) => checkFloat8(Math.exp(a), !Number.isFinite(a), true)),
  unary('exp', T.numeric, T.numeric, (a: Decimal) => approximateDecimal(checkFloat8(Math.exp(a.toNumber()), !a.isFinite(), true), a.scale)),
  unary('ln', T.float8, T.float8, (a: number) => {
    if (a <= 0) throw logError(a);
    return Math.log(a);
  }),
  unary('ln', T.numeric, T.numeric, (a: Decimal) => {
    if (a.sign() <= 0) throw logError(a);
    return approximateDecimal(Math.log(a.toNumber()), a.scale);
  }),
  ...['log', 'log10'].flatMap((name) => [
    unary(name, T.float8, T.float8, (a: number) => {
      if (a <= 0) throw logError(a);
      return Math.log10(a);
    }),
    unary(name, T.numeric, T.numeric, (a: Decimal) => {
      if (a.sign() <= 0) throw logError(a);
      return approximateDecimal(Math.log10(a.toNumber()), a.scale);
    }),
  ]),
  binary('log', T.numeric, T.numeric, T.numeric, (base: Decimal, a: Decimal) => {
    if (base.sign() <= 0) throw logError(base);
    if (a.sign() <= 0) throw logError(a);
    const denominator = Math.log(base.toNumber());
    if (denominator === 0) throw divisionByZero();
    return approximateDecimal(Math.log(a.toNumber()) / denominator, Math.max(base.scale, a.scale));
  }),
  unary('sign', T.float8, T.float8, (a: number) => (Number.isNaN(a) ? a : Math.sign(a) + 0)),
  unary('sign', T.numeric, T.numeric, (a: Decimal) => (a.special === 'NaN' ? a : new Decimal(BigInt(a.sign()), 0))),
  def('pi', [], T.float8, () => Math.PI),
  unary('degrees', T.float8, T.float8, (a: number) => (a * 180) / Math.PI),
  unary('radians', T.float8, T.float8, (a: number) => (a * Math.PI) / 180),
  def('random', [], T.float8, () => Math.random(), { volatility: 'volatile' }),
];

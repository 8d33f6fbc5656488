// Arithmetic operators on smallint, integer, bigint, real, double precision and numeric, with
// PostgreSQL's overflow (22003 "integer out of range"), underflow and division-by-zero (22012)
// checks. Mixed-type arithmetic resolves through implicit casts (int4 + int8 → int8 + int8).

import { Decimal } from '../common/decimal.js';
import type { DataType, Value } from '../common/types.js';
import type { FunctionDef } from './function.js';
import { T, binary, unary } from './define.js';
import {
  INT8_MIN, checkFloat4, checkFloat8, checkInt2, checkInt4, checkInt8, divisionByZero, outOfRange,
} from './numeric-checks.js';

type SmallIntCheck = (value: number) => number;

function smallIntegerOperators(type: DataType, check: SmallIntCheck): FunctionDef[] {
  const typeName = type.name === 'int2' ? 'smallint' : 'integer';
  const min = type.name === 'int2' ? -32768 : -2147483648;
  return [
    binary('+', type, type, type, (a: number, b: number) => check(a + b)),
    binary('-', type, type, type, (a: number, b: number) => check(a - b)),
    binary('*', type, type, type, (a: number, b: number) => {
      const product = a * b;
      if (!Number.isSafeInteger(product)) throw outOfRange(`${typeName} out of range`);
      return check(product) + 0;
    }),
    binary('/', type, type, type, (a: number, b: number) => {
      if (b === 0) throw divisionByZero();
      if (a === min && b === -1) throw outOfRange(`${typeName} out of range`);
      return Math.trunc(a / b) + 0;
    }),
    binary('%', type, type, type, (a: number, b: number) => {
      if (b === 0) throw divisionByZero();
      return (a % b) + 0;
    }),
    unary('-', type, type, (a: number) => check(-a) + 0),
    unary('+', type, type, (a: number) => a),
    binary('&', type, type, type, (a: number, b: number) => a & b),
    binary('|', type, type, type, (a: number, b: number) => a | b),
    binary('#', type, type, type, (a: number, b: number) => a ^ b),
    unary('~', type, type, (a: number) => (type.name === 'int2' ? ((~a << 16) >> 16) : ~a)),
    binary('<<', type, T.int4, type, (a: number, b: number) => (type.name === 'int2' ? ((a << b) << 16) >> 16 : a << b)),
    binary('>>', type, T.int4, type, (a: number, b: number) => a >> b),
  ];
}

function bigintOperators(): FunctionDef[] {
  const type = T.int8;
  return [
    binary('+', type, type, type, (a: bigint, b: bigint) => checkInt8(a + b)),
    binary('-', type, type, type, (a: bigint, b: bigint) => checkInt8(a - b)),
    binary('*', type, type, type, (a: bigint, b: bigint) => checkInt8(a * b)),
    binary('/', type, type, type, (a: bigint, b: bigint) => {
      if (b === 0n) throw divisionByZero();
      return checkInt8(a / b);
    }),
    binary('%', type, type, type, (a: bigint, b: bigint) => {
      if (b === 0n) throw divisionByZero();
      return a % b;
    }),
    unary('-', type, type, (a: bigint) => {
      if (a === INT8_MIN) throw outOfRange('bigint out of range');
      return -a;
    }),
    unary('+', type, type, (a: bigint) => a),
    binary('&', type, type, type, (a: bigint, b: bigint) => a & b),
    binary('|', type, type, type, (a: bigint, b: bigint) => a | b),
    binary('#', type, type, type, (a: bigint, b: bigint) => a ^ b),
    unary('~', type, type, (a: bigint) => ~a),
    binary('<<', type, T.int4, type, (a: bigint, b: number) => BigInt.asIntN(64, a << BigInt(b & 63))),
    binary('>>', type, T.int4, type, (a: bigint, b: number) => a >> BigInt(b & 63)),
  ];
}

function floatOperators(type: DataType): FunctionDef[] {
  const check = type.name === 'float4' ? checkFloat4 : checkFloat8;
  const infinite = (a: number, b: number): boolean => !Number.isFinite(a) || !Number.isFinite(b);
  return [
    binary('+', type, type, type, (a: number, b: number) => check(a + b, infinite(a, b), true)),
    binary('-', type, type, type, (a: number, b: number) => check(a - b, infinite(a, b), true)),
    binary('*', type, type, type, (a: number, b: number) => check(a * b, infinite(a, b), a === 0 || b === 0)),
    binary('/', type, type, type, (a: number, b: number) => {
      if (b === 0 && !Number.isNaN(a)) throw divisionByZero();
      return check(a / b, infinite(a, b), a === 0 || !Number.isFinite(b));
    }),
    unary('-', type, type, (a: number) => -a),
    unary('+', type, type, (a: number) => a),
  ];
}

function numericOperators(): FunctionDef[] {
  const type = T.numeric;
  return [
    binary('+', type, type, type, (a: Decimal, b: Decimal) => a.add(b)),
    binary('-', type, type, type, (a: Decimal, b: Decimal) => a.sub(b)),
    binary('*', type, type, type, (a: Decimal, b: Decimal) => a.mul(b)),
    binary('/', type, type, type, (a: Decimal, b: Decimal) => a.div(b)),
    binary('%', type, type, type, (a: Decimal, b: Decimal) => a.mod(b)),
    unary('-', type, type, (a: Decimal) => a.neg()),
    unary('+', type, type, (a: Decimal) => a),
  ];
}

export const numericOperatorDefs: readonly FunctionDef[] = [
  ...smallIntegerOperators(T.int2, checkInt2),
  ...smallIntegerOperators(T.int4, checkInt4),
  ...bigintOperators(),
  ...floatOperators(T.float4),
  ...floatOperators(T.float8),
  ...numericOperators(),
];

export function decimalValue(value: Value): Decimal {
  return value as Decimal;
}

export const decimalOne = new Decimal(1n, 0);

// Range checks and rounding shared by integer arithmetic and numeric casts. Out-of-range results are
// 22003 with PostgreSQL's per-type messages; floats convert to integers with rint (half to even),
// numerics with half away from zero.

import { Decimal } from '../common/decimal.js';
import { SqlError, SqlState } from '../common/errors.js';
import type { Value } from '../common/types.js';
import type { FunctionContext } from './function.js';

export const INT8_MIN = -9223372036854775808n;
export const INT8_MAX = 9223372036854775807n;

export function outOfRange(message: string): SqlError {
  return new SqlError(SqlState.numericValueOutOfRange, message);
}

export function divisionByZero(): SqlError {
  return new SqlError(SqlState.divisionByZero, 'division by zero');
}

export function checkInt2(value: number): number {
  if (!(value >= -32768 && value <= 32767)) throw outOfRange('smallint out of range');
  return value;
}

export function checkInt4(value: number): number {
  if (!(value >= -2147483648 && value <= 2147483647)) throw outOfRange('integer out of range');
  return value;
}

export function checkInt8(value: bigint): bigint {
  if (value < INT8_MIN || value > INT8_MAX) throw outOfRange('bigint out of range');
  return value;
}

/** C's rint: round half to even. */
export function roundHalfEven(value: number): number {
  const rounded = Math.round(value);
  if (Math.abs(value % 1) === 0.5) return 2 * Math.round(value / 2);
  return rounded;
}

export function floatToInt2(value: number): number {
  return checkInt2(roundHalfEven(value)) + 0;
}

export function floatToInt4(value: number): number {
  return checkInt4(roundHalfEven(value)) + 0;
}

export function floatToInt8(value: number): bigint {
  const rounded = roundHalfEven(value);
  if (!(rounded >= -9223372036854775808 && rounded < 9223372036854775808)) throw outOfRange('bigint out of range');
  return BigInt(rounded);
}

function decimalToBigInt(value: Decimal, typeName: string, message: string): bigint {
  const integer = value.toBigInt();
  if (integer === undefined) {
    const what = value.special === 'NaN' ? 'NaN' : 'infinity';
    throw new SqlError(SqlState.featureNotSupported, `cannot convert ${what} to ${typeName}`);
  }
  void message;
  return integer;
}

export function decimalToInt2(value: Decimal): number {
  const integer = decimalToBigInt(value, 'smallint', 'smallint out of range');
  if (integer < -32768n || integer > 32767n) throw outOfRange('smallint out of range');
  return Number(integer);
}

export function decimalToInt4(value: Decimal): number {
  const integer = decimalToBigInt(value, 'integer', 'integer out of range');
  if (integer < -2147483648n || integer > 2147483647n) throw outOfRange('integer out of range');
  return Number(integer);
}

export function decimalToInt8(value: Decimal): bigint {
  const integer = decimalToBigInt(value, 'bigint', 'bigint out of range');
  if (integer < INT8_MIN || integer > INT8_MAX) throw outOfRange('bigint out of range');
  return integer;
}

/** numeric → float8; overflow beyond double range is 22003 as in PostgreSQL. */
export function decimalToFloat8(value: Decimal): number {
  const result = value.toNumber();
  if (value.special === undefined && !Number.isFinite(result)) throw outOfRange('value out of range: overflow');
  return result;
}

export function decimalToFloat4(value: Decimal): number {
  const result = Math.fround(value.toNumber());
  if (value.special === undefined && !Number.isFinite(result)) throw outOfRange('value out of range: overflow');
  if (value.special === undefined && result === 0 && !value.isZero()) throw outOfRange('value out of range: underflow');
  return result;
}

/** float8 → float4 with PostgreSQL's overflow/underflow errors. */
export function float8ToFloat4(value: number): number {
  const result = Math.fround(value);
  if (Number.isFinite(value) && !Number.isFinite(result)) throw outOfRange('value out of range: overflow');
  if (value !== 0 && result === 0) throw outOfRange('value out of range: underflow');
  return result;
}

/** Checks a float8 arithmetic result: finite inputs giving ∞ overflow, a non-zero giving 0 underflows. */
export function checkFloat8(result: number, infiniteInputs: boolean, zeroAllowed: boolean): number {
  if (!Number.isFinite(result) && !Number.isNaN(result) && !infiniteInputs) throw outOfRange('value out of range: overflow');
  if (result === 0 && !zeroAllowed) throw outOfRange('value out of range: underflow');
  return result;
}

export function checkFloat4(result: number, infiniteInputs: boolean, zeroAllowed: boolean): number {
  const single = Math.fround(result);
  if (!Number.isFinite(single) && !Number.isNaN(single) && !infiniteInputs) throw outOfRange('value out of range: overflow');
  if (single === 0 && !zeroAllowed) throw outOfRange('value out of range: underflow');
  return single;
}

/** The session's TimeZone setting, UTC when unset. */
export function sessionZone(context: FunctionContext | undefined): string {
  return context?.setting('timezone') ?? 'UTC';
}

export function asDecimal(value: Value): Decimal {
  return value as Decimal;
}

// Fast paths of parseText (value-text.ts) for the commonest shapes of input, read straight from
// UTF-8 bytes without making a string: plain integers, plain decimals and ISO dates (YYYY-MM-DD).
// A fast path returns undefined for anything it does not handle on its own, including every input
// that would be an error, so the caller falls back to parseText and gets its exact result or error.
// Invariant: whenever a fast path returns a value, parseText on the same text returns an equal one.

import { checkDateRange, daysFromCivil, daysInMonth } from './datetime.js';
import { Decimal } from './decimal.js';
import type { DataType, Value } from './types.js';

/** Parses bytes[start, end); undefined means "not handled here, use parseText". */
export type BytesParser = (bytes: Uint8Array, start: number, end: number) => Value | undefined;

/** Digits whose value always fits a double exactly (below 2^53). */
const exactDigitsMax = 15;

const minus = 0x2d;
const plus = 0x2b;
const period = 0x2e;
const zero = 0x30;

/** The fast path for values of `type`, or undefined if it has none. */
export function bytesParserFor(type: DataType): BytesParser | undefined {
  if (type.element !== undefined) return undefined;
  switch (type.name) {
    // int2 and int4 hold every value of up to 4 and 9 digits.
    case 'int2': return (bytes, start, end) => parseSmallInteger(bytes, start, end, 4);
    case 'int4': return (bytes, start, end) => parseSmallInteger(bytes, start, end, 9);
    case 'int8': return parseBigintBytes;
    case 'numeric': {
      const { precision, scale } = type;
      return (bytes, start, end) => parseNumericBytes(bytes, start, end, precision, scale);
    }
    case 'date': return parseIsoDateBytes;
    default: return undefined;
  }
}

/** Value of the sign and digits in bytes[start, end), negated for '-'; NaN if not `[+-]digits` of at most `digitsMax` digits. */
export function signedDigits(bytes: Uint8Array, start: number, end: number, digitsMax: number): number {
  let at = start;
  const first = bytes[at];
  const negative = first === minus;
  if (negative || first === plus) at++;
  if (at >= end || end - at > digitsMax) return Number.NaN;
  let value = 0;
  for (; at < end; at++) {
    const digit = (bytes[at] as number) - zero;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return negative ? 0 - value : value;
}

function parseSmallInteger(bytes: Uint8Array, start: number, end: number, digitsMax: number): number | undefined {
  const value = signedDigits(bytes, start, end, digitsMax);
  return Number.isNaN(value) ? undefined : value;
}

function parseBigintBytes(bytes: Uint8Array, start: number, end: number): bigint | undefined {
  const value = signedDigits(bytes, start, end, exactDigitsMax);
  return Number.isNaN(value) ? undefined : BigInt(value);
}

const powersOfTen = Array.from({ length: exactDigitsMax + 1 }, (_, power) => 10 ** power);

/**
 * `[+-]digits[.digits]` with at most 15 digits in all, as Decimal.parse(text).withTypmod(precision,
 * scale) would give it; undefined when rounding or an overflow error would be needed.
 */
function parseNumericBytes(bytes: Uint8Array, start: number, end: number, precision: number | undefined, scale: number | undefined): Decimal | undefined {
  const coefficient = numericCoefficient(bytes, start, end, precision, scale);
  return Number.isNaN(coefficient) ? undefined : new Decimal(BigInt(coefficient), numericScale);
}

/** The scale of the coefficient numericCoefficient returned last (avoids allocating a pair per value). */
let numericScale = 0;

/**
 * The coefficient of `[+-]digits[.digits]` (at most 15 digits in all) at the scale numeric(precision,
 * scale) gives it (its own scale when precision is undefined), as parseNumericBytes' Decimal has
 * it; NaN when rounding or an overflow error would be needed. The scale is in `numericScale`.
 */
function numericCoefficient(bytes: Uint8Array, start: number, end: number, precision: number | undefined, scale: number | undefined): number {
  let at = start;
  const first = bytes[at];
  const negative = first === minus;
  if (negative || first === plus) at++;
  let magnitude = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte === period && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    const digit = byte - zero;
    if (digit < 0 || digit > 9) return Number.NaN;
    magnitude = magnitude * 10 + digit;
    digits++;
    if (fractionDigits >= 0) fractionDigits++;
  }
  // A whole part and, after a point, a fraction part are both required here.
  if (digits === 0 || digits > exactDigitsMax || fractionDigits === 0 || digits === fractionDigits) return Number.NaN;
  if (fractionDigits < 0) fractionDigits = 0;
  if (precision === undefined) {
    numericScale = fractionDigits;
    return negative ? 0 - magnitude : magnitude;
  }
  const targetScale = scale ?? 0;
  const widen = targetScale - fractionDigits;
  if (widen < 0 || digits + widen > exactDigitsMax) return Number.NaN;
  magnitude *= powersOfTen[widen] as number;
  // numeric(p, s) holds magnitudes (at scale s) below 10^p.
  if (precision <= exactDigitsMax && magnitude >= (powersOfTen[precision] as number)) return Number.NaN;
  numericScale = targetScale;
  return negative ? 0 - magnitude : magnitude;
}

/**
 * For numeric(precision, scale) with a precision: the coefficient at `scale` of the value in
 * bytes[start, end), exactly as parseText's Decimal would have it; NaN when the fast path does not
 * handle the text (parseText then gives the value or the error).
 */
export function parseNumericCoefficient(bytes: Uint8Array, start: number, end: number, precision: number, scale: number): number {
  return numericCoefficient(bytes, start, end, precision, scale);
}

/** `YYYY-MM-DD` naming a real date of year 1 or later; undefined for anything else. */
export function parseIsoDateBytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end - start !== 10 || bytes[start + 4] !== minus || bytes[start + 7] !== minus) return undefined;
  const year = fixedDigits(bytes, start, 4);
  const month = fixedDigits(bytes, start + 5, 2);
  const day = fixedDigits(bytes, start + 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return checkDateRange(daysFromCivil(year, month, day));
}

/** The number written by `count` digits at bytes[start], or -1 if one is not a digit. */
function fixedDigits(bytes: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let at = start; at < start + count; at++) {
    const digit = (bytes[at] as number) - zero;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

// Exact decimal numbers for SQL numeric: an arbitrary-precision integer coefficient and a decimal
// scale (value = coefficient / 10^scale), plus NaN and ±Infinity as PostgreSQL's numeric has them.
// Never converted through floating point unless a caller asks for a float.

import { SqlError, SqlState } from './errors.js';

export type DecimalSpecial = 'NaN' | 'Infinity' | '-Infinity';

function specialRank(value: Decimal): number {
  return value.special === 'NaN' ? 2 : value.special === 'Infinity' ? 1 : value.special === '-Infinity' ? -1 : 0;
}

export class Decimal {
  /** Finite values: coefficient × 10^-scale. For special values the coefficient is 0n. */
  readonly coefficient: bigint;
  readonly scale: number;
  readonly special: DecimalSpecial | undefined;

  constructor(coefficient: bigint, scale: number, special?: DecimalSpecial) {
    this.coefficient = coefficient;
    this.scale = scale;
    this.special = special;
  }

  static fromBigInt(value: bigint): Decimal {
    return new Decimal(value, 0);
  }

  /** Parses PostgreSQL numeric input: [+-]digits[.digits][e[+-]digits], NaN, [+-]Infinity. */
  static parse(text: string): Decimal {
    const plain = parsePlainDecimal(text);
    if (plain !== undefined) return plain;
    const trimmed = text.trim();
    const lower = trimmed.toLowerCase();
    if (lower === 'nan') return new Decimal(0n, 0, 'NaN');
    if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return new Decimal(0n, 0, 'Infinity');
    if (lower === '-infinity' || lower === '-inf') return new Decimal(0n, 0, '-Infinity');
    const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(trimmed);
    if (!match || (match[2] === '' && (match[3] === undefined || match[3] === ''))) {
      throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type numeric: "${text}"`);
    }
    const sign = match[1] === '-' ? -1n : 1n;
    const whole = match[2] ?? '';
    const fraction = match[3] ?? '';
    const exponent = match[4] === undefined ? 0 : Number(match[4]);
    let coefficient = BigInt((whole + fraction) || '0') * sign;
    let scale = fraction.length - exponent;
    if (scale < 0) {
      coefficient *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(coefficient, scale);
  }

  /** Rounds to `scale` digits after the point, half away from zero (a negative scale rounds left of it). */
  round(scale: number): Decimal {
    if (this.special !== undefined || scale >= this.scale) {
      if (this.special !== undefined || scale === this.scale) return this;
      return new Decimal(this.coefficient * 10n ** BigInt(scale - this.scale), scale);
    }
    const divisor = 10n ** BigInt(this.scale - scale);
    const negative = this.coefficient < 0n;
    const magnitude = negative ? -this.coefficient : this.coefficient;
    let quotient = magnitude / divisor;
    if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
    const signed = negative ? -quotient : quotient;
    if (scale >= 0) return new Decimal(signed, scale);
    return new Decimal(signed * 10n ** BigInt(-scale), 0);
  }

  /** Applies numeric(precision, scale): rounds to the scale, 22003 if the integer part does not fit. */
  withTypmod(precision: number | undefined, scale: number | undefined): Decimal {
    if (precision === undefined) return this;
    const targetScale = scale ?? 0;
    if (this.special === 'NaN') return this;
    if (this.special !== undefined) {
      throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${targetScale} cannot hold an infinite value.`,
      });
    }
    const rounded = this.round(targetScale);
    const magnitude = rounded.coefficient < 0n ? -rounded.coefficient : rounded.coefficient;
    const integerDigits = magnitude === 0n ? 0 : magnitude.toString().length - rounded.scale;
    if (integerDigits > precision - targetScale) {
      const limit = precision - targetScale;
      throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${targetScale} must round to an absolute value less than ${limit === 0 ? '1' : `10^${limit}`}.`,
      });
    }
    return rounded;
  }

  isFinite(): boolean {
    return this.special === undefined;
  }

  toString(): string {
    if (this.special !== undefined) return this.special;
    const negative = this.coefficient < 0n;
    const digits = (negative ? -this.coefficient : this.coefficient).toString();
    if (this.scale === 0) return (negative ? '-' : '') + digits;
    const padded = digits.padStart(this.scale + 1, '0');
    const point = padded.length - this.scale;
    return (negative ? '-' : '') + padded.slice(0, point) + '.' + padded.slice(point);
  }

  toNumber(): number {
    if (this.special === 'NaN') return Number.NaN;
    if (this.special === 'Infinity') return Number.POSITIVE_INFINITY;
    if (this.special === '-Infinity') return Number.NEGATIVE_INFINITY;
    return Number(this.toString());
  }

  static readonly NaN = new Decimal(0n, 0, 'NaN');
  static readonly Infinity = new Decimal(0n, 0, 'Infinity');
  static readonly NegativeInfinity = new Decimal(0n, 0, '-Infinity');
  static readonly Zero = new Decimal(0n, 0);

  /**
   * A float as numeric the way PostgreSQL converts it: through its text with `significantDigits`
   * digits (15 for float8, 6 for float4), so 0.1::float8::numeric is 0.1.
   */
  static fromNumber(value: number, significantDigits = 15): Decimal {
    if (Number.isNaN(value)) return Decimal.NaN;
    if (value === Number.POSITIVE_INFINITY) return Decimal.Infinity;
    if (value === Number.NEGATIVE_INFINITY) return Decimal.NegativeInfinity;
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return new Decimal(BigInt(value), 0);
    return Decimal.parse(trimExponentialZeros(value.toPrecision(significantDigits)));
  }

  sign(): number {
    if (this.special === 'NaN') return Number.NaN;
    if (this.special === 'Infinity') return 1;
    if (this.special === '-Infinity') return -1;
    return this.coefficient > 0n ? 1 : this.coefficient < 0n ? -1 : 0;
  }

  isZero(): boolean {
    return this.special === undefined && this.coefficient === 0n;
  }

  /** This value's coefficient at a larger (or equal) scale. */
  private coefficientAt(scale: number): bigint {
    return scale === this.scale ? this.coefficient : this.coefficient * 10n ** BigInt(scale - this.scale);
  }

  /** Total order as PostgreSQL sorts numerics: -Infinity < finite < Infinity < NaN (NaN = NaN). */
  compare(other: Decimal): number {
    if (this.special !== undefined || other.special !== undefined) {
      const rankA = specialRank(this);
      const rankB = specialRank(other);
      if (rankA !== rankB || rankA !== 0) return Math.sign(rankA - rankB);
    }
    const scale = Math.max(this.scale, other.scale);
    const a = this.coefficientAt(scale);
    const b = other.coefficientAt(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0;
  }

  neg(): Decimal {
    if (this.special === 'Infinity') return Decimal.NegativeInfinity;
    if (this.special === '-Infinity') return Decimal.Infinity;
    if (this.special === 'NaN') return this;
    return new Decimal(-this.coefficient, this.scale);
  }

  abs(): Decimal {
    return this.sign() < 0 ? this.neg() : this;
  }

  add(other: Decimal): Decimal {
    if (this.special !== undefined || other.special !== undefined) return addSpecial(this, other);
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.coefficientAt(scale) + other.coefficientAt(scale), scale);
  }

  sub(other: Decimal): Decimal {
    return this.add(other.neg());
  }

  /** Product with scale = sum of the scales, as PostgreSQL's numeric_mul displays it. */
  mul(other: Decimal): Decimal {
    if (this.special !== undefined || other.special !== undefined) {
      const sign = this.sign() * other.sign();
      if (Number.isNaN(sign) || sign === 0) return Decimal.NaN;
      return sign > 0 ? Decimal.Infinity : Decimal.NegativeInfinity;
    }
    const scale = Math.min(this.scale + other.scale, decimalDisplayScaleMax);
    const product = new Decimal(this.coefficient * other.coefficient, this.scale + other.scale);
    return product.round(scale);
  }

  /** Quotient rounded to PostgreSQL's select_div_scale (at least 16 significant digits). */
  div(other: Decimal): Decimal {
    if (other.isZero()) {
      if (this.special === 'NaN') return Decimal.NaN;
      throw new SqlError(SqlState.divisionByZero, 'division by zero');
    }
    if (this.special !== undefined || other.special !== undefined) return divSpecial(this, other);
    return this.divToScale(other, divisionScale(this, other));
  }

  /** Quotient rounded half away from zero to `scale` digits (divisor must be finite, non-zero). */
  divToScale(other: Decimal, scale: number): Decimal {
    // this / other = (a / 10^sa) / (b / 10^sb); result coefficient at `scale` = a·10^(scale+sb-sa) / b.
    const shift = scale + other.scale - this.scale;
    let numerator = this.coefficient;
    let denominator = other.coefficient;
    if (shift >= 0) numerator *= 10n ** BigInt(shift);
    else denominator *= 10n ** BigInt(-shift);
    return new Decimal(roundedQuotient(numerator, denominator), scale);
  }

  /** Quotient truncated toward zero to an integer. */
  truncDiv(other: Decimal): Decimal {
    if (other.isZero()) throw new SqlError(SqlState.divisionByZero, 'division by zero');
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.coefficientAt(scale) / other.coefficientAt(scale), 0);
  }

  /** Remainder with the dividend's sign, scale = max of the scales (PostgreSQL's numeric mod). */
  mod(other: Decimal): Decimal {
    if (other.isZero()) {
      if (this.special === 'NaN') return Decimal.NaN;
      throw new SqlError(SqlState.divisionByZero, 'division by zero');
    }
    if (this.special !== undefined || other.special === 'NaN') return Decimal.NaN;
    if (other.special !== undefined) return this;
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.coefficientAt(scale) % other.coefficientAt(scale), scale);
  }

  /** Truncates toward zero to `scale` digits (negative: left of the point). */
  trunc(scale = 0): Decimal {
    if (this.special !== undefined) return this;
    if (scale >= this.scale) return scale === this.scale ? this : new Decimal(this.coefficientAt(scale), scale);
    const divisor = 10n ** BigInt(this.scale - scale);
    const truncated = this.coefficient / divisor;
    if (scale >= 0) return new Decimal(truncated, scale);
    return new Decimal(truncated * 10n ** BigInt(-scale), 0);
  }

  floor(): Decimal {
    if (this.special !== undefined) return this;
    const divisor = 10n ** BigInt(this.scale);
    let quotient = this.coefficient / divisor;
    if (this.coefficient % divisor !== 0n && this.coefficient < 0n) quotient -= 1n;
    return new Decimal(quotient, 0);
  }

  ceil(): Decimal {
    if (this.special !== undefined) return this;
    const divisor = 10n ** BigInt(this.scale);
    let quotient = this.coefficient / divisor;
    if (this.coefficient % divisor !== 0n && this.coefficient > 0n) quotient += 1n;
    return new Decimal(quotient, 0);
  }

  /** Rounded half away from zero to an integer; undefined for NaN and infinities. */
  toBigInt(): bigint | undefined {
    if (this.special !== undefined) return undefined;
    return this.round(0).coefficient;
  }

  /** Square root with PostgreSQL's result scale (at least 16 significant digits), or at `resultScale`. */
  sqrt(resultScale?: number): Decimal {
    if (this.special === 'NaN' || this.special === 'Infinity') return this;
    if (this.sign() < 0) {
      throw new SqlError('2201F', 'cannot take square root of a negative number');
    }
    if (this.isZero()) return new Decimal(0n, this.scale);
    const weight = baseWeight(this);
    const resultWeight = Math.trunc(((weight + 1) * 4) / 2) - 1;
    const scale = resultScale ?? Math.min(Math.max(16 - resultWeight, this.scale, 0), decimalDisplayScaleMax);
    // sqrt(c / 10^s) at `scale` digits = sqrt(c · 10^(2·scale - s)) / 10^scale; one guard digit, then round.
    const exponent = 2 * (scale + 1) - this.scale;
    const radicand = exponent >= 0 ? this.coefficient * 10n ** BigInt(exponent) : this.coefficient / 10n ** BigInt(-exponent);
    const root = integerSqrt(radicand);
    return new Decimal(root, scale + 1).round(scale);
  }
}

/** numeric's largest display scale, as PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE. */
export const decimalDisplayScaleMax = 1000;

function trimExponentialZeros(text: string): string {
  const [mantissa = '', exponent] = text.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

function roundedQuotient(numerator: bigint, denominator: bigint): bigint {
  const negative = (numerator < 0n) !== (denominator < 0n);
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  if ((n % d) * 2n >= d) quotient += 1n;
  return negative ? -quotient : quotient;
}

function integerSqrt(value: bigint): bigint {
  if (value < 2n) return value;
  let x = BigInt(Math.floor(Math.sqrt(Number(value))));
  // Newton's method from the float estimate (which may be far off for huge values).
  if (x === 0n) x = 1n;
  for (;;) {
    const next = (x + value / x) >> 1n;
    if (next >= x && x * x <= value && (x + 1n) * (x + 1n) > value) return x;
    x = next;
  }
}

/**
 * PostgreSQL keeps numerics in base-10000 digits; its result-scale rules use the weight (position
 * of the first non-zero base-10000 digit) and that digit's value.
 */
function baseWeight(value: Decimal): number {
  if (value.isZero() || value.special !== undefined) return 0;
  const magnitude = value.coefficient < 0n ? -value.coefficient : value.coefficient;
  const exponent = magnitude.toString().length - 1 - value.scale;
  return Math.floor(exponent / 4);
}

function firstBaseDigit(value: Decimal, weight: number): bigint {
  if (value.isZero()) return 0n;
  const magnitude = value.coefficient < 0n ? -value.coefficient : value.coefficient;
  const shift = value.scale + 4 * weight;
  return shift >= 0 ? magnitude / 10n ** BigInt(shift) : magnitude * 10n ** BigInt(-shift);
}

function divisionScale(dividend: Decimal, divisor: Decimal): number {
  const weight1 = baseWeight(dividend);
  const weight2 = baseWeight(divisor);
  let quotientWeight = weight1 - weight2;
  if (firstBaseDigit(dividend, weight1) <= firstBaseDigit(divisor, weight2)) quotientWeight--;
  const scale = Math.max(16 - quotientWeight * 4, dividend.scale, divisor.scale, 0);
  return Math.min(scale, decimalDisplayScaleMax);
}

function addSpecial(a: Decimal, b: Decimal): Decimal {
  if (a.special === 'NaN' || b.special === 'NaN') return Decimal.NaN;
  if (a.special !== undefined && b.special !== undefined) return a.special === b.special ? a : Decimal.NaN;
  return a.special !== undefined ? a : b;
}

function divSpecial(a: Decimal, b: Decimal): Decimal {
  if (a.special === 'NaN' || b.special === 'NaN') return Decimal.NaN;
  if (a.special !== undefined && b.special !== undefined) return Decimal.NaN;
  if (b.special !== undefined) return Decimal.Zero;
  return a.sign() * b.sign() > 0 ? Decimal.Infinity : Decimal.NegativeInfinity;
}

/** Digits whose value always fits a double exactly (below 2^53). */
const plainDigitsMax = 15;

/**
 * Fast path of Decimal.parse for `[+-]digits[.digits]` with 1 to 15 digits in all (nothing to trim,
 * no exponent): the value through a double, which holds it exactly. Undefined for anything else.
 */
function parsePlainDecimal(text: string): Decimal | undefined {
  const length = text.length;
  if (length === 0 || length > plainDigitsMax + 2) return undefined;
  let at = 0;
  const first = text.charCodeAt(0);
  const negative = first === 0x2d;
  if (negative || first === 0x2b) at++;
  let magnitude = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; at < length; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x2e && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    if (code < 0x30 || code > 0x39) return undefined;
    magnitude = magnitude * 10 + (code - 0x30);
    digits++;
    if (fractionDigits >= 0) fractionDigits++;
  }
  if (digits === 0 || digits > plainDigitsMax || fractionDigits === 0 || digits === fractionDigits) return undefined;
  return new Decimal(BigInt(negative ? 0 - magnitude : magnitude), fractionDigits < 0 ? 0 : fractionDigits);
}

// Exact decimal numbers for SQL numeric: an arbitrary-precision integer coefficient and a decimal
// scale (value = coefficient / 10^scale), plus NaN and ±Infinity as PostgreSQL's numeric has them.
// Never converted through floating point unless a caller asks for a float.

import { SqlError, SqlState } from './errors.js';

export type DecimalSpecial = 'NaN' | 'Infinity' | '-Infinity';

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
}

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

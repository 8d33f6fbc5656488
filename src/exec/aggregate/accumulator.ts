// Aggregate state per group: one accumulator per aggregate call, fed argument values row by row,
// producing PostgreSQL's results (sum of integers is exact, avg of integers is numeric, NULLs are
// skipped, an empty input gives NULL except for count).

import { Decimal } from '../../common/decimal.js';
import { SqlError, SqlState } from '../../common/errors.js';
import type { Value } from '../../common/types.js';
import { comparatorFor, type Comparator } from '../../functions/compare.js';
import type { AggregateCall } from '../../sql/plan/logical-aggregate.js';
import type { SortKey } from '../../sql/plan/logical-sort.js';
import { limits } from '../../common/limits.js';

export interface Accumulator {
  add(args: readonly Value[]): void;
  result(): Value;
}

function toDecimal(value: Value): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'bigint') return Decimal.fromBigInt(value);
  if (typeof value === 'number') return Decimal.fromBigInt(BigInt(value));
  throw new SqlError(SqlState.internalError, 'internal error (a bug in Sluice): non-numeric value in a numeric aggregate');
}

class CountAccumulator implements Accumulator {
  private count = 0n;
  constructor(private readonly star: boolean) {}
  add(args: readonly Value[]): void {
    if (this.star || (args[0] ?? null) !== null) this.count++;
  }
  result(): Value { return this.count; }
}

/**
 * sum and avg over integers and numerics, exact: integers add up as numbers while the total stays
 * a safe integer, then as bigint; finite numerics add their coefficients at the largest scale seen.
 */
const smallCoefficientLimit = 2n ** 31n;

class ExactSumAccumulator implements Accumulator {
  private small = 0;
  private integral = 0n;
  private coefficient = 0n;
  /**
   * Coefficients at `scale` that fit in 32 bits, added as a number while the total stays far below
   * 2^53 (a bigint addition allocates; most numeric columns hold such coefficients).
   */
  private smallCoefficient = 0;
  private scale = 0;
  private decimal: Decimal | null = null;
  /** Rows added; a number (a bigint increment would allocate per row). */
  private count = 0;
  constructor(private readonly average: boolean, private readonly resultIsBigint: boolean) {}
  add(args: readonly Value[]): void {
    const value = args[0] ?? null;
    if (value === null) return;
    this.count++;
    if (typeof value === 'number') {
      // int2/int4 values: the number total stays exact while far below 2^53.
      if (this.small > 4e15 || this.small < -4e15) {
        this.integral += BigInt(this.small);
        this.small = 0;
      }
      this.small += value;
    } else if (typeof value === 'bigint') {
      this.integral += value;
    } else if (value instanceof Decimal && value.special === undefined) {
      const coefficient = value.coefficient;
      if (value.scale === this.scale && coefficient < smallCoefficientLimit && coefficient > -smallCoefficientLimit) {
        if (this.smallCoefficient > 4e15 || this.smallCoefficient < -4e15) {
          this.coefficient += BigInt(this.smallCoefficient);
          this.smallCoefficient = 0;
        }
        this.smallCoefficient += Number(coefficient);
      } else if (value.scale === this.scale) this.coefficient += coefficient;
      else if (value.scale < this.scale) this.coefficient += coefficient * 10n ** BigInt(this.scale - value.scale);
      else {
        const total = this.coefficient + BigInt(this.smallCoefficient);
        this.smallCoefficient = 0;
        this.coefficient = total * 10n ** BigInt(value.scale - this.scale) + coefficient;
        this.scale = value.scale;
      }
    } else {
      this.decimal = this.decimal === null ? toDecimal(value) : this.decimal.add(toDecimal(value));
    }
  }

  result(): Value {
    if (this.count === 0) return null;
    const integral = this.integral + BigInt(this.small);
    if (this.resultIsBigint) {
      if (integral > 9223372036854775807n || integral < -9223372036854775808n) {
        throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
      }
      return integral;
    }
    let total = new Decimal(this.coefficient + BigInt(this.smallCoefficient) + integral * 10n ** BigInt(this.scale), this.scale);
    if (this.decimal !== null) total = this.decimal.add(total);
    return this.average ? total.div(Decimal.fromBigInt(BigInt(this.count))) : total;
  }
}

class FloatSumAccumulator implements Accumulator {
  private sum = 0;
  private count = 0;
  constructor(private readonly average: boolean) {}
  add(args: readonly Value[]): void {
    const value = args[0] ?? null;
    if (value === null) return;
    this.sum += value as number;
    this.count++;
  }
  result(): Value {
    if (this.count === 0) return null;
    return this.average ? this.sum / this.count : this.sum;
  }
}

class ExtremeAccumulator implements Accumulator {
  private best: Value = null;
  constructor(private readonly compare: Comparator, private readonly wantMax: boolean) {}
  add(args: readonly Value[]): void {
    const value = args[0] ?? null;
    if (value === null) return;
    if (this.best === null) { this.best = value; return; }
    const order = this.compare(value, this.best);
    if (this.wantMax ? order > 0 : order < 0) this.best = value;
  }
  result(): Value { return this.best; }
}

class BoolAccumulator implements Accumulator {
  private state: boolean | null = null;
  constructor(private readonly all: boolean) {}
  add(args: readonly Value[]): void {
    const value = args[0] ?? null;
    if (value === null) return;
    this.state = this.state === null ? value === true : this.all ? this.state && value === true : this.state || value === true;
  }
  result(): Value { return this.state; }
}

class StringAggAccumulator implements Accumulator {
  private text: string | null = null;
  add(args: readonly Value[]): void {
    const value = args[0] ?? null;
    if (value === null) return;
    const delimiter = args[1] ?? null;
    this.text = this.text === null ? String(value) : this.text + (delimiter === null ? '' : String(delimiter)) + String(value);
  }
  result(): Value { return this.text; }
}

/** array_agg: every value, NULLs included, in the order the rows arrive; NULL for no rows. */
class ArrayAggAccumulator implements Accumulator {
  private readonly values: Value[] = [];
  private any = false;
  add(args: readonly Value[]): void {
    this.any = true;
    this.values.push(args[0] ?? null);
  }
  result(): Value { return this.any ? [...this.values] : null; }
}

/**
 * `agg(... ORDER BY keys)`: holds the rows' arguments (the key values come after them) and feeds
 * them to the inner accumulator in key order when the result is asked for.
 */
class OrderedAccumulator implements Accumulator {
  private readonly rows: Value[][] = [];
  constructor(private readonly inner: Accumulator, private readonly argCount: number, private readonly keys: readonly SortKey[],
    private readonly comparators: readonly Comparator[]) {}
  add(args: readonly Value[]): void {
    if (this.rows.length >= limits.sortRowsMax) {
      throw new SqlError(SqlState.programLimitExceeded, `ORDER BY in an aggregate can sort at most ${limits.sortRowsMax} rows`);
    }
    this.rows.push(args.slice());
  }
  result(): Value {
    const count = this.argCount;
    this.rows.sort((a, b) => {
      for (let i = 0; i < this.keys.length; i++) {
        const key = this.keys[i] as SortKey;
        const x = a[count + i] ?? null;
        const y = b[count + i] ?? null;
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null) === key.nullsFirst ? -1 : 1;
        }
        const order = (this.comparators[i] as Comparator)(x, y);
        if (order !== 0) return key.descending ? -order : order;
      }
      return 0;
    });
    for (const row of this.rows) this.inner.add(row.slice(0, count));
    this.rows.length = 0;
    return this.inner.result();
  }
}

/**
 * DISTINCT aggregates see each distinct argument once; NULL counts as one value, which the
 * aggregates that skip NULLs then skip (array_agg keeps it, as in PostgreSQL).
 */
class DistinctAccumulator implements Accumulator {
  private readonly seen = new Set<string>();
  constructor(private readonly inner: Accumulator) {}
  add(args: readonly Value[]): void {
    const value = args[0] ?? null;
    const key = valueKey(value);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.inner.add(args);
  }
  result(): Value { return this.inner.result(); }
}

/** A string identifying a value of a known type (for grouping and DISTINCT). */
export function valueKey(value: Value): string {
  if (value === null) return '\u0000null';
  if (typeof value === 'bigint') return `${value}`;
  if (value instanceof Uint8Array) return `\u0001${Buffer.from(value).toString('hex')}`;
  if (value instanceof Decimal) {
    const text = value.toString();
    return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  }
  if (typeof value === 'object') return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}` : v));
  return typeof value === 'string' ? `s${value}` : String(value);
}

export function createAccumulator(call: AggregateCall): Accumulator {
  const argType = call.args[0]?.type;
  const exact = argType !== undefined && ['int2', 'int4', 'int8', 'numeric'].includes(argType.name);
  let accumulator: Accumulator;
  switch (call.fn) {
    case 'count_star': return new CountAccumulator(true);
    case 'count': accumulator = new CountAccumulator(false); break;
    case 'sum': accumulator = exact ? new ExactSumAccumulator(false, call.type.name === 'int8') : new FloatSumAccumulator(false); break;
    case 'avg': accumulator = exact ? new ExactSumAccumulator(true, false) : new FloatSumAccumulator(true); break;
    case 'min': case 'max': accumulator = new ExtremeAccumulator(comparatorFor(call.type), call.fn === 'max'); break;
    case 'bool_and': case 'bool_or': accumulator = new BoolAccumulator(call.fn === 'bool_and'); break;
    case 'string_agg': accumulator = new StringAggAccumulator(); break;
    case 'array_agg': accumulator = new ArrayAggAccumulator(); break;
  }
  if (call.distinct) accumulator = new DistinctAccumulator(accumulator);
  const orderBy = call.orderBy ?? [];
  if (orderBy.length === 0) return accumulator;
  return new OrderedAccumulator(accumulator, call.args.length, orderBy, orderBy.map((key) => comparatorFor(key.expr.type)));
}

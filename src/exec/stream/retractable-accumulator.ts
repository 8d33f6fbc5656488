// Aggregate state that takes retractions as well as additions, so a continuous GROUP BY stays
// exact under updates and deletes: counts and sums subtract, min/max keep a count per distinct
// value, bool_and/bool_or count trues and falses, DISTINCT aggregates count per distinct value.
// Results match the batch accumulators (exec/aggregate/accumulator.ts) on the same rows, including
// the scale of a numeric sum (the largest scale among the values present). Float sums subtract in
// floating point, so after retractions they may differ from a fresh sum in the last bits.

import { Decimal } from '../../common/decimal.js';
import { notSupported, SqlError, SqlState } from '../../common/errors.js';
import type { Value } from '../../common/types.js';
import { comparatorFor, type Comparator } from '../../functions/compare.js';
import type { AggregateCall } from '../../sql/plan/logical-aggregate.js';
import { valueKey } from '../aggregate/accumulator.js';

export interface RetractableAccumulator {
  /** Adds (diff > 0) or retracts (diff < 0) one row's arguments, |diff| times. */
  update(args: readonly Value[], diff: number): void;
  result(): Value;
}

class CountState implements RetractableAccumulator {
  private count = 0n;
  constructor(private readonly star: boolean) {}
  update(args: readonly Value[], diff: number): void {
    if (this.star || (args[0] ?? null) !== null) this.count += BigInt(diff);
  }
  result(): Value { return this.count; }
}

/** sum/avg over integers and numerics: one exact total, and how many values of each scale it holds. */
class ExactSumState implements RetractableAccumulator {
  private total = 0n;
  private scale = 0;
  private readonly scales = new Map<number, number>();
  private count = 0;
  constructor(private readonly average: boolean, private readonly resultIsBigint: boolean) {}

  update(args: readonly Value[], diff: number): void {
    const value = args[0] ?? null;
    if (value === null) return;
    let coefficient: bigint;
    let scale = 0;
    if (typeof value === 'number') coefficient = BigInt(value);
    else if (typeof value === 'bigint') coefficient = value;
    else if (value instanceof Decimal && value.special === undefined) {
      coefficient = value.coefficient;
      scale = value.scale;
    } else {
      throw notSupported('a continuous sum over NaN or infinite numerics is not supported');
    }
    if (scale > this.scale) {
      this.total *= 10n ** BigInt(scale - this.scale);
      this.scale = scale;
    }
    this.total += coefficient * 10n ** BigInt(this.scale - scale) * BigInt(diff);
    this.count += diff;
    const present = (this.scales.get(scale) ?? 0) + diff;
    if (present === 0) this.scales.delete(scale);
    else this.scales.set(scale, present);
  }

  result(): Value {
    if (this.count <= 0) return null;
    if (this.resultIsBigint) {
      const integral = this.total;
      if (integral > 9223372036854775807n || integral < -9223372036854775808n) {
        throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
      }
      return integral;
    }
    const shownScale = Math.max(0, ...this.scales.keys());
    const total = new Decimal(this.total / 10n ** BigInt(this.scale - shownScale), shownScale);
    return this.average ? total.div(Decimal.fromBigInt(BigInt(this.count))) : total;
  }
}

class FloatSumState implements RetractableAccumulator {
  private sum = 0;
  private count = 0;
  constructor(private readonly average: boolean) {}
  update(args: readonly Value[], diff: number): void {
    const value = args[0] ?? null;
    if (value === null) return;
    this.sum += (value as number) * diff;
    this.count += diff;
  }
  result(): Value {
    if (this.count <= 0) return null;
    return this.average ? this.sum / this.count : this.sum;
  }
}

/**
 * min/max: a count per distinct value; the extreme is recomputed only when it goes away. A count
 * may go below zero for a while (a delta join's terms may retract a row before they add it), so
 * only values whose count is positive take part.
 */
class ExtremeState implements RetractableAccumulator {
  private readonly values = new Map<string, { value: Value; count: number }>();
  private best: Value = null;
  private stale = false;
  constructor(private readonly compare: Comparator, private readonly wantMax: boolean) {}

  update(args: readonly Value[], diff: number): void {
    const value = args[0] ?? null;
    if (value === null) return;
    const key = valueKey(value);
    const entry = this.values.get(key);
    const before = entry?.count ?? 0;
    const count = before + diff;
    if (count === 0) this.values.delete(key);
    else if (entry === undefined) this.values.set(key, { value, count });
    else entry.count = count;
    if (before > 0 && count <= 0 && this.best !== null && valueKey(this.best) === key) this.stale = true;
    if (before <= 0 && count > 0 && !this.stale && (this.best === null || this.better(value, this.best))) this.best = value;
  }

  private better(a: Value, b: Value): boolean {
    const order = this.compare(a, b);
    return this.wantMax ? order > 0 : order < 0;
  }

  result(): Value {
    if (this.stale) {
      this.best = null;
      for (const { value, count } of this.values.values()) if (count > 0 && (this.best === null || this.better(value, this.best))) this.best = value;
      this.stale = false;
    }
    return this.best;
  }
}

class BoolState implements RetractableAccumulator {
  private trues = 0;
  private falses = 0;
  constructor(private readonly all: boolean) {}
  update(args: readonly Value[], diff: number): void {
    const value = args[0] ?? null;
    if (value === true) this.trues += diff;
    else if (value === false) this.falses += diff;
  }
  result(): Value {
    if (this.trues <= 0 && this.falses <= 0) return null;
    return this.all ? this.falses <= 0 : this.trues > 0;
  }
}

/** DISTINCT: the inner state sees a value when its count turns positive, and loses it when it no longer is (counts may dip below zero for a while). */
class DistinctState implements RetractableAccumulator {
  private readonly counts = new Map<string, number>();
  constructor(private readonly inner: RetractableAccumulator) {}
  update(args: readonly Value[], diff: number): void {
    const value = args[0] ?? null;
    if (value === null) return;
    const key = valueKey(value);
    const before = this.counts.get(key) ?? 0;
    const after = before + diff;
    if (after === 0) this.counts.delete(key);
    else this.counts.set(key, after);
    if (before <= 0 && after > 0) this.inner.update(args, 1);
    else if (before > 0 && after <= 0) this.inner.update(args, -1);
  }
  result(): Value { return this.inner.result(); }
}

export function createRetractableAccumulator(call: AggregateCall): RetractableAccumulator {
  const argType = call.args[0]?.type;
  const exact = argType !== undefined && ['int2', 'int4', 'int8', 'numeric'].includes(argType.name);
  let state: RetractableAccumulator;
  switch (call.fn) {
    case 'count_star': return new CountState(true);
    case 'count': state = new CountState(false); break;
    case 'sum': state = exact ? new ExactSumState(false, call.type.name === 'int8') : new FloatSumState(false); break;
    case 'avg': state = exact ? new ExactSumState(true, false) : new FloatSumState(true); break;
    case 'min': case 'max': state = new ExtremeState(comparatorFor(call.type), call.fn === 'max'); break;
    case 'bool_and': case 'bool_or': state = new BoolState(call.fn === 'bool_and'); break;
    case 'string_agg': throw notSupported('string_agg is not supported in a continuous query (its result depends on row order)');
    default: throw notSupported(`aggregate ${String(call.fn)} is not supported in a continuous query`);
  }
  return call.distinct ? new DistinctState(state) : state;
}

/** Throws 0A000 if the aggregate cannot be maintained incrementally. */
export function checkRetractable(call: AggregateCall): void {
  createRetractableAccumulator(call);
}

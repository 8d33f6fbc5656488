// Aggregate accumulators: exact sums across scales and past 2^53, averages with PostgreSQL's
// scale, NULLs skipped, DISTINCT; retractable ones under retractions that come before additions.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/common/decimal.js';
import { Types, type DataType } from '../../src/common/types.js';
import { createAccumulator } from '../../src/exec/aggregate/accumulator.js';
import { createRetractableAccumulator } from '../../src/exec/stream/retractable-accumulator.js';
import type { AggregateCall, AggregateFunction } from '../../src/sql/plan/logical-aggregate.js';

function call(fn: AggregateFunction, argType: DataType, type: DataType, distinct = false): AggregateCall {
  return { fn, args: [{ kind: 'Column', type: argType, index: 0, name: 'x' }], distinct, type };
}

describe('accumulators', () => {
  it('sums numerics of different scales exactly', () => {
    const sum = createAccumulator(call('sum', Types.numeric, Types.numeric));
    for (const text of ['1.5', '0.25', '100', null, '-0.125']) sum.add([text === null ? null : Decimal.parse(text)]);
    expect(String(sum.result())).toBe('101.625');
  });

  it('sums numerics exactly across the move of small coefficients into the bigint total, with scales and large coefficients mixed in', () => {
    const sum = createAccumulator(call('sum', Types.numeric, Types.numeric));
    const avg = createAccumulator(call('avg', Types.numeric, Types.numeric));
    // Coefficients just under 2^31 at scale 2: their number total moves into the bigint one past 4e15
    // (about 1.9 million rows), short of 2^53 where a number would lose digits.
    const near = Array.from({ length: 7 }, (_, i) => new Decimal(2_147_483_647n - BigInt(i), 2));
    const rows = 2_100_000;
    for (let i = 0; i < rows; i++) {
      sum.add([near[i % 7]!]);
      avg.add([near[i % 7]!]);
    }
    const tail = [new Decimal(123_456_789_012_345_678n, 2), Decimal.parse('0.001'), new Decimal(-(2n ** 31n), 3), Decimal.parse('-5')];
    let expected = 0n;
    for (let i = 0; i < 7; i++) expected += BigInt(rows / 7) * (2_147_483_647n - BigInt(i)) * 10n;
    for (const value of tail) {
      sum.add([value]);
      avg.add([value]);
      expected += value.coefficient * 10n ** BigInt(3 - value.scale);
    }
    expect(String(sum.result())).toBe(String(new Decimal(expected, 3)));
    expect(String(avg.result())).toBe(String(new Decimal(expected, 3).div(Decimal.fromBigInt(BigInt(rows + tail.length)))));
  });

  it('sums integers past 2^53 exactly into bigint', () => {
    const sum = createAccumulator(call('sum', Types.int4, Types.int8));
    for (let i = 0; i < 3_000_000; i++) sum.add([2_147_483_647]);
    expect(sum.result()).toBe(2_147_483_647n * 3_000_000n);
  });

  it('averages integers as numeric and skips NULLs', () => {
    const avg = createAccumulator(call('avg', Types.int4, Types.numeric));
    for (const value of [1, 2, null, 4]) avg.add([value]);
    expect(String(avg.result())).toBe('2.3333333333333333');
    const empty = createAccumulator(call('avg', Types.int4, Types.numeric));
    expect(empty.result()).toBeNull();
  });

  it('counts distinct values once', () => {
    const count = createAccumulator(call('count', Types.numeric, Types.int8, true));
    for (const text of ['1.0', '1.00', '2', '1']) count.add([Decimal.parse(text)]);
    expect(count.result()).toBe(2n);
  });
});

describe('retractable accumulators', () => {
  it('keep max, min and DISTINCT exact when a value is retracted before it is added', () => {
    // A delta join's terms may retract a joined row before they add it; the net change is nothing.
    const max = createRetractableAccumulator(call('max', Types.int4, Types.int4));
    max.update([10], 1);
    max.update([27], -1);
    max.update([27], 1);
    expect(max.result()).toBe(10);
    max.update([5], -1);
    max.update([30], 1);
    max.update([30], -1);
    expect(max.result()).toBe(10);
    max.update([5], 1);
    max.update([10], -1);
    expect(max.result()).toBe(null);
    const min = createRetractableAccumulator(call('min', Types.int4, Types.int4));
    min.update([3], -1);
    min.update([7], 1);
    expect(min.result()).toBe(7);
    min.update([3], 1);
    expect(min.result()).toBe(7);
    const distinct = createRetractableAccumulator(call('count', Types.int4, Types.int8, true));
    distinct.update([1], -1);
    distinct.update([1], 1);
    distinct.update([2], 1);
    expect(distinct.result()).toBe(1n);
  });
});

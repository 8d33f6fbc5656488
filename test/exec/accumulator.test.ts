// Aggregate accumulators: exact sums across scales and past 2^53, averages with PostgreSQL's
// scale, NULLs skipped, DISTINCT.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/common/decimal.js';
import { Types, type DataType } from '../../src/common/types.js';
import { createAccumulator } from '../../src/exec/aggregate/accumulator.js';
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

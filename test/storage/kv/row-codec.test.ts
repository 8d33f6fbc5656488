// Row codec: every storable type round-trips exactly (Decimal scale, big coefficients, NaN, -0,
// ±Infinity dates, bytes, non-ASCII and long text), NULLs in any position, rows written before
// ADD COLUMN read the new columns as NULL, and damaged rows are XX001.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/common/decimal.js';
import type { DataType, Value } from '../../../src/common/types.js';
import { RowCodec } from '../../../src/storage/kv/row-codec.js';
import { allTypes, comparable, randomValue, seededRandom } from '../log/log-test-support.js';

const extraTypes: readonly DataType[] = [{ name: 'time' }, { name: 'bpchar', precision: 3 }, { name: 'json' }];

describe('row codec', () => {
  it('round-trips random rows of every type', () => {
    const types = [...allTypes, ...extraTypes];
    const codec = new RowCodec(types);
    const random = seededRandom(7);
    for (let trial = 0; trial < 2000; trial++) {
      const row = types.map((type) => {
        if (type.name === 'time') return random() < 0.1 ? null : BigInt(Math.floor(random() * 86_400_000_000));
        if (type.name === 'bpchar') return random() < 0.1 ? null : 'ab ';
        if (type.name === 'json') return random() < 0.1 ? null : '{"b": 1, "a": [2]}';
        return randomValue(type, random, 0.2);
      });
      const decoded = codec.decode(codec.encode(row));
      expect(decoded.map(comparable)).toEqual(row.map(comparable));
    }
  });

  it('keeps edge values exactly', () => {
    const types: DataType[] = [{ name: 'numeric' }, { name: 'numeric' }, { name: 'float8' }, { name: 'float4' }, { name: 'date' }, { name: 'date' }, { name: 'text' }, { name: 'bytea' }, { name: 'int8' }];
    const codec = new RowCodec(types);
    const row: Value[] = [
      new Decimal(-(10n ** 40n) - 7n, 12), new Decimal(1250n, 2), -0, NaN, Infinity, -Infinity, 'ü'.repeat(5000) + '\u0000', new Uint8Array([0, 1, 255]), -(2n ** 63n),
    ];
    const decoded = codec.decode(codec.encode(row));
    expect(decoded.map(comparable)).toEqual(row.map(comparable));
    expect((decoded[1] as Decimal).scale).toBe(2);
  });

  it('encodes an all-NULL row and rows with many columns', () => {
    const types: DataType[] = Array.from({ length: 37 }, (_, index) => (index % 2 === 0 ? { name: 'int4' } : { name: 'text' }));
    const codec = new RowCodec(types);
    const nulls = types.map(() => null);
    expect(codec.decode(codec.encode(nulls))).toEqual(nulls);
    const mixed = types.map((type, index) => (index % 3 === 0 ? null : type.name === 'int4' ? index : `t${index}`));
    expect(codec.decode(codec.encode(mixed))).toEqual(mixed);
  });

  it('reads rows written before ADD COLUMN with NULL in the added columns', () => {
    const old = new RowCodec([{ name: 'int8' }, { name: 'text' }]);
    const evolved = new RowCodec([{ name: 'int8' }, { name: 'text' }, { name: 'int4' }, { name: 'text' }]);
    expect(evolved.decode(old.encode([5n, 'x']))).toEqual([5n, 'x', null, null]);
  });

  it('reports damaged rows as XX001', () => {
    const codec = new RowCodec([{ name: 'int8' }, { name: 'text' }, { name: 'numeric' }]);
    const bytes = codec.encode([1n, 'hello', new Decimal(5n, 1)]);
    for (const damaged of [bytes.subarray(0, 1), bytes.subarray(0, bytes.byteLength - 1), Buffer.concat([bytes, Buffer.from([0])])]) {
      expect(() => codec.decode(damaged)).toThrowError(expect.objectContaining({ code: 'XX001' }) as Error);
    }
    const tooWide = new RowCodec([{ name: 'int8' }, { name: 'text' }, { name: 'numeric' }, { name: 'int4' }]).encode([1n, 'a', null, 3]);
    expect(() => codec.decode(tooWide)).toThrowError(expect.objectContaining({ code: 'XX001' }) as Error);
  });
});

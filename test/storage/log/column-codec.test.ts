// Values → Arrow buffers → Values for every storable type, including NULLs, special values and
// row ranges; unsupported types are refused.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/common/decimal.js';
import { SqlError } from '../../../src/common/errors.js';
import type { Value } from '../../../src/common/types.js';
import { columnKind, concatColumns, decodeColumn, encodeColumn, paddedLength } from '../../../src/storage/log/column-codec.js';
import { allTypes, comparable, randomValue, seededRandom } from './log-test-support.js';

function bodyOf(buffers: readonly Uint8Array[]): Uint8Array {
  const body = new Uint8Array(buffers.reduce((total, buffer) => total + paddedLength(buffer.byteLength), 0));
  let position = 0;
  for (const buffer of buffers) {
    body.set(buffer, position);
    position += paddedLength(buffer.byteLength);
  }
  return body;
}

describe('column codec', () => {
  for (const type of allTypes) {
    it(`round-trips ${type.name}${type.precision === undefined ? '' : `(${type.precision})`}`, () => {
      const random = seededRandom(type.name.length * 1000 + (type.precision ?? 0));
      for (const rowCount of [1, 7, 8, 9, 300]) {
        const values: Value[] = Array.from({ length: rowCount }, () => randomValue(type, random, 0.2));
        const kind = columnKind(type);
        const encoded = encodeColumn(kind, values, rowCount, type);
        expect(encoded.nullCount).toBe(values.filter((value) => value === null).length);
        const body = bodyOf(encoded.buffers);
        expect(decodeColumn(kind, type, body, rowCount, encoded.nullCount, 0, rowCount).map(comparable)).toEqual(values.map(comparable));
        const from = Math.floor(rowCount / 3);
        expect(decodeColumn(kind, type, body, rowCount, encoded.nullCount, from, rowCount).map(comparable))
          .toEqual(values.slice(from).map(comparable));
      }
    });
  }

  for (const type of allTypes) {
    it(`joins encoded parts of ${type.name}${type.precision === undefined ? '' : `(${type.precision})`} as one encoding of all their values`, () => {
      const random = seededRandom(type.name.length * 7 + (type.precision ?? 0));
      const kind = columnKind(type);
      for (const sizes of [[1], [3, 5], [8, 8, 1], [0, 13, 7, 300], [9, 0]]) {
        const nullShare = sizes.length === 2 ? 0 : 0.2;
        const partValues = sizes.map((size) => Array.from({ length: size }, () => randomValue(type, random, nullShare)));
        const joined = concatColumns(kind, partValues.map((values) => ({ column: encodeColumn(kind, values, values.length, type), rowCount: values.length })));
        const all = partValues.flat();
        expect(joined.nullCount).toBe(all.filter((value) => value === null).length);
        expect(decodeColumn(kind, type, bodyOf(joined.buffers), all.length, joined.nullCount, 0, all.length).map(comparable)).toEqual(all.map(comparable));
      }
    });
  }

  it('stores numeric(p ≤ 38) at the column scale', () => {
    const type = { name: 'numeric', precision: 10, scale: 3 } as const;
    const encoded = encodeColumn('decimal128', [new Decimal(15n, 1), new Decimal(-2500n, 3)], 2, type);
    const decoded = decodeColumn('decimal128', type, bodyOf(encoded.buffers), 2, 0, 0, 2);
    expect(decoded.map(String)).toEqual(['1.500', '-2.500']);
    expect(() => encodeColumn('decimal128', [new Decimal(12345n, 4)], 1, type)).toThrow(/not rounded/);
  });

  it('refuses types a log cannot store', () => {
    expect(() => columnKind({ name: 'time' })).toThrow(SqlError);
    expect(() => columnKind({ name: 'int4', element: { name: 'int4' } })).toThrow(SqlError);
  });
});

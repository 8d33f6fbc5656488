// Log columns filled from the text of rows' fields (FieldColumns, COPY into a log table) give the
// bytes the Values parseText makes of the same texts give, encoded in parts and joined as the COPY
// sink joins them (EncodedBatch.encode, concat): seeded random rows of every column type
// FieldColumns reads, NULLs, and fields it leaves to parseText (those rows then go in as Values
// between the field parts, as the COPY sink adds them).

import { describe, expect, it } from 'vitest';
import type { DataType, Value } from '../../../src/common/types.js';
import { parseText } from '../../../src/common/value-text.js';
import type { EncodedColumn } from '../../../src/storage/log/column-codec.js';
import { EncodedBatch } from '../../../src/storage/log/encoded-batch.js';
import { FieldColumns, fieldColumnsTake } from '../../../src/storage/log/field-columns.js';
import { comparable, seededRandom } from './log-test-support.js';

type Random = () => number;

const types: DataType[] = [
  { name: 'int8' }, { name: 'int4' }, { name: 'numeric', precision: 15, scale: 2 }, { name: 'date' }, { name: 'text' },
  { name: 'int2' }, { name: 'text' },
];

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** The text of a field of `type`: mostly shapes FieldColumns parses, some it leaves to parseText. */
function fieldText(random: Random, type: DataType): string {
  const odd = random() < 0.03;
  const sign = random() < 0.3 ? '-' : random() < 0.1 ? '+' : '';
  switch (type.name) {
    case 'int2': return odd ? pick(random, [' 12', '32767', '-32768']) : `${sign}${Math.floor(random() * 9999)}`;
    case 'int4': return odd ? '2147483647' : `${sign}${Math.floor(random() * 999_999_999)}`;
    case 'int8': return odd ? '9223372036854775807' : `${sign}${Math.floor(random() * 1e15)}`;
    case 'date': return odd ? pick(random, ['2024-1-5', '5874897-12-31']) : `${1 + Math.floor(random() * 9998)}`.padStart(4, '0') + `-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
    case 'numeric': return odd ? pick(random, ['1e3', '12.345', 'NaN']) : pick(random, [`${sign}${Math.floor(random() * 1e10)}.${Math.floor(random() * 100)}`, `${sign}0.5`, '7', '-0', '9999999999999.99']);
    default: return Array.from({ length: Math.floor(random() * 60) }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');
  }
}

/** The fields of a line as the COPY decoder hands them over: one buffer, starts, ends, NULL flags. */
function fieldsOf(line: readonly (string | null)[]): [Buffer, Int32Array, Int32Array, Uint8Array] {
  const texts = line.map((text) => text ?? '\\N');
  const bytes = Buffer.from(`x\t${texts.join('\t')}`, 'latin1');
  const starts = new Int32Array(line.length);
  const ends = new Int32Array(line.length);
  const nulls = new Uint8Array(line.length);
  let at = 2;
  texts.forEach((text, index) => {
    starts[index] = at;
    ends[index] = at + text.length;
    nulls[index] = line[index] === null ? 1 : 0;
    at += text.length + 1;
  });
  return [bytes, starts, ends, nulls];
}

function bytesOf(batch: EncodedBatch): string[][] {
  return batch.encoded.map((column: EncodedColumn) => [String(column.nullCount), ...column.buffers.map((buffer) => Buffer.from(buffer).toString('hex'))]);
}

describe('field columns', () => {
  it('clear the validity bits past the last row, as joined parts have them', () => {
    const columns = new FieldColumns([{ name: 'int4' }]);
    const [bytes, starts, ends, nulls] = fieldsOf(['7']);
    for (const null_ of [0, 1, 0]) {
      nulls[0] = null_;
      expect(columns.add(bytes, starts, ends, nulls)).toBe(true);
    }
    const batch = columns.take()!;
    expect(batch.encoded[0]!.buffers[0]).toEqual(new Uint8Array([0b101]));
    expect(batch.columns[0]).toEqual([7, null, 7]);
  });

  it('take every column type the log COPY reads from text', () => {
    expect(fieldColumnsTake(types)).toBe(true);
    expect(fieldColumnsTake([{ name: 'int4' }, { name: 'bool' }])).toBe(false);
    expect(fieldColumnsTake([{ name: 'numeric' }])).toBe(false);
    expect(fieldColumnsTake([])).toBe(false);
  });

  it('encode rows added as fields exactly as the same rows encoded from their Values', () => {
    const random = seededRandom(21);
    const columns = new FieldColumns(types);
    const parts: EncodedBatch[] = [];
    const all: Value[][] = [];
    let taken = 0;
    for (let index = 0; index < 6000; index++) {
      const line = types.map((type) => (random() < 0.1 ? null : fieldText(random, type)));
      let values: Value[];
      try {
        values = line.map((text, column) => (text === null ? null : parseText(types[column]!, text)));
      } catch {
        const [bytes, starts, ends, nulls] = fieldsOf(line);
        expect(columns.add(bytes, starts, ends, nulls)).toBe(false);
        continue;
      }
      all.push(values);
      const [bytes, starts, ends, nulls] = fieldsOf(line);
      if (columns.add(bytes, starts, ends, nulls)) {
        taken++;
        if (random() < 0.01) parts.push(columns.take()!);
      } else {
        const part = columns.take();
        if (part !== null) parts.push(part);
        parts.push(EncodedBatch.encode(types, types.map((_, column) => [values[column]!]), 1));
      }
    }
    const part = columns.take();
    if (part !== null) parts.push(part);
    expect(columns.take()).toBeNull();
    expect(taken).toBeGreaterThan(all.length / 2);
    expect(taken).toBeLessThan(all.length);
    const joined = EncodedBatch.concat(parts);
    const valueParts: EncodedBatch[] = [];
    for (let from = 0; from < all.length; from += 256) {
      const rows = all.slice(from, from + 256);
      valueParts.push(EncodedBatch.encode(types, types.map((_, column) => rows.map((row) => row[column]!)), rows.length));
    }
    const expected = EncodedBatch.concat(valueParts);
    expect(joined.rowCount).toBe(all.length);
    expect(bytesOf(joined)).toEqual(bytesOf(expected));
    expect(joined.columns.map((column) => column.map(comparable))).toEqual(expected.columns.map((column) => column.map(comparable)));
  });
});

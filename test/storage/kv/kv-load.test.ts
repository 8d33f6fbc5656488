// A KV load's two ways in give the same bytes: rows added as the text of their fields (addFields,
// parsed straight into keys, rows and log columns) and the same rows added as the Values parseText
// makes of those texts (add). Seeded random rows of every column type addFields reads, NULLs,
// fields it leaves to parseText (then added as Values, as the COPY decoder does), over several
// chunks, with keys ascending or not.

import { describe, expect, it } from 'vitest';
import { limits } from '../../../src/common/limits.js';
import type { DataType, Value } from '../../../src/common/types.js';
import { parseText } from '../../../src/common/value-text.js';
import { chunkKey, chunkRow, type LoadChunk } from '../../../src/storage/kv/kv-load.js';
import type { KvSchema } from '../../../src/storage/kv/kv-tablet.js';
import { comparable, seededRandom } from '../log/log-test-support.js';
import { openTablet, withTempDir } from './kv-test-support.js';

type Random = () => number;

const schema: KvSchema = {
  columns: [
    { name: 'region', type: { name: 'text' } }, { name: 'id', type: { name: 'int8' } }, { name: 'small', type: { name: 'int2' } },
    { name: 'count', type: { name: 'int4' } }, { name: 'day', type: { name: 'date' } },
    { name: 'price', type: { name: 'numeric', precision: 15, scale: 2 } }, { name: 'note', type: { name: 'text' } },
  ],
  primaryKey: [0, 1],
  mergeEngine: 'last_row',
  changelogImage: 'full',
};

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** The text of a field of `type`: mostly shapes addFields parses, some it leaves to parseText. */
function fieldText(random: Random, type: DataType): string {
  const odd = random() < 0.05;
  const sign = random() < 0.3 ? '-' : random() < 0.1 ? '+' : '';
  switch (type.name) {
    case 'int2': return odd ? ' 12' : `${sign}${Math.floor(random() * 9999)}`;
    case 'int4': return odd ? '2147483647' : `${sign}${Math.floor(random() * 999_999_999)}`;
    case 'int8': return odd ? '9223372036854775807' : `${sign}${Math.floor(random() * 1e14)}`;
    case 'date': return odd ? '2024-1-5' : `${1 + Math.floor(random() * 9998)}`.padStart(4, '0') + `-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
    case 'numeric': return odd ? pick(random, ['1e3', '12.345', 'NaN']) : pick(random, [`${sign}${Math.floor(random() * 1e10)}.${Math.floor(random() * 100)}`, `${sign}0.5`, '7', '-0']);
    default: return odd ? '' : Array.from({ length: Math.floor(random() * 90) }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('').replaceAll('\t', ' ');
  }
}

function randomLine(random: Random, index: number, ascending: boolean): (string | null)[] {
  return schema.columns.map((column, position) => {
    if (position === 0) return ascending ? 'r' : pick(random, ['a', 'b', 'r']);
    if (position === 1) return ascending ? String(index) : String(Math.floor(random() * 2 ** 40) - 2 ** 39);
    return random() < 0.1 ? null : fieldText(random, column.type);
  });
}

/** The fields of a line as the COPY decoder hands them over: one buffer, starts, ends, NULL flags. */
function fieldsOf(line: readonly (string | null)[]): [Buffer, Int32Array, Int32Array, Uint8Array] {
  const texts = line.map((text) => text ?? '\\N');
  const bytes = Buffer.from(texts.join('\t'), 'latin1');
  const starts = new Int32Array(line.length);
  const ends = new Int32Array(line.length);
  const nulls = new Uint8Array(line.length);
  let at = 0;
  texts.forEach((text, index) => {
    starts[index] = at;
    ends[index] = at + text.length;
    nulls[index] = line[index] === null ? 1 : 0;
    at += text.length + 1;
  });
  return [bytes, starts, ends, nulls];
}

function valuesOf(line: readonly (string | null)[]): Value[] {
  return line.map((text, index) => (text === null ? null : parseText(schema.columns[index]!.type, text)));
}

function summary(chunks: readonly LoadChunk[]): unknown[] {
  return chunks.map((chunk) => ({
    keys: Array.from({ length: chunk.rowCount }, (_, index) => chunkKey(chunk, index).toString('hex')),
    rows: Array.from({ length: chunk.rowCount }, (_, index) => chunkRow(chunk, index).toString('hex')),
    log: chunk.log.columns.map((column) => column.map(comparable)),
  }));
}

describe('KV load', () => {
  for (const ascending of [true, false]) {
    it(`encodes rows added as fields exactly as rows added as Values (${ascending ? 'ascending' : 'random'} keys)`, async () => {
      await withTempDir(async (dir) => {
        const opened = await openTablet(dir, schema);
        const random = seededRandom(ascending ? 11 : 12);
        const byFields = opened.tablet.startLoad();
        const byValues = opened.tablet.startLoad();
        expect(byFields.takesFields).toBe(true);
        let taken = 0;
        const rowCount = limits.commitAppendRecordsMax * 2 + 500;
        for (let index = 0; index < rowCount; index++) {
          const line = randomLine(random, index, ascending);
          let values: Value[];
          try {
            values = valuesOf(line);
          } catch {
            continue;
          }
          const [bytes, starts, ends, nulls] = fieldsOf(line);
          if (byFields.addFields(bytes, starts, ends, nulls)) taken++;
          else byFields.add([values]);
          byValues.add([values]);
        }
        expect(taken).toBeGreaterThan(rowCount / 2);
        expect(taken).toBeLessThan(byValues.rowCount);
        expect(byFields.rowCount).toBe(byValues.rowCount);
        expect(byFields.ascending).toBe(ascending);
        expect(byValues.ascending).toBe(ascending);
        const fieldChunks = byFields.finish();
        expect(fieldChunks.length).toBe(3);
        expect(summary(fieldChunks)).toEqual(summary(byValues.finish()));
        await opened.close();
      });
    });
  }
});

// Batches encoded ahead of their append (COPY into log tables): joined parts read back as the rows
// they hold, the log appends them without decoding their columns, and a batch encoded for a schema
// that has changed since is appended from its decoded values.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/common/types.js';
import { EncodedBatch } from '../../../src/storage/log/encoded-batch.js';
import type { LogSchema } from '../../../src/storage/log/log-schema.js';
import { LogTablet } from '../../../src/storage/log/log-tablet.js';
import { allTypes, comparable, randomValue, readRows, seededRandom, withTempDir } from './log-test-support.js';

function randomColumns(rowCount: number, random: () => number): Value[][] {
  return allTypes.map((type) => Array.from({ length: rowCount }, () => randomValue(type, random, 0.2)));
}

function rowsOf(columns: readonly (readonly Value[])[], rowCount: number): unknown[][] {
  return Array.from({ length: rowCount }, (_, row) => columns.map((column) => comparable(column[row] ?? null)));
}

describe('encoded batches', () => {
  it('are appended as encoded, without decoding, and read back as their rows', async () => {
    await withTempDir(async (dir) => {
      const random = seededRandom(5);
      const schema: LogSchema = { schemaId: 1, columns: allTypes.map((type, index) => ({ name: `c${index}`, type })) };
      const tablet = await LogTablet.open(join(dir, 'log'), schema);
      const parts = [13, 0, 40, 7].map((rowCount) => ({ rowCount, columns: randomColumns(rowCount, random) }));
      const batch = EncodedBatch.concat(parts.map((part) => EncodedBatch.encode(allTypes, part.columns, part.rowCount)));
      expect(batch.rowCount).toBe(60);
      await tablet.append(batch, { commitTimestampMs: 1, commitSequence: 1n });
      expect(Reflect.get(batch, 'decoded')).toBeUndefined();
      const expected = parts.flatMap((part) => rowsOf(part.columns, part.rowCount));
      expect((await readRows(tablet, 0n)).rows).toEqual(expected);
      expect(rowsOf(batch.columns, batch.rowCount)).toEqual(expected);
      await tablet.close();
    });
  });

  it('are appended from their values when the schema encodes a column otherwise', async () => {
    await withTempDir(async (dir) => {
      const types = [{ name: 'int8' }, { name: 'numeric', precision: 10, scale: 1 }] as const;
      const tablet = await LogTablet.open(join(dir, 'log'), { schemaId: 1, columns: [{ name: 'a', type: types[0] }, { name: 'b', type: { name: 'numeric' } }] });
      const random = seededRandom(9);
      const columns = types.map((type) => Array.from({ length: 5 }, () => randomValue(type, random, 0)));
      const batch = EncodedBatch.encode(types, columns, 5);
      expect(batch.encodesAs([types[0], { name: 'numeric' }])).toBe(false);
      await tablet.append(batch, { commitTimestampMs: 1, commitSequence: 1n });
      expect((await readRows(tablet, 0n)).rows).toEqual(rowsOf(columns, 5));
      await tablet.close();
    });
  });
});

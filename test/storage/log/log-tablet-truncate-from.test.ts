// truncateFrom: cutting the tail of batches (at a boundary inside a segment, at a segment boundary,
// everything) leaves a log whose reads, appends, offsets and reopen agree with the cut; a cut inside
// a batch or outside the stored offsets is refused.

import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/common/errors.js';
import type { LogSchema } from '../../../src/storage/log/log-schema.js';
import { LogTablet } from '../../../src/storage/log/log-tablet.js';
import { readRows, withTempDir } from './log-test-support.js';

const schema: LogSchema = { schemaId: 1, columns: [{ name: 'id', type: { name: 'int8' } }, { name: 'name', type: { name: 'text' } }] };

async function appendBatches(tablet: LogTablet, from: number, batches: number): Promise<void> {
  for (let batch = 0; batch < batches; batch++) {
    const ids = Array.from({ length: 10 }, (_, row) => from + batch * 10 + row);
    await tablet.append(
      { rowCount: 10, columns: [ids.map(BigInt), ids.map((id) => `row ${id}`)] },
      { commitTimestampMs: 1000 + from + batch, commitSequence: BigInt(from + batch) },
    );
  }
  await tablet.sync();
}

function ids(rows: unknown[][]): unknown[] {
  return rows.map((row) => row[0]);
}

function expected(count: number): unknown[] {
  return Array.from({ length: count }, (_, id) => `bigint:${id}`);
}

describe('LogTablet.truncateFrom', () => {
  for (const cut of [0, 30, 70, 100, 190]) {
    it(`cuts at offset ${cut} across several segments, then appends and reopens`, async () => {
      await withTempDir(async (dir) => {
        let tablet = await LogTablet.open(dir, schema, { segmentBytes: 2000 });
        await appendBatches(tablet, 0, 20);
        expect(tablet.segmentCount).toBeGreaterThan(2);
        await tablet.truncateFrom(BigInt(cut));
        expect(tablet.endOffset).toBe(BigInt(cut));
        expect(ids((await readRows(tablet, 0n)).rows)).toEqual(expected(cut));
        await appendBatches(tablet, cut, 3);
        expect(ids((await readRows(tablet, 0n)).rows)).toEqual(expected(cut + 30));
        await tablet.close();
        tablet = await LogTablet.open(dir, schema, { segmentBytes: 2000 });
        expect(tablet.endOffset).toBe(BigInt(cut + 30));
        expect(ids((await readRows(tablet, 0n)).rows)).toEqual(expected(cut + 30));
        expect(await tablet.offsetForTimestamp(1000 + cut)).toBe(BigInt(cut));
        await tablet.close();
      });
    });
  }

  it('keeps the log unchanged when cutting at the end offset', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(dir, schema);
      await appendBatches(tablet, 0, 3);
      await tablet.truncateFrom(30n);
      expect(tablet.endOffset).toBe(30n);
      expect(ids((await readRows(tablet, 0n)).rows)).toEqual(expected(30));
      await tablet.close();
    });
  });

  it('refuses a cut inside a batch or outside the stored offsets', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(dir, schema);
      await appendBatches(tablet, 0, 3);
      for (const offset of [15n, 31n, -1n]) {
        await expect(tablet.truncateFrom(offset)).rejects.toBeInstanceOf(SqlError);
      }
      expect(ids((await readRows(tablet, 0n)).rows)).toEqual(expected(30));
      await tablet.close();
    });
  });

  it('removes the index files of segments it drops or reopens as active', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(dir, schema, { segmentBytes: 2000 });
      await appendBatches(tablet, 0, 20);
      await tablet.truncateFrom(10n);
      const files = (await readdir(dir)).filter((name) => /\.(log|index|timeindex)$/.test(name));
      expect(files).toEqual(['00000000000000000000.log']);
      await tablet.close();
    });
  });
});

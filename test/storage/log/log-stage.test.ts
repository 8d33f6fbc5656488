// Batches staged ahead of their commit (log-stage.ts): appended by renaming their files into
// segments, they read back exactly as appended batches would, with their offsets and commit, also
// after a reopen; a stage discarded, or left behind by a process that died, leaves no file.

import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Types } from '../../../src/common/types.js';
import { EncodedBatch } from '../../../src/storage/log/encoded-batch.js';
import type { LogSchema } from '../../../src/storage/log/log-schema.js';
import { LogTablet } from '../../../src/storage/log/log-tablet.js';
import { comparable, readRows, withTempDir } from './log-test-support.js';

const schema: LogSchema = { schemaId: 1, columns: [{ name: 'id', type: Types.int8 }, { name: 'name', type: Types.text }] };
const types = schema.columns.map((column) => column.type);

/** `count` rows from `first`: id, `name <id>` padded to make frames of some size. */
function batch(first: number, count: number): EncodedBatch {
  const ids = Array.from({ length: count }, (_, index) => first + index);
  return EncodedBatch.encode(types, [ids.map(BigInt), ids.map((id) => `name ${id} `.padEnd(40, '.'))], count);
}

function plain(first: number, count: number): { rowCount: number; columns: unknown[][] } {
  const encoded = batch(first, count);
  return { rowCount: count, columns: encoded.columns.map((column) => [...column]) };
}

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.log') || name.endsWith('.staged')).sort();
}

describe('log stage', () => {
  it('appends staged batches after the batches before them, as appends would, and keeps them across a reopen', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(dir, schema, { segmentBytes: 64 * 1024 });
      await tablet.append(batch(0, 10), { commitTimestampMs: 1000, commitSequence: 1n });
      const stage = tablet.stage();
      // About 3 KB per 50 rows: several staged files of at most 64 KiB.
      for (let first = 10; first < 2010; first += 500) stage.add(batch(first, 500));
      expect(stage.frameCount).toBe(4);
      await stage.settled();
      expect((await files(dir)).filter((name) => name.endsWith('.staged')).length).toBeGreaterThan(1);
      // Nothing staged is visible before the commit.
      expect(tablet.endOffset).toBe(10n);
      expect((await readRows(tablet, 0n)).rows).toHaveLength(10);
      const baseOffsets = await tablet.appendStaged(stage, { commitTimestampMs: 2000, commitSequence: 2n, groupBatches: 4 });
      expect(baseOffsets).toEqual([10n, 510n, 1010n, 1510n]);
      await tablet.append(batch(2010, 5), { commitTimestampMs: 3000, commitSequence: 3n });
      await tablet.sync();
      const expectAll = async (log: LogTablet): Promise<void> => {
        expect(log.endOffset).toBe(2015n);
        const read = await readRows(log, 0n);
        expect(read.offsets).toEqual(Array.from({ length: 2015 }, (_, index) => BigInt(index)));
        expect(read.rows.map((row) => row[0])).toEqual(Array.from({ length: 2015 }, (_, index) => comparable(BigInt(index))));
        expect(read.rows[1234]![1]).toEqual(comparable('name 1234 '.padEnd(40, '.')));
        const batches = [];
        for await (const read of log.read(0n)) batches.push([read.baseOffset, read.commitSequence, read.commitTimestampMs, read.groupBatches]);
        expect(batches).toEqual([
          [0n, 1n, 1000, 0], [10n, 2n, 2000, 4], [510n, 2n, 2000, 4], [1010n, 2n, 2000, 4], [1510n, 2n, 2000, 4], [2010n, 3n, 3000, 0],
        ]);
        expect(await log.offsetForTimestamp(2000)).toBe(10n);
        expect(await log.offsetForTimestamp(2500)).toBe(2010n);
      };
      await expectAll(tablet);
      await tablet.close();
      expect((await files(dir)).some((name) => name.endsWith('.staged'))).toBe(false);
      const reopened = await LogTablet.open(dir, schema, { segmentBytes: 64 * 1024 });
      await expectAll(reopened);
      await reopened.close();
    });
  });

  it('takes the name of an empty active segment, and goes on after a TRUNCATE at the old end', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(dir, schema);
      const first = tablet.stage();
      first.add(batch(0, 100));
      expect(await tablet.appendStaged(first, { commitTimestampMs: 1, commitSequence: 1n, groupBatches: 1 })).toEqual([0n]);
      expect(await files(dir)).toEqual(['00000000000000000000.log']);
      await tablet.truncateAll();
      const second = tablet.stage();
      second.add(batch(100, 50));
      second.add(batch(150, 50));
      expect(await tablet.appendStaged(second, { commitTimestampMs: 2, commitSequence: 2n, groupBatches: 2 })).toEqual([100n, 150n]);
      await tablet.append(plain(200, 1), { commitTimestampMs: 3, commitSequence: 3n });
      expect(await files(dir)).toEqual(['00000000000000000100.log']);
      expect(tablet.startOffset).toBe(100n);
      const read = await readRows(tablet, 0n);
      expect(read.offsets).toEqual(Array.from({ length: 101 }, (_, index) => BigInt(100 + index)));
      await tablet.close();
      const reopened = await LogTablet.open(dir, schema);
      expect([reopened.startOffset, reopened.endOffset]).toEqual([100n, 201n]);
      await reopened.close();
    });
  });

  it('deletes its files when discarded, and a tablet deletes staged files left behind when it opens', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(dir, schema);
      const stage = tablet.stage();
      stage.add(batch(0, 100));
      await stage.settled();
      expect((await files(dir)).filter((name) => name.endsWith('.staged'))).toHaveLength(1);
      await stage.discard();
      expect(await files(dir)).toEqual(['00000000000000000000.log']);
      await expect(tablet.appendStaged(stage, { commitTimestampMs: 1, commitSequence: 1n })).rejects.toThrow(/discarded/);
      const abandoned = tablet.stage();
      abandoned.add(batch(0, 100));
      await abandoned.settled();
      await tablet.close();
      await writeFile(join(dir, '123-4.staged'), 'left by a process that died');
      const reopened = await LogTablet.open(dir, schema);
      expect(await files(dir)).toEqual(['00000000000000000000.log']);
      expect(reopened.endOffset).toBe(0n);
      await reopened.close();
    });
  });

  it('refuses a batch not encoded for its schema, and a stage of another tablet', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(join(dir, 'a'), schema);
      const other = await LogTablet.open(join(dir, 'b'), schema);
      const stage = tablet.stage();
      const wrong = EncodedBatch.encode([Types.int8, Types.int4], [[1n], [2]], 1);
      expect(stage.accepts(wrong)).toBe(false);
      expect(() => stage.add(wrong)).toThrow(/does not accept/);
      stage.add(batch(0, 1));
      await expect(other.appendStaged(stage, { commitTimestampMs: 1, commitSequence: 1n })).rejects.toThrow(/another tablet/);
      await stage.discard();
      await tablet.close();
      await other.close();
    });
  });
});

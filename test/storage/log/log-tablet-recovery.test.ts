// Crash and damage handling: a torn or corrupt last batch is truncated on open; damage in an
// earlier batch is never skipped silently but reported on read as XX001 naming file and position;
// sealed segments whose index files are lost are re-indexed from their frames.

import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/common/errors.js';
import { bodyPosition } from '../../../src/storage/log/batch-frame.js';
import type { LogSchema } from '../../../src/storage/log/log-schema.js';
import { LogTablet } from '../../../src/storage/log/log-tablet.js';
import { framesOf, readRows, segmentFiles, withTempDir } from './log-test-support.js';

const schema: LogSchema = {
  schemaId: 1,
  columns: [{ name: 'id', type: { name: 'int8' } }, { name: 'name', type: { name: 'text' } }, { name: 'score', type: { name: 'int4' } }],
};

/** Appends `batches` batches of 10 rows: id = offset, name = `row <offset>`, score = offset * 2. */
async function fill(dir: string, batches: number, options = {}): Promise<void> {
  const tablet = await LogTablet.open(dir, schema, options);
  for (let batch = 0; batch < batches; batch++) {
    const ids = Array.from({ length: 10 }, (_, row) => batch * 10 + row);
    await tablet.append(
      { rowCount: 10, columns: [ids.map(BigInt), ids.map((id) => `row ${id}`), ids.map((id) => id * 2)] },
      { commitTimestampMs: 1000 + batch, commitSequence: BigInt(batch) },
    );
  }
  await tablet.sync();
  await tablet.close();
}

async function flipByte(path: string, position: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[position] = bytes[position]! ^ 0x5a;
  await writeFile(path, bytes);
}

async function expectCorrupt(promise: Promise<unknown>, file: string, position: number): Promise<void> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(SqlError);
  expect((error as SqlError).code).toBe('XX001');
  expect((error as SqlError).message).toContain(file);
  expect((error as SqlError).message).toContain(`byte ${position}`);
}

describe('log tablet recovery', () => {
  it('reopens with every record, timestamp and sequence intact', async () => {
    await withTempDir(async (dir) => {
      await fill(dir, 5);
      const tablet = await LogTablet.open(dir, schema);
      expect(tablet.endOffset).toBe(50n);
      const batches = [];
      for await (const batch of tablet.read(0n)) batches.push(batch);
      expect(batches.map((batch) => [batch.baseOffset, batch.commitTimestampMs, batch.commitSequence, batch.schemaId]))
        .toEqual([0, 1, 2, 3, 4].map((index) => [BigInt(index * 10), 1000 + index, BigInt(index), 1]));
      expect(batches[4]!.columns[1]![9]).toBe('row 49');
      await tablet.close();
    });
  });

  for (const cut of ['in the header', 'in the body', 'one byte short']) {
    it(`truncates a torn last batch (cut ${cut}) and continues its offsets`, async () => {
      await withTempDir(async (dir) => {
        await fill(dir, 5);
        const [file] = await segmentFiles(dir);
        const frames = await framesOf(file!);
        const last = frames[4]!;
        const at = cut === 'in the header' ? last.position + 20 : cut === 'in the body' ? last.position + bodyPosition(last.header) + 8
          : last.position + last.header.frameLength - 1;
        await truncate(file!, at);
        const tablet = await LogTablet.open(dir, schema);
        expect(tablet.endOffset).toBe(40n);
        expect((await readFile(file!)).byteLength).toBe(last.position);
        await tablet.append({ rowCount: 1, columns: [[40n], ['again'], [1]] }, { commitTimestampMs: 2000, commitSequence: 9n });
        const rows = await readRows(tablet, 38n);
        expect(rows.rows).toEqual([['bigint:38', 'row 38', 'number:76'], ['bigint:39', 'row 39', 'number:78'], ['bigint:40', 'again', 'number:1']]);
        await tablet.close();
      });
    });
  }

  for (const where of ['header', 'IPC metadata', 'column body']) {
    it(`truncates a last batch with a corrupt byte in its ${where}`, async () => {
      await withTempDir(async (dir) => {
        await fill(dir, 5);
        const [file] = await segmentFiles(dir);
        const last = (await framesOf(file!))[4]!;
        const at = where === 'header' ? last.position + 17 : where === 'IPC metadata' ? last.position + last.header.headerLength + 12
          : last.position + last.header.frameLength - 20;
        await flipByte(file!, at);
        const tablet = await LogTablet.open(dir, schema);
        expect(tablet.endOffset).toBe(40n);
        expect((await readRows(tablet, 0n)).rows).toHaveLength(40);
        await tablet.close();
      });
    });
  }

  it('reports a corrupt column of an earlier batch as XX001 with file and position', async () => {
    await withTempDir(async (dir) => {
      await fill(dir, 5);
      const [file] = await segmentFiles(dir);
      const second = (await framesOf(file!))[1]!;
      const nameColumn = second.header.columns[1]!;
      const columnStart = second.position + bodyPosition(second.header) + nameColumn.bodyStart;
      await flipByte(file!, columnStart + nameColumn.bodyLength - 12);
      const tablet = await LogTablet.open(dir, schema);
      expect(tablet.endOffset).toBe(50n);
      await expectCorrupt(readRows(tablet, 0n), file!, columnStart);
      await expectCorrupt(readRows(tablet, 15n, { columns: [1] }), file!, columnStart);
      // The damage is confined to one column of one batch; nothing else is affected.
      expect((await readRows(tablet, 0n, { columns: [0, 2] })).rows).toHaveLength(50);
      expect((await readRows(tablet, 20n)).rows).toHaveLength(30);
      await tablet.close();
    });
  });

  it('keeps the batches after a corrupt header of an earlier batch and reports it on read', async () => {
    await withTempDir(async (dir) => {
      await fill(dir, 5);
      const [file] = await segmentFiles(dir);
      const second = (await framesOf(file!))[1]!;
      await flipByte(file!, second.position + 20);
      const tablet = await LogTablet.open(dir, schema);
      expect(tablet.endOffset).toBe(50n);
      await expectCorrupt(readRows(tablet, 0n), file!, second.position);
      await expectCorrupt(readRows(tablet, 12n, { columns: [2] }), file!, second.position);
      expect((await readRows(tablet, 20n)).rows).toHaveLength(30);
      await tablet.close();
    });
  });

  it('rebuilds lost index files of sealed segments from their frames', async () => {
    await withTempDir(async (dir) => {
      await fill(dir, 30, { segmentBytes: 2048 });
      const files = await segmentFiles(dir);
      expect(files.length).toBeGreaterThan(3);
      await rm(files[1]!.replace(/\.log$/, '.index'));
      await writeFile(files[2]!.replace(/\.log$/, '.timeindex'), new Uint8Array(5));
      const tablet = await LogTablet.open(dir, schema, { segmentBytes: 2048 });
      expect(tablet.endOffset).toBe(300n);
      const rows = await readRows(tablet, 0n, { columns: [0] });
      expect(rows.rows.map((row) => row[0])).toEqual(Array.from({ length: 300 }, (_, id) => `bigint:${id}`));
      expect(await tablet.offsetForTimestamp(1017)).toBe(170n);
      await tablet.close();
      expect((await readFile(files[1]!.replace(/\.log$/, '.index'))).byteLength).toBeGreaterThan(0);
    });
  });
});

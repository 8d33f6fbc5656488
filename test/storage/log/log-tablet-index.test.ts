// Segments, indexes and reads: rolling at the size limit, offset and timestamp lookups that read
// only index-guided frame headers (never a scan of the data), retention by whole segments, TRUNCATE,
// column-pruned reads that read only the wanted columns' bytes, read limits, ADD COLUMN, and the
// Arrow IPC compatibility of stored frames.

import { readFile } from 'node:fs/promises';
import { RecordBatchReader } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/common/decimal.js';
import type { Value } from '../../../src/common/types.js';
import { ipcEndOfStream, ipcSchemaMessage } from '../../../src/storage/log/arrow-ipc.js';
import type { LogSchema } from '../../../src/storage/log/log-schema.js';
import { LogTablet } from '../../../src/storage/log/log-tablet.js';
import { framesOf, readRows, segmentFiles, withTempDir } from './log-test-support.js';

const orders: LogSchema = {
  schemaId: 1,
  columns: [
    { name: 'order_key', type: { name: 'int8' } },
    { name: 'cust_key', type: { name: 'int4' } },
    { name: 'price', type: { name: 'numeric', precision: 15, scale: 2 } },
    { name: 'order_date', type: { name: 'date' } },
    { name: 'status', type: { name: 'text' } },
    { name: 'priority', type: { name: 'text' } },
    { name: 'comment', type: { name: 'text' } },
  ],
};

function ordersBatch(first: number, rowCount: number): { rowCount: number; columns: Value[][] } {
  const keys = Array.from({ length: rowCount }, (_, row) => first + row);
  return {
    rowCount,
    columns: [
      keys.map(BigInt), keys.map((key) => key % 1000), keys.map((key) => new Decimal(BigInt(key * 101), 2)),
      keys.map((key) => 9000 + (key % 365)), keys.map((key) => (key % 2 ? 'O' : 'F')), keys.map(() => '3-MEDIUM'),
      keys.map((key) => `order ${key} carefully packed`),
    ],
  };
}

/** 200 batches of 50 rows; batch b is committed at 10_000 + 10 b. */
async function fillOrders(dir: string, options = {}): Promise<LogTablet> {
  const tablet = await LogTablet.open(dir, orders, options);
  for (let batch = 0; batch < 200; batch++) {
    await tablet.append(ordersBatch(batch * 50, 50), { commitTimestampMs: 10_000 + batch * 10, commitSequence: BigInt(batch) });
  }
  return tablet;
}

describe('log tablet segments and indexes', () => {
  it('rolls segments at the size limit and finds offsets without scanning', async () => {
    await withTempDir(async (dir) => {
      const tablet = await fillOrders(dir, { segmentBytes: 32 * 1024 });
      expect(tablet.segmentCount).toBeGreaterThan(5);
      const files = await segmentFiles(dir);
      for (const file of files) expect((await readFile(file)).byteLength).toBeLessThanOrEqual(32 * 1024);
      const total = (await Promise.all(files.map((file) => readFile(file)))).reduce((sum, bytes) => sum + bytes.byteLength, 0);
      for (const offset of [0n, 1n, 4321n, 7777n, 9999n]) {
        const before = tablet.bytesRead;
        const rows = await readRows(tablet, offset, { maxRecords: 1, columns: [0] });
        expect(rows.rows).toEqual([[`bigint:${offset}`]]);
        expect(tablet.bytesRead - before).toBeLessThan(total / 50);
      }
      await tablet.close();
    });
  });

  it('finds the first offset committed at or after a timestamp from the time index', async () => {
    await withTempDir(async (dir) => {
      const tablet = await fillOrders(dir, { segmentBytes: 32 * 1024 });
      const before = tablet.bytesRead;
      expect(await tablet.offsetForTimestamp(0)).toBe(0n);
      expect(await tablet.offsetForTimestamp(10_000)).toBe(0n);
      expect(await tablet.offsetForTimestamp(10_001)).toBe(50n);
      expect(await tablet.offsetForTimestamp(10_990)).toBe(99n * 50n);
      expect(await tablet.offsetForTimestamp(11_990)).toBe(199n * 50n);
      expect(await tablet.offsetForTimestamp(11_991)).toBe(10_000n);
      expect(tablet.bytesRead - before).toBeLessThan(6 * 4096);
      await tablet.close();
      const reopened = await LogTablet.open(dir, orders, { segmentBytes: 32 * 1024 });
      expect(await reopened.offsetForTimestamp(10_555)).toBe(56n * 50n);
      await reopened.close();
    });
  });

  it('deletes whole old segments, never the active one', async () => {
    await withTempDir(async (dir) => {
      const tablet = await fillOrders(dir, { segmentBytes: 32 * 1024 });
      const segments = tablet.segmentCount;
      expect(await tablet.deleteSegmentsOlderThan(10_500)).toBeGreaterThan(0);
      const start = tablet.startOffset;
      expect(start).toBeGreaterThan(0n);
      expect(start).toBeLessThanOrEqual(2500n);
      const rows = await readRows(tablet, 0n, { columns: [0], maxRecords: 1 });
      expect(rows.offsets).toEqual([start]);
      const remaining = tablet.segmentCount;
      expect(remaining).toBeLessThan(segments);
      expect(await tablet.deleteSegmentsOlderThan(1e15)).toBe(remaining - 1);
      expect(await segmentFiles(dir)).toHaveLength(1);
      expect(tablet.segmentCount).toBe(1);
      expect(tablet.endOffset).toBe(10_000n);
      expect((await readRows(tablet, 0n)).rows.length).toBe(Number(10_000n - tablet.startOffset));
      await tablet.close();
      const reopened = await LogTablet.open(dir, orders);
      expect(reopened.startOffset).toBe(tablet.startOffset);
      await reopened.close();
    });
  });

  it('lets a reader finish a segment that retention deletes under it', async () => {
    await withTempDir(async (dir) => {
      const tablet = await fillOrders(dir, { segmentBytes: 32 * 1024 });
      const reader = tablet.read(0n, { columns: [0] });
      const first = await reader.next();
      expect(first.done).toBe(false);
      expect(await tablet.deleteSegmentsOlderThan(1e15)).toBeGreaterThan(0);
      let rows = first.done === true ? 0 : first.value.recordCount;
      for await (const batch of reader) rows += batch.recordCount;
      expect(rows).toBeGreaterThan(50);
      await tablet.close();
    });
  });

  it('gives concurrent appends consecutive offsets in call order', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(dir, orders);
      const results = await Promise.all(Array.from({ length: 20 }, (_, index) =>
        tablet.append(ordersBatch(index * 3, 3), { commitTimestampMs: index, commitSequence: BigInt(index) })));
      expect(results.map((result) => result.baseOffset)).toEqual(Array.from({ length: 20 }, (_, index) => BigInt(index * 3)));
      const failed = tablet.append({ rowCount: 1, columns: [[1]] }, { commitTimestampMs: 0, commitSequence: 0n });
      await expect(failed).rejects.toThrow(/columns/);
      await tablet.sync();
      expect((await readRows(tablet, 0n, { columns: [0] })).rows.map((row) => row[0]))
        .toEqual(Array.from({ length: 60 }, (_, key) => `bigint:${key}`));
      await tablet.close();
    });
  });

  it('TRUNCATE drops all data and keeps offsets monotonic', async () => {
    await withTempDir(async (dir) => {
      const tablet = await fillOrders(dir, { segmentBytes: 32 * 1024 });
      await tablet.truncateAll();
      expect([tablet.startOffset, tablet.endOffset]).toEqual([10_000n, 10_000n]);
      expect((await readRows(tablet, 0n)).rows).toEqual([]);
      expect(await segmentFiles(dir)).toHaveLength(1);
      await tablet.append(ordersBatch(7, 2), { commitTimestampMs: 20_000, commitSequence: 500n });
      await tablet.close();
      const reopened = await LogTablet.open(dir, orders);
      expect([reopened.startOffset, reopened.endOffset]).toEqual([10_000n, 10_002n]);
      expect((await readRows(reopened, 0n, { columns: [0] })).rows).toEqual([['bigint:7'], ['bigint:8']]);
      await reopened.close();
    });
  });

  it('reads only the bytes of the wanted columns', async () => {
    await withTempDir(async (dir) => {
      const tablet = await fillOrders(dir);
      let before = tablet.bytesRead;
      const all = await readRows(tablet, 0n);
      const allBytes = tablet.bytesRead - before;
      before = tablet.bytesRead;
      const keys = await readRows(tablet, 0n, { columns: [0] });
      const keyBytes = tablet.bytesRead - before;
      before = tablet.bytesRead;
      const pair = await readRows(tablet, 0n, { columns: [6, 2] });
      const pairBytes = tablet.bytesRead - before;
      expect(keys.rows).toEqual(all.rows.map((row) => [row[0]]));
      expect(pair.rows).toEqual(all.rows.map((row) => [row[6], row[2]]));
      expect(keys.rows[1234]).toEqual(['bigint:1234']);
      expect(pair.rows[1234]).toEqual(['order 1234 carefully packed', 'numeric:1246.34']);
      // order_key is 8 of the ~100 bytes a row takes; header reads add a little.
      expect(keyBytes).toBeLessThan(allBytes / 5);
      expect(pairBytes).toBeLessThan(allBytes * 0.7);
      await tablet.close();
    });
  });

  it('honours toOffset, maxRecords and maxBytes', async () => {
    await withTempDir(async (dir) => {
      const tablet = await fillOrders(dir);
      const ranged = await readRows(tablet, 75n, { toOffset: 180n, columns: [0] });
      expect(ranged.offsets[0]).toBe(75n);
      expect(ranged.rows).toHaveLength(105);
      expect(ranged.batches).toBe(3);
      expect((await readRows(tablet, 75n, { maxRecords: 30, columns: [0] })).rows).toHaveLength(30);
      expect((await readRows(tablet, 75n, { maxRecords: 80, columns: [0] })).rows.at(-1)).toEqual(['bigint:154']);
      const bounded = await readRows(tablet, 0n, { maxBytes: 1, columns: [0] });
      expect(bounded.batches).toBe(1);
      expect((await readRows(tablet, 10_000n)).rows).toEqual([]);
      expect((await readRows(tablet, 20_000n)).rows).toEqual([]);
      await tablet.close();
    });
  });

  it('reads batches written before ADD COLUMN with NULLs for the new column', async () => {
    await withTempDir(async (dir) => {
      const before: LogSchema = { schemaId: 3, columns: [{ name: 'id', type: { name: 'int4' } }] };
      const after: LogSchema = { schemaId: 4, columns: [...before.columns, { name: 'note', type: { name: 'text' } }] };
      const tablet = await LogTablet.open(dir, before);
      await tablet.append({ rowCount: 2, columns: [[1, 2]] }, { commitTimestampMs: 1, commitSequence: 1n });
      await tablet.evolveSchema(after);
      await tablet.append({ rowCount: 1, columns: [[3], ['new']] }, { commitTimestampMs: 2, commitSequence: 2n });
      await tablet.close();
      const reopened = await LogTablet.open(dir, after);
      const batches = [];
      for await (const batch of reopened.read(0n, { columns: [1, 0] })) batches.push(batch);
      expect(batches.map((batch) => [batch.schemaId, batch.columns])).toEqual([[3, [[null, null], [1, 2]]], [4, [['new'], [3]]]]);
      await expect(reopened.evolveSchema({ schemaId: 5, columns: [{ name: 'id', type: { name: 'int8' } }, after.columns[1]!] })).rejects.toThrow(/changes column 1/);
      await reopened.close();
      // A schema id older than the newest known is refused unless it is itself known (a catalog
      // that crashed between registering a new schema and committing it reopens with the old one).
      await expect(LogTablet.open(dir, { schemaId: 2, columns: before.columns })).rejects.toThrow(/older/);
      const older = await LogTablet.open(dir, before);
      expect((await readRows(older, 0n)).rows).toEqual([['number:1'], ['number:2'], ['number:3']]);
      await older.close();
    });
  });

  it('stores frames whose IPC part Arrow reads as a record batch stream', async () => {
    await withTempDir(async (dir) => {
      const tablet = await LogTablet.open(dir, orders);
      await tablet.append(ordersBatch(0, 3), { commitTimestampMs: 1, commitSequence: 1n });
      const withNulls = ordersBatch(3, 2);
      withNulls.columns[6]![1] = null;
      withNulls.columns[1]![0] = null;
      await tablet.append(withNulls, { commitTimestampMs: 2, commitSequence: 2n });
      await tablet.close();
      const [file] = await segmentFiles(dir);
      const bytes = await readFile(file!);
      const parts: Uint8Array[] = [ipcSchemaMessage(orders.columns)];
      for (const frame of await framesOf(file!)) {
        parts.push(bytes.subarray(frame.position + frame.header.headerLength, frame.position + frame.header.frameLength));
      }
      parts.push(ipcEndOfStream);
      const reader = RecordBatchReader.from(Buffer.concat(parts));
      const rows: unknown[][] = [];
      for (const batch of reader) {
        for (let row = 0; row < batch.numRows; row++) {
          rows.push([batch.getChild('order_key')!.get(row), batch.getChild('cust_key')!.get(row), batch.getChild('comment')!.get(row),
            batch.getChild('order_date')!.get(row)]);
        }
      }
      const day = 86_400_000;
      expect(rows).toEqual([
        [0n, 0, 'order 0 carefully packed', 9000 * day], [1n, 1, 'order 1 carefully packed', 9001 * day],
        [2n, 2, 'order 2 carefully packed', 9002 * day], [3n, null, 'order 3 carefully packed', 9003 * day], [4n, 4, null, 9004 * day],
      ]);
    });
  });
});

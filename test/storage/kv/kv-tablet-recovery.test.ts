// Recovery of KV tablets from their logs: batches appended but never applied are replayed on open;
// a lost KV directory is rebuilt from the logs (several tablets sharing one store); a log cut by
// truncateFrom makes the tablet rebuild without the cut records; a KV that needs records retention
// deleted fails with XX001; tablets sharing a store never see each other's rows; TRUNCATE and scans
// with bounds and limits behave.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/common/types.js';
import { KvStore } from '../../../src/storage/kv/kv-store.js';
import { KvTablet, type KvSchema } from '../../../src/storage/kv/kv-tablet.js';
import { LogTablet } from '../../../src/storage/log/log-tablet.js';
import { allRows, appendPrepared, comparableRow, logSchemaOf, openTablet, withTempDir, write, type Opened } from './kv-test-support.js';

const schema: KvSchema = {
  columns: [{ name: 'id', type: { name: 'int4' } }, { name: 'name', type: { name: 'text' } }, { name: 'amount', type: { name: 'int8' } }],
  primaryKey: [0],
  mergeEngine: 'last_row',
  changelogImage: 'full',
};

function row(id: number, name: string, amount = BigInt(id) * 10n): Value[] {
  return [id, name, amount];
}

/** Ten statements: upserts of ids 0..29, updates of some, deletes of others. */
async function workload(opened: Opened): Promise<void> {
  for (let statement = 0; statement < 10; statement++) {
    await write(opened, [
      { kind: 'upsert', row: row(statement * 3, `n${statement}`) },
      { kind: 'upsert', row: row(statement * 3 + 1, `n${statement}`) },
      { kind: 'upsert', row: row(statement * 3 + 2, `n${statement}`) },
      { kind: 'upsert', row: row(statement, `updated ${statement}`) },
      { kind: 'delete', key: [statement * 2] },
    ]);
  }
}

describe('KV tablet recovery', () => {
  it('replays batches appended to the log but never applied', async () => {
    await withTempDir(async (dir) => {
      let opened = await openTablet(dir, schema);
      await workload(opened);
      const pending = await opened.tablet.prepare([{ kind: 'upsert', row: row(100, 'pending') }, { kind: 'delete', key: [1] }, { kind: 'upsert', row: row(3, 'changed') }]);
      await appendPrepared(opened.log, pending);
      const second = await opened.tablet.prepare([{ kind: 'upsert', row: row(100, 'pending again') }]);
      await appendPrepared(opened.log, second);
      const before = await allRows(opened.tablet);
      expect(before.some((values) => values[0] === 'number:100')).toBe(false);
      await opened.close();
      opened = await openTablet(dir, schema);
      const after = await allRows(opened.tablet);
      expect(after.find((values) => values[0] === 'number:100')?.[1]).toBe('pending again');
      expect(after.find((values) => values[0] === 'number:3')?.[1]).toBe('changed');
      expect(after.some((values) => values[0] === 'number:1')).toBe(false);
      expect(opened.tablet.count()).toBe(after.length);
      expect(opened.tablet.appliedEnd).toBe(opened.log.endOffset);
      await opened.close();
    });
  });

  it('rebuilds every tablet of a store from its log when the KV directory is lost', async () => {
    await withTempDir(async (dir) => {
      const store = await KvStore.open(join(dir, 'kv'));
      const first = await openTablet(dir, schema, 1, { store });
      const second = await openTablet(dir, schema, 2, { store });
      await workload(first);
      await write(second, [{ kind: 'upsert', row: row(5, 'only in two') }]);
      const expectedFirst = await allRows(first.tablet);
      const expectedSecond = await allRows(second.tablet);
      expect(expectedSecond).toEqual([comparableRow(row(5, 'only in two'))]);
      await first.tablet.close();
      await second.tablet.close();
      await store.close();
      await rm(join(dir, 'kv'), { recursive: true });
      const rebuiltStore = await KvStore.open(join(dir, 'kv'));
      const rebuiltFirst = await KvTablet.open(rebuiltStore, 1, schema, first.log);
      const rebuiltSecond = await KvTablet.open(rebuiltStore, 2, schema, second.log);
      expect(await allRows(rebuiltFirst)).toEqual(expectedFirst);
      expect(await allRows(rebuiltSecond)).toEqual(expectedSecond);
      expect(rebuiltFirst.count()).toBe(expectedFirst.length);
      await first.log.close();
      await second.log.close();
      await rebuiltStore.close();
    });
  });

  it('rebuilds without the records a truncateFrom cut from the log', async () => {
    await withTempDir(async (dir) => {
      let opened = await openTablet(dir, schema);
      await workload(opened);
      const cutAt = opened.log.endOffset;
      const expected = await allRows(opened.tablet);
      await write(opened, [{ kind: 'upsert', row: row(0, 'cut') }, { kind: 'upsert', row: row(500, 'cut') }, { kind: 'delete', key: [3] }]);
      await write(opened, [{ kind: 'upsert', row: row(501, 'cut') }]);
      expect(await allRows(opened.tablet)).not.toEqual(expected);
      await opened.tablet.close();
      await opened.log.truncateFrom(cutAt);
      const reopened = await KvTablet.open(opened.store, 7, schema, opened.log);
      expect(await allRows(reopened)).toEqual(expected);
      expect(reopened.count()).toBe(expected.length);
      expect(reopened.appliedEnd).toBe(cutAt);
      await reopened.close();
      await opened.log.close();
      await opened.store.close();
      opened = await openTablet(dir, schema);
      expect(await allRows(opened.tablet)).toEqual(expected);
      await opened.close();
    });
  });

  it('fails with XX001 when retention deleted records the KV never applied', async () => {
    await withTempDir(async (dir) => {
      const log = await LogTablet.open(join(dir, 'log'), logSchemaOf(schema), { segmentBytes: 600 });
      const store = await KvStore.open(join(dir, 'kv'));
      const tablet = await KvTablet.open(store, 1, schema, log);
      for (let id = 0; id < 20; id++) {
        const prepared = await tablet.prepare([{ kind: 'upsert', row: row(id, `row ${id}`) }]);
        await appendPrepared(log, prepared);
        if (id < 2) await tablet.apply(prepared, log.endOffset - 1n);
      }
      await tablet.close();
      expect(await log.deleteSegmentsOlderThan(Date.now() + 60_000)).toBeGreaterThan(0);
      await expect(KvTablet.open(store, 1, schema, log)).rejects.toMatchObject({ code: 'XX001' });
      await store.close();
      await log.close();
    });
  });

  it('keeps tablets apart, truncates, and scans with bounds and limits', async () => {
    await withTempDir(async (dir) => {
      const store = await KvStore.open(join(dir, 'kv'));
      const first = await openTablet(dir, schema, 1, { store });
      const second = await openTablet(dir, schema, 0x0100, { store });
      await write(first, Array.from({ length: 50 }, (_, id) => ({ kind: 'upsert' as const, row: row(id - 25, 'a') })));
      await write(second, [{ kind: 'upsert', row: row(1, 'b') }]);
      const ids = async (options: Parameters<KvTablet['scan']>[0]): Promise<unknown[]> => {
        const out: unknown[] = [];
        for await (const batch of first.tablet.scan(options)) for (const values of batch) out.push(values[0]);
        return out;
      };
      expect((await ids({})).length).toBe(50);
      expect(await ids({ from: { key: [-2], inclusive: true }, to: { key: [2], inclusive: false } })).toEqual([-2, -1, 0, 1]);
      expect(await ids({ from: { key: [-2], inclusive: false }, to: { key: [2], inclusive: true } })).toEqual([-1, 0, 1, 2]);
      expect(await ids({ from: { key: [20], inclusive: true }, limit: 3 })).toEqual([20, 21, 22]);
      expect(await ids({ prefix: [7] })).toEqual([7]);
      expect(await ids({ from: { key: [5], inclusive: true }, to: { key: [4], inclusive: true } })).toEqual([]);
      expect(await allRows(second.tablet)).toEqual([comparableRow(row(1, 'b'))]);
      await first.log.truncateAll();
      await first.tablet.truncate(first.log.endOffset);
      expect(await allRows(first.tablet)).toEqual([]);
      expect(first.tablet.count()).toBe(0);
      expect(await allRows(second.tablet)).toEqual([comparableRow(row(1, 'b'))]);
      await write(first, [{ kind: 'upsert', row: row(9, 'after truncate') }]);
      await first.tablet.close();
      const reopened = await KvTablet.open(store, 1, schema, first.log);
      expect(await allRows(reopened)).toEqual([comparableRow(row(9, 'after truncate'))]);
      await reopened.close();
      await second.tablet.close();
      await first.log.close();
      await second.log.close();
      await store.close();
    });
  });

  it('scans many rows in chunks in key order', async () => {
    await withTempDir(async (dir) => {
      const opened = await openTablet(dir, schema);
      await write(opened, Array.from({ length: 5000 }, (_, index) => ({ kind: 'upsert' as const, row: row(4999 - index, 'x'.repeat(index % 50)) })));
      let batches = 0;
      let expectedId = 0;
      for await (const batch of opened.tablet.scan()) {
        batches++;
        for (const values of batch) expect(values[0]).toBe(expectedId++);
      }
      expect(expectedId).toBe(5000);
      expect(batches).toBeGreaterThan(1);
      await opened.close();
    });
  });
});

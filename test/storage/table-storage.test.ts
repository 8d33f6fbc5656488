// TableStorage: commits through the pipeline become visible and durable; at the next open, commit
// groups above the watermark are kept while complete and cut from the first incomplete or missing
// one; log retention deletes old segments of log tables only; a holder (a view behind on its writes)
// holds new commits back, except unthrottled ones.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TableDef } from '../../src/common/catalog-model.js';
import { Types } from '../../src/common/types.js';
import { TableStorage } from '../../src/storage/table-storage.js';

const directories: string[] = [];
afterEach(async () => { await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true }))); });

function logTable(oid: number, tabletIds: number[]): TableDef {
  return {
    kind: 'table', oid, databaseOid: 1, namespaceOid: 2, name: `t${oid}`, owner: 'test', partitions: [], createdAtMs: 0, tabletIds,
    schema: {
      schemaId: 1, primaryKey: [], partitionKey: [],
      columns: [{ name: 'id', type: Types.int8, nullable: false, id: 1 }, { name: 'body', type: Types.text, nullable: true, id: 2 }],
      options: { buckets: tabletIds.length, bucketKey: [], logTtlMs: 1000, mergeEngine: 'last_row', changelogImage: 'full' },
    },
  };
}

async function commitRows(storage: TableStorage, table: TableDef, ids: bigint[]): Promise<void> {
  const tablet = storage.allTablets(table)[0];
  if (tablet === undefined) throw new Error('no tablet');
  await storage.pipeline.commit(async () => [{
    log: tablet.log,
    batch: { rowCount: ids.length, columns: [ids, ids.map((id) => `body ${id} `.repeat(20))] },
    afterDurable: async (lastOffset) => { tablet.visibleEndOffset = lastOffset + 1n; },
  }]);
}

async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'sluice-storage-'));
  directories.push(directory);
  return directory;
}

describe('TableStorage', () => {
  it('keeps complete groups above the watermark and cuts from the first incomplete one', async () => {
    const directory = await freshDirectory();
    const first = logTable(200, [201, 202]);
    const second = logTable(300, [301]);
    let storage = await TableStorage.open(directory);
    await storage.openTables([first, second]);
    await commitRows(storage, first, [1n]);
    await storage.close();
    // Appended after the last watermark, as in a crash before it was recorded: group 2 spans three
    // tablets and is whole, group 3 lost one of its two batches, group 4 is whole but comes after it.
    storage = await TableStorage.open(directory);
    await storage.openTables([first, second]);
    const [a, b] = storage.allTablets(first);
    const [c] = storage.allTablets(second);
    const append = (tablet: typeof a, id: bigint, sequence: bigint, groupBatches: number) =>
      tablet!.log.append({ rowCount: 1, columns: [[id], [`row ${id}`]] }, { commitTimestampMs: Date.now(), commitSequence: sequence, groupBatches });
    await append(a, 2n, 2n, 3);
    await append(b, 3n, 2n, 3);
    await append(c, 4n, 2n, 3);
    await append(a, 5n, 3n, 2);
    await append(c, 6n, 4n, 1);
    for (const tablet of [a, b, c]) await tablet!.log.sync();
    await storage.close();
    storage = await TableStorage.open(directory);
    await storage.openTables([first, second]);
    expect(storage.allTablets(first).map((tablet) => tablet.log.endOffset)).toEqual([2n, 1n]);
    expect(storage.allTablets(second).map((tablet) => tablet.log.endOffset)).toEqual([1n]);
    expect(storage.pipeline.appliedCommit.sequence).toBe(2n);
    // Sequences continue after the kept group.
    await commitRows(storage, second, [7n]);
    expect(storage.pipeline.appliedCommit.sequence).toBe(3n);
    await storage.close();
  });

  it('makes commits visible once durable and cuts batches above the watermark on open', async () => {
    const directory = await freshDirectory();
    const table = logTable(100, [101]);
    let storage = await TableStorage.open(directory);
    await storage.openTable(table);
    await commitRows(storage, table, [1n, 2n]);
    const tablet = storage.allTablets(table)[0];
    expect(tablet?.visibleEndOffset).toBe(2n);
    expect(storage.pipeline.durableSequence).toBe(1n);
    // A batch appended and fsynced but whose commit never reached the watermark (a crash between).
    await tablet?.log.append({ rowCount: 1, columns: [[3n], ['lost']] }, { commitTimestampMs: Date.now(), commitSequence: 2n });
    await tablet?.log.sync();
    await storage.close();
    storage = await TableStorage.open(directory);
    await storage.openTable(table);
    expect(storage.allTablets(table)[0]?.log.endOffset).toBe(2n);
    await commitRows(storage, table, [4n]);
    expect(storage.allTablets(table)[0]?.log.endOffset).toBe(3n);
    await storage.close();
  });

  it('deletes log segments older than log_ttl', async () => {
    const directory = await freshDirectory();
    const table = logTable(200, [201]);
    const storage = await TableStorage.open(directory, { logSegmentBytes: 4096 });
    await storage.openTable(table);
    for (let i = 0n; i < 40n; i++) await commitRows(storage, table, [i * 10n, i * 10n + 1n]);
    const log = storage.allTablets(table)[0]?.log;
    const segmentsBefore = log?.segmentCount ?? 0;
    expect(segmentsBefore).toBeGreaterThan(2);
    const cut: number[] = [];
    expect(await storage.enforceRetention([table], Date.now() - 60_000, (t) => cut.push(t.oid))).toBe(0);
    expect(cut).toEqual([]);
    const deleted = await storage.enforceRetention([table], Date.now() + 60_000, (t) => cut.push(t.oid));
    expect(deleted).toBe(segmentsBefore - 1);
    expect(cut).toEqual([table.oid]);
    expect(log?.startOffset).toBeGreaterThan(0n);
    await storage.close();
  });

  it('groups concurrent commits: one sequence, their own offsets, a failed prepare fails alone', async () => {
    const directory = await freshDirectory();
    const table = logTable(300, [301]);
    const storage = await TableStorage.open(directory);
    await storage.openTable(table);
    const tablet = storage.allTablets(table)[0];
    if (tablet === undefined) throw new Error('no tablet');
    const applied: [number, bigint][] = [];
    const commit = (id: number, rows: number, fail = false): Promise<unknown> => storage.pipeline.commit(async () => {
      if (fail) throw new Error(`prepare ${id} failed`);
      const ids = Array.from({ length: rows }, (_, i) => BigInt(id * 100 + i));
      return [{ log: tablet.log, batch: { rowCount: rows, columns: [ids, ids.map(String)] },
        afterDurable: async (lastOffset: bigint) => { applied.push([id, lastOffset]); } }];
    });
    await commit(0, 1);
    const results = await Promise.allSettled([commit(1, 2), commit(2, 3, true), commit(3, 1), commit(4, 4)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(applied).toEqual([[0, 0n], [1, 2n], [3, 3n], [4, 7n]]);
    const sequences = new Set<bigint>();
    for await (const batch of tablet.log.read(0n, { columns: [] })) sequences.add(batch.commitSequence);
    expect([...sequences]).toEqual([1n, 2n]);
    await storage.close();
  });

  it('holds new commits back while a holder asks, except unthrottled ones', async () => {
    const directory = await freshDirectory();
    const table = logTable(400, [401]);
    const storage = await TableStorage.open(directory);
    await storage.openTable(table);
    const tablet = storage.allTablets(table)[0];
    if (tablet === undefined) throw new Error('no tablet');
    const done: string[] = [];
    const commit = (name: string, unthrottled = false): Promise<unknown> => storage.pipeline.commit(async () => [{
      log: tablet.log, batch: { rowCount: 1, columns: [[1n], [name]] }, afterDurable: async () => { done.push(name); },
    }], { unthrottled }).then(() => done.push(`${name} acknowledged`));
    const first = {};
    const second = {};
    storage.pipeline.hold(first);
    storage.pipeline.hold(second);
    const held = commit('held');
    await commit('maintenance', true);
    storage.pipeline.release(first);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toEqual(['maintenance', 'maintenance acknowledged']);
    storage.pipeline.release(second);
    await held;
    expect(done).toEqual(['maintenance', 'maintenance acknowledged', 'held', 'held acknowledged']);
    await storage.close();
  });
});

// TableStorage: commits through the pipeline become visible and durable; batches above the durable
// watermark are cut at the next open; log retention deletes old segments of log tables only.

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
    expect(await storage.enforceRetention([table], Date.now() - 60_000)).toBe(0);
    const deleted = await storage.enforceRetention([table], Date.now() + 60_000);
    expect(deleted).toBe(segmentsBefore - 1);
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
});

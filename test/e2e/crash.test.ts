// Crash safety: a writer inserts rows and records each acknowledged one; the server process is
// killed with SIGKILL at a random moment and restarted on the same data directory. Every
// acknowledged row must be there exactly once, and each bucket's offsets must stay contiguous.

import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, startProcess } from '../support/server-process.js';

const directories: string[] = [];
afterAll(async () => { await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true }))); });

interface Acknowledged {
  readonly ids: number[];
  /** Per key of the primary-key table: the highest version acknowledged. */
  readonly versions: Map<number, number>;
}

/**
 * Several connections insert rows with increasing ids into a log table and upsert their own key of
 * a primary-key table with increasing versions, until the server dies.
 */
async function writeUntilKilled(port: number, firstId: number, child: ChildProcess, killAfterMs: number): Promise<Acknowledged> {
  const acknowledged: Acknowledged = { ids: [], versions: new Map() };
  const writers = await Promise.all([0, 1, 2, 3].map(() => connect(port)));
  let nextId = firstId;
  setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await Promise.all(writers.map(async (client, key) => {
    for (;;) {
      const id = nextId++;
      const batch = [id, nextId++];
      try {
        await client.query('INSERT INTO acked (id, payload) VALUES ($1, $2), ($3, $4)', [batch[0], `row ${batch[0]}`, batch[1], `row ${batch[1]}`]);
        acknowledged.ids.push(...batch);
        await client.query('INSERT INTO latest (k, version) VALUES ($1, $2)', [key, id]);
        acknowledged.versions.set(key, id);
      } catch {
        return;
      }
    }
  }));
  await Promise.all(writers.map((client) => client.end().catch(() => undefined)));
  return acknowledged;
}

/** The current rows a primary-key table's changelog replays to, in log order per bucket. */
function replay(changes: readonly { _change_type: string; _bucket: number; _log_offset: string; k: number; version: string }[]): Map<number, number> {
  const ordered = [...changes].sort((a, b) => a._bucket - b._bucket || Number(a._log_offset) - Number(b._log_offset));
  const state = new Map<number, number>();
  for (const change of ordered) {
    if (change._change_type === 'insert' || change._change_type === 'update_after') state.set(change.k, Number(change.version));
    if (change._change_type === 'delete') state.delete(change.k);
  }
  return state;
}

describe('crash recovery', () => {
  it('keeps every acknowledged row exactly once across 20 SIGKILLs', async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), 'sluice-crash-'));
    directories.push(dataDirectory);
    let server = await startProcess(dataDirectory);
    const setup = await connect(server.port);
    await setup.query('CREATE TABLE acked (id BIGINT NOT NULL, payload TEXT) WITH (buckets = 3)');
    await setup.query('CREATE TABLE latest (k INT PRIMARY KEY, version BIGINT) WITH (buckets = 2)');
    const versions = new Map<number, number>();
    await setup.end();
    const acknowledged = new Set<number>();
    let firstId = 1;
    for (let round = 0; round < 20; round++) {
      const written = await writeUntilKilled(server.port, firstId, server.child, 30 + Math.floor(Math.random() * 150));
      for (const id of written.ids) acknowledged.add(id);
      for (const [key, version] of written.versions) versions.set(key, version);
      firstId += 1_000_000;
      server = await startProcess(dataDirectory);
      const reader = await connect(server.port);
      const rows = (await reader.query('SELECT id, _bucket, _offset FROM acked')).rows as { id: string; _bucket: number; _offset: string }[];
      const current = new Map(((await reader.query('SELECT k, version FROM latest')).rows as { k: number; version: string }[])
        .map((row) => [row.k, Number(row.version)]));
      const changes = (await reader.query('SELECT _change_type, _bucket, _log_offset, k, version FROM latest$changelog')).rows;
      await reader.end();
      expect(current).toEqual(replay(changes as Parameters<typeof replay>[0]));
      for (const [key, version] of versions) expect(current.get(key) ?? -1).toBeGreaterThanOrEqual(version);
      const seen = new Map<number, number>();
      for (const row of rows) seen.set(Number(row.id), (seen.get(Number(row.id)) ?? 0) + 1);
      const missing = [...acknowledged].filter((id) => !seen.has(id));
      const duplicated = [...seen].filter(([, count]) => count > 1);
      expect(missing).toEqual([]);
      expect(duplicated).toEqual([]);
      const offsetsByBucket = new Map<number, number[]>();
      for (const row of rows) offsetsByBucket.set(row._bucket, [...(offsetsByBucket.get(row._bucket) ?? []), Number(row._offset)]);
      for (const offsets of offsetsByBucket.values()) {
        offsets.sort((a, b) => a - b);
        expect(offsets).toEqual(offsets.map((_, i) => i));
      }
    }
    server.child.kill('SIGKILL');
    expect(acknowledged.size).toBeGreaterThan(0);
  }, 120_000);
});

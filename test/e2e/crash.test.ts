// Crash safety: a writer inserts rows and records each acknowledged one; the server process is
// killed with SIGKILL at a random moment and restarted on the same data directory. Every
// acknowledged row must be there exactly once, and each bucket's offsets must stay contiguous.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const directories: string[] = [];
afterAll(async () => { await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true }))); });

function startProcess(dataDirectory: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'serve', '--data', dataDirectory, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [^:]+:(\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('exit', (code) => reject(new Error(`server exited with ${String(code)}: ${output}`)));
  });
}

async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'crash', database: 'sluice' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Inserts rows with increasing ids from several connections until the server dies; returns acknowledged ids. */
async function writeUntilKilled(port: number, firstId: number, child: ChildProcess, killAfterMs: number): Promise<number[]> {
  const acknowledged: number[] = [];
  const writers = await Promise.all([0, 1, 2, 3].map(() => connect(port)));
  let nextId = firstId;
  setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await Promise.all(writers.map(async (client) => {
    for (;;) {
      const id = nextId++;
      const batch = [id, nextId++];
      try {
        await client.query('INSERT INTO acked (id, payload) VALUES ($1, $2), ($3, $4)', [batch[0], `row ${batch[0]}`, batch[1], `row ${batch[1]}`]);
        acknowledged.push(...batch);
      } catch {
        return;
      }
    }
  }));
  await Promise.all(writers.map((client) => client.end().catch(() => undefined)));
  return acknowledged;
}

describe('crash recovery', () => {
  it('keeps every acknowledged row exactly once across 20 SIGKILLs', async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), 'sluice-crash-'));
    directories.push(dataDirectory);
    let server = await startProcess(dataDirectory);
    const setup = await connect(server.port);
    await setup.query('CREATE TABLE acked (id BIGINT NOT NULL, payload TEXT) WITH (buckets = 3)');
    await setup.end();
    const acknowledged = new Set<number>();
    let firstId = 1;
    for (let round = 0; round < 20; round++) {
      const ids = await writeUntilKilled(server.port, firstId, server.child, 30 + Math.floor(Math.random() * 150));
      for (const id of ids) acknowledged.add(id);
      firstId += 1_000_000;
      server = await startProcess(dataDirectory);
      const reader = await connect(server.port);
      const rows = (await reader.query('SELECT id, _bucket, _offset FROM acked')).rows as { id: string; _bucket: number; _offset: string }[];
      await reader.end();
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

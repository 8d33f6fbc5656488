// Materialized views across crashes: writers run a random workload of multi-row upserts, join-key
// updates and deletes on three tables under a three-way join view, a LEFT JOIN view and an
// aggregate view, and appends to a log table under an aggregate view (NULL group keys included), and the server process is killed with SIGKILL at a random moment — usually with
// view changes computed but not yet written. After each restart every view catches up and equals
// its query run in batch, and its changelog replays to it (no change lost or applied twice). The
// join views resume from their recorded progress (the inputs' changes since it, read back from
// the logs), not by recomputing; the aggregate views are recomputed.

import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { connect, startProcess } from '../support/server-process.js';
import { viewsCaughtUp } from '../support/views.js';
import { seededRandom } from '../storage/log/log-test-support.js';

const directories: string[] = [];
let running: ChildProcess | undefined;
afterAll(async () => {
  running?.kill('SIGKILL');
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

const views = [
  {
    name: 'wide',
    query: 'SELECT o.o_key, o.o_price, c.c_name, n.n_name FROM orders o JOIN customer c ON o.o_cust = c.c_key JOIN nation n ON c.c_nation = n.n_key',
    key: 'o_key',
  },
  {
    name: 'wide_left',
    query: 'SELECT o.o_key, o.o_price, c.c_name, n.n_name FROM orders o LEFT JOIN customer c ON o.o_cust = c.c_key LEFT JOIN nation n ON c.c_nation = n.n_key',
    key: 'o_key',
  },
  {
    name: 'clicks_per_region',
    query: 'SELECT region, count(*) AS clicks, sum(ms) AS total, min(ms) AS fastest FROM clicks GROUP BY region',
    key: 'region',
  },
  {
    name: 'by_nation',
    query: 'SELECT n.n_name, count(*) AS orders, sum(o.o_price) AS total FROM orders o JOIN customer c ON o.o_cust = c.c_key JOIN nation n ON c.c_nation = n.n_key GROUP BY n.n_name',
    key: 'n_name',
  },
];

const encode = (rows: readonly Record<string, unknown>[]): string[] => rows.map((row) => JSON.stringify(Object.values(row).map((value) => (value === null ? null : String(value))))).sort();

/** Writers run random statements until the server dies. */
async function writeUntilKilled(port: number, child: ChildProcess, killAfterMs: number, next: () => number): Promise<void> {
  const pick = (n: number): number => Math.floor(next() * n);
  const statement = (): string => {
    switch (pick(7)) {
      case 6: {
        const rows = Array.from({ length: 100 }, () => `(${pick(9) === 0 ? 'NULL' : `'r${pick(6)}'`}, ${pick(1000)})`);
        return `INSERT INTO clicks VALUES ${rows.join(', ')}`;
      }
      case 0: case 1: {
        const rows = Array.from({ length: 200 }, () => `(${pick(4000)}, ${pick(400)}, ${pick(100)})`);
        return `INSERT INTO orders VALUES ${rows.join(', ')}`;
      }
      case 2: return `UPDATE customer SET c_nation = ${pick(8)} WHERE c_key = ${pick(400)}`;
      case 3: {
        const rows = Array.from({ length: 50 }, () => `(${pick(400)}, 'c${pick(50)}', ${pick(8)})`);
        return `INSERT INTO customer VALUES ${rows.join(', ')}`;
      }
      case 4: { const from = pick(4000); return `DELETE FROM orders WHERE o_key >= ${from} AND o_key < ${from + 40}`; }
      default: return `DELETE FROM customer WHERE c_key = ${pick(400)}`;
    }
  };
  const writers = await Promise.all([0, 1, 2].map(() => connect(port)));
  setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await Promise.all(writers.map(async (writer) => {
    for (;;) {
      try {
        await writer.query(statement());
      } catch {
        return;
      }
    }
  }));
  await Promise.all(writers.map((writer) => writer.end().catch(() => undefined)));
}

async function expectViewsMatch(client: pg.Client, label: string): Promise<void> {
  await viewsCaughtUp(client, 60_000);
  for (const view of views) {
    const stored = (await client.query(`SELECT * FROM ${view.name}`)).rows;
    expect(encode(stored), `${view.name} ${label}`).toEqual(encode((await client.query(view.query)).rows));
    const log = (await client.query(`SELECT * FROM ${view.name}$changelog ORDER BY _commit_timestamp, _bucket, _log_offset`)).rows;
    const model = new Map<string, Record<string, unknown>>();
    for (const { _change_type: type, _log_offset: _offset, _commit_timestamp: _time, _bucket: _b, ...row } of log) {
      if (type === 'insert' || type === 'update_after') model.set(String(row[view.key]), row);
      else model.delete(String(row[view.key]));
    }
    expect(encode([...model.values()]), `${view.name} changelog ${label}`).toEqual(encode(stored));
  }
}

it('catches every view up after SIGKILLs, join views from their recorded progress', async () => {
  const next = seededRandom(Number(process.env.SLUICE_SEED ?? 11));
  const dataDirectory = await mkdtemp(join(tmpdir(), 'sluice-view-crash-'));
  directories.push(dataDirectory);
  let server = await startProcess(dataDirectory);
  running = server.child;
  let admin = await connect(server.port);
  await admin.query('CREATE TABLE nation (n_key INT PRIMARY KEY, n_name TEXT NOT NULL)');
  await admin.query('CREATE TABLE customer (c_key INT PRIMARY KEY, c_name TEXT NOT NULL, c_nation INT) WITH (buckets = 2)');
  await admin.query('CREATE TABLE orders (o_key INT PRIMARY KEY, o_cust INT, o_price INT) WITH (buckets = 3)');
  await admin.query('CREATE INDEX ON orders (o_cust)');
  await admin.query('CREATE INDEX ON customer (c_nation)');
  await admin.query('CREATE TABLE clicks (region TEXT, ms INT) WITH (buckets = 2)');
  await admin.query(`INSERT INTO nation VALUES ${Array.from({ length: 8 }, (_, key) => `(${key}, 'n${key % 5}')`).join(', ')}`);
  for (const view of views) await admin.query(`CREATE MATERIALIZED VIEW ${view.name} WITH (buckets = 2) AS ${view.query}`);
  const started = async (): Promise<Record<string, string>> => Object.fromEntries(
    (await admin.query('SELECT view_name, started_from FROM sluice_catalog.materialized_views')).rows.map((row) => [row.view_name, row.started_from]));
  expect(await started()).toEqual({ wide: 'fill', wide_left: 'fill', clicks_per_region: 'recompute', by_nation: 'recompute' });
  await admin.end();
  const resumed = { wide: 0, wide_left: 0 };
  for (let round = 0; round < 6; round++) {
    await writeUntilKilled(server.port, server.child, 400 + Math.floor(next() * 800), next);
    server = await startProcess(dataDirectory);
    running = server.child;
    admin = await connect(server.port);
    const status = (await admin.query('SELECT view_name, started_from FROM sluice_catalog.materialized_views')).rows;
    for (const row of status) {
      if (row.view_name === 'by_nation' || row.view_name === 'clicks_per_region') expect(row.started_from).toBe('recompute');
      else if (row.started_from === 'progress') resumed[row.view_name as 'wide' | 'wide_left']++;
      else expect(row.started_from, `${row.view_name} after kill ${round}`).toBe('recompute');
    }
    await expectViewsMatch(admin, `after kill ${round}`);
    expect((await admin.query('SELECT sum(records_behind)::int AS behind FROM sluice_catalog.materialized_views')).rows[0].behind).toBe(0);
    await admin.end();
  }
  server.child.kill('SIGKILL');
  // Every restart after a kill of the process resumes (a recompute is only the fallback for a record
  // a machine crash lost).
  expect(resumed).toEqual({ wide: 6, wide_left: 6 });
}, 180_000);

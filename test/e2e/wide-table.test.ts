// Partial-update wide tables: two materialized views write different columns of one primary-key
// table (WITH (target = ...)), so the table is assembled from independent streams. Under a seeded
// random workload of inserts, updates and deletes on both sources, with a restart in the middle, the
// wide table always equals the full outer join of the sources once the views have caught up: a key
// one source deletes loses that source's columns, and the row goes when no source has the key.

import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { seededRandom as random } from '../storage/log/log-test-support.js';
import { viewsCaughtUp, writeConcurrently } from '../support/views.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

const expected = `SELECT coalesce(o.o_key, s.s_order) AS o_key, o.o_price AS price, s.s_status AS status
  FROM orders o FULL JOIN shipments s ON o.o_key = s.s_order`;

const encode = (rows: readonly Record<string, unknown>[]): string[] =>
  rows.map((row) => JSON.stringify([row.o_key, row.price, row.status].map((value) => (value === null ? null : String(value))))).sort();

async function expectAssembled(client: pg.Client, round: number): Promise<void> {
  await viewsCaughtUp(client);
  const wide = (await client.query('SELECT o_key, price, status, note FROM wide')).rows;
  expect(wide.every((row) => row.note === null), 'columns no view writes stay NULL').toBe(true);
  expect(encode(wide), `wide after round ${round}`).toEqual(encode((await client.query(expected)).rows));
}

it('assembles one table from two views writing different columns, across a restart', async () => {
  const next = random(Number(process.env.SLUICE_SEED ?? 11));
  const pick = (n: number): number => Math.floor(next() * n);
  let admin = await server.client();
  await admin.query('CREATE TABLE orders (o_key INT PRIMARY KEY, o_price INT NOT NULL) WITH (buckets = 2)');
  await admin.query('CREATE TABLE shipments (s_order INT PRIMARY KEY, s_status TEXT NOT NULL)');
  await admin.query('CREATE TABLE wide (o_key INT PRIMARY KEY, price INT, status TEXT, note TEXT) WITH (buckets = 3)');
  await admin.query('INSERT INTO orders VALUES (1, 10), (2, 20)');
  await admin.query("INSERT INTO shipments VALUES (2, 'sent'), (3, 'lost')");
  await admin.query("CREATE MATERIALIZED VIEW wide_price WITH (target = 'wide') AS SELECT o_key, o_price AS price FROM orders");
  await admin.query("CREATE MATERIALIZED VIEW wide_status WITH (target = 'wide', buckets = 2) AS SELECT s_order AS o_key, s_status AS status FROM shipments");
  await expectAssembled(admin, -1);
  expect(encode((await admin.query('SELECT * FROM wide')).rows)).toEqual(encode([
    { o_key: 1, price: 10, status: null }, { o_key: 2, price: 20, status: 'sent' }, { o_key: 3, price: null, status: 'lost' },
  ]));

  const statement = (): string => {
    switch (pick(6)) {
      case 0: return `INSERT INTO orders VALUES (${pick(20)}, ${pick(100)})`;
      case 1: return `UPDATE orders SET o_price = ${pick(100)} WHERE o_key = ${pick(20)}`;
      case 2: return `DELETE FROM orders WHERE o_key = ${pick(20)}`;
      case 3: return `INSERT INTO shipments VALUES (${pick(20)}, 's${pick(4)}')`;
      case 4: return `UPDATE shipments SET s_status = 's${pick(4)}' WHERE s_order = ${pick(20)}`;
      default: return `DELETE FROM shipments WHERE s_order = ${pick(20)}`;
    }
  };
  let writers = [await server.client(), await server.client()];
  for (let round = 0; round < 12; round++) {
    if (round === 6) {
      await server.restart();
      admin = await server.client();
      writers = [await server.client(), await server.client()];
      await expectAssembled(admin, round);
    }
    await writeConcurrently(writers, 8, statement, pick);
    await expectAssembled(admin, round);
  }
  // The target is the views' dependency; dropping a view leaves the columns it wrote.
  await expect(admin.query('DROP TABLE wide')).rejects.toMatchObject({ code: '2BP01' });
  await admin.query('DROP MATERIALIZED VIEW wide_status');
  await admin.query('INSERT INTO shipments VALUES (100, \'late\')');
  await admin.query('INSERT INTO orders VALUES (100, 1)');
  await expectAssembledPrice(admin);
}, 120_000);

async function expectAssembledPrice(client: pg.Client): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = (await client.query('SELECT price, status FROM wide WHERE o_key = 100')).rows;
    if (rows.length === 1) {
      expect(rows[0]).toEqual({ price: 1, status: null });
      return;
    }
    if (Date.now() > deadline) throw new Error('order 100 never reached the wide table');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

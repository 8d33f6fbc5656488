// Property test of materialized views: a seeded random workload of inserts, updates (join keys
// included) and deletes on three tables, from two connections at once and in multi-statement
// transactions, with a three-way join view (the wide table), an aggregate over the join, an
// aggregate over one table, and LEFT JOIN views: the wide table keeping orders without a customer
// or nation, an aggregate over it, and customers with their (maybe zero) orders; customers' nation
// keys (joined on, and a group key) are sometimes NULL. After every round,
// once the views have caught up, each view equals the same SELECT run in batch; the server restarts
// in the middle; an index the views look up by cannot be dropped until another one serves; at the
// end, replaying each view's changelog from the start reproduces it.

import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { seededRandom as random } from '../storage/log/log-test-support.js';
import { viewsCaughtUp, writeConcurrently } from '../support/views.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

const join = 'FROM orders o JOIN customer c ON o.o_cust = c.c_key JOIN nation n ON c.c_nation = n.n_key';
const views = [
  { name: 'wide', query: `SELECT o.o_key, o.o_price, c.c_name, n.n_name ${join} WHERE o.o_price >= 10`, key: 'o_key' },
  { name: 'by_nation', query: `SELECT n.n_name, count(*) AS orders, sum(o.o_price) AS total, max(o.o_price) AS top ${join} GROUP BY n.n_name`, key: 'n_name' },
  { name: 'per_nation_key', query: 'SELECT c_nation, count(*) AS customers, min(c_name) AS first_name FROM customer GROUP BY c_nation', key: 'c_nation' },
  {
    name: 'wide_left',
    query: "SELECT o.o_key, o.o_price, c.c_name, n.n_name FROM orders o LEFT JOIN customer c ON o.o_cust = c.c_key LEFT JOIN nation n ON c.c_nation = n.n_key AND n.n_name <> 'n0'",
    key: 'o_key',
  },
  {
    name: 'left_by_price',
    query: 'SELECT o.o_price % 3 AS price_mod, count(*) AS orders, count(c.c_key) AS matched, max(c.c_name) AS top FROM orders o LEFT JOIN customer c ON o.o_cust = c.c_key GROUP BY o.o_price % 3',
    key: 'price_mod',
  },
  {
    name: 'customer_orders',
    query: 'SELECT c.c_key, count(o.o_key) AS orders, sum(o.o_price) AS total FROM customer c LEFT JOIN orders o ON o.o_cust = c.c_key GROUP BY c.c_key',
    key: 'c_key',
  },
];

const encode = (rows: readonly Record<string, unknown>[]): string[] => rows.map((row) => JSON.stringify(Object.values(row).map((value) => (value === null ? null : String(value))))).sort();

async function expectViewsMatch(client: pg.Client, round: number): Promise<void> {
  await viewsCaughtUp(client);
  for (const view of views) {
    const stored = (await client.query(`SELECT * FROM ${view.name}`)).rows;
    const batch = (await client.query(view.query)).rows;
    expect(encode(stored), `${view.name} after round ${round}`).toEqual(encode(batch));
  }
}

it('keeps three views equal to their queries under a random workload, across a restart', async () => {
  const next = random(Number(process.env.SLUICE_SEED ?? 7));
  const pick = (n: number): number => Math.floor(next() * n);
  let admin = await server.client();
  await admin.query('CREATE TABLE nation (n_key INT PRIMARY KEY, n_name TEXT NOT NULL)');
  await admin.query('CREATE TABLE customer (c_key INT PRIMARY KEY, c_name TEXT NOT NULL, c_nation INT) WITH (buckets = 2)');
  await admin.query('CREATE TABLE orders (o_key INT PRIMARY KEY, o_cust INT, o_price INT) WITH (buckets = 3)');
  await admin.query('CREATE INDEX ON customer (c_nation)');
  await admin.query('CREATE INDEX ON orders (o_cust)');
  await admin.query("INSERT INTO nation VALUES (1, 'n1'), (2, 'n2'), (3, 'n3')");
  await admin.query("INSERT INTO customer VALUES (1, 'c1', 1), (2, 'c2', 2), (3, 'c3', 1)");
  await admin.query('INSERT INTO orders VALUES (1, 1, 20), (2, 2, 5), (3, 3, 30)');
  for (const view of views) await admin.query(`CREATE MATERIALIZED VIEW ${view.name} WITH (buckets = 2) AS ${view.query}`);
  await expectViewsMatch(admin, -1);

  const statement = (): string => {
    switch (pick(10)) {
      case 0: case 1: case 2: return `INSERT INTO orders VALUES (${pick(30)}, ${pick(12)}, ${pick(50)})`;
      case 3: return `UPDATE orders SET o_cust = ${pick(12)} WHERE o_key = ${pick(30)}`;
      case 4: return `DELETE FROM orders WHERE o_key = ${pick(30)}`;
      case 5: return `INSERT INTO customer VALUES (${pick(12)}, 'c${pick(9)}', ${pick(5)})`;
      case 6: return `UPDATE customer SET c_nation = ${pick(6) === 5 ? 'NULL' : pick(5)} WHERE c_key = ${pick(12)}`;
      case 7: return `DELETE FROM customer WHERE c_key = ${pick(12)}`;
      case 8: return `INSERT INTO nation VALUES (${pick(5)}, 'n${pick(4)}')`;
      default: return `DELETE FROM nation WHERE n_key = ${pick(5)}`;
    }
  };
  // A subscription to a view sees its changes like any table's.
  const subscriber = await server.client();
  await subscriber.query('DECLARE feed CURSOR FOR SUBSCRIBE TO by_nation');
  const fed = new Map<string, string>();
  const drainFeed = async (): Promise<void> => {
    for (;;) {
      const rows = (await subscriber.query("FETCH ALL feed WITH (timeout = '0ms')")).rows as Record<string, unknown>[];
      if (rows.length === 0) return;
      for (const { _change_type: type, _commit_timestamp: _time, ...row } of rows) {
        if (type === 'insert' || type === 'update_after') fed.set(String(row.n_name), JSON.stringify(Object.values(row).map(String)));
        else fed.delete(String(row.n_name));
      }
    }
  };
  let writers = [await server.client(), await server.client(), await server.client()];
  for (let round = 0; round < 20; round++) {
    if (round === 5) {
      // The views look orders up by o_cust; that index cannot go, but can once another serves instead.
      await expect(admin.query('DROP INDEX orders_o_cust_idx')).rejects.toMatchObject({ code: '2BP01' });
      await admin.query('CREATE INDEX orders_by_cust_price ON orders (o_cust, o_price)');
      await admin.query('DROP INDEX orders_o_cust_idx');
      await expect(admin.query('DROP INDEX orders_by_cust_price')).rejects.toMatchObject({ code: '2BP01' });
    }
    if (round === 10) {
      await drainFeed();
      expect([...fed.values()].sort(), 'subscription to by_nation').toEqual(encode((await admin.query('SELECT * FROM by_nation')).rows));
      await server.restart();
      admin = await server.client();
      writers = [await server.client(), await server.client(), await server.client()];
      await expectViewsMatch(admin, round);
    }
    await writeConcurrently(writers, 6, statement, pick);
    await expectViewsMatch(admin, round);
  }
  // Each view's changelog, applied in order from the start, reproduces the view.
  for (const view of views) {
    const log = (await admin.query(`SELECT * FROM ${view.name}$changelog ORDER BY _commit_timestamp, _bucket, _log_offset`)).rows;
    const model = new Map<string, Record<string, unknown>>();
    for (const change of log) {
      const { _change_type: type, _log_offset: _offset, _commit_timestamp: _time, _bucket: _b, ...row } = change;
      const key = String(row[view.key]);
      if (type === 'insert' || type === 'update_after') model.set(key, row);
      else model.delete(key);
    }
    expect(encode([...model.values()]), `${view.name} changelog`).toEqual(encode((await admin.query(`SELECT * FROM ${view.name}`)).rows));
  }
}, 120_000);

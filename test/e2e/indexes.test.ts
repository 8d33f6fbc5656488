// Secondary indexes survive a restart: the catalog keeps them, the tablets reopen with them (and
// keep maintaining them), index scans return the same rows as full scans, DROP INDEX still works.
// Index scans see whole commits while transactions move rows between index keys and buckets.

import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
afterEach(async () => { await server?.destroy(); server = undefined; });

describe('secondary indexes across a restart', () => {
  it('keeps and maintains indexes', async () => {
    server = await startTestServer();
    let client = await server.client();
    await client.query('CREATE TABLE orders (order_key BIGINT PRIMARY KEY, cust_key INT) WITH (buckets = 3)');
    await client.query('INSERT INTO orders SELECT g, g % 7 FROM generate_series(1, 200) g');
    await client.query('CREATE INDEX ON orders (cust_key)');
    await client.query('UPDATE orders SET cust_key = 100 WHERE order_key <= 5');
    await server.restart();
    client = await server.client();
    const plan = await client.query('EXPLAIN SELECT order_key FROM orders WHERE cust_key = 100');
    expect(plan.rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n')).toContain('Index scan on orders using orders_cust_key_idx');
    await client.query('DELETE FROM orders WHERE order_key = 1');
    await client.query('INSERT INTO orders VALUES (300, 100)');
    const indexed = await client.query('SELECT order_key FROM orders WHERE cust_key = 100 ORDER BY 1');
    const scanned = await client.query('SELECT order_key FROM orders WHERE cust_key + 0 = 100 ORDER BY 1');
    expect(indexed.rows).toEqual(scanned.rows);
    expect(indexed.rows.map((row: { order_key: string }) => row.order_key)).toEqual(['2', '3', '4', '5', '300']);
    for (const cust of [0, 3, 6]) {
      const a = await client.query('SELECT count(*) FROM orders WHERE cust_key = $1', [cust]);
      const b = await client.query('SELECT count(*) FROM orders WHERE cust_key + 0 = $1', [cust]);
      expect(a.rows).toEqual(b.rows);
    }
    await client.query('DROP INDEX orders_cust_key_idx');
    await server.restart();
    client = await server.client();
    const after = await client.query("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'orders'");
    expect(after.rows).toEqual([{ n: 1 }]);
  }, 60_000);
});

describe('index scans under concurrent transactions', () => {
  it('see whole commits while rows move between index keys', async () => {
    server = await startTestServer();
    const setup = await server.client();
    await setup.query('CREATE TABLE accounts (id INT PRIMARY KEY, grp INT, balance BIGINT) WITH (buckets = 8)');
    await setup.query('CREATE INDEX ON accounts (grp)');
    await setup.query(`INSERT INTO accounts VALUES ${Array.from({ length: 30 }, (_, id) => `(${id}, ${id % 10 < 5 ? 1 : 2}, 100)`).join(', ')}`);
    const writers = await Promise.all([0, 1, 2].map(() => server!.client()));
    let running = true;
    const writing = writers.map(async (writer, w) => {
      // Each writer owns ten accounts and swaps the groups of one of group 1 and one of group 2.
      const groups = new Map(Array.from({ length: 10 }, (_, i) => [w * 10 + i, i < 5 ? 1 : 2]));
      let step = 0;
      while (running) {
        const ones = [...groups].filter(([, grp]) => grp === 1).map(([id]) => id);
        const twos = [...groups].filter(([, grp]) => grp === 2).map(([id]) => id);
        const from = ones[step % ones.length]!;
        const to = twos[(step * 3) % twos.length]!;
        step++;
        await writer.query('BEGIN');
        await writer.query(`UPDATE accounts SET grp = 2, balance = balance - 5 WHERE id = ${from}`);
        await writer.query(`UPDATE accounts SET grp = 1, balance = balance + 5 WHERE id = ${to}`);
        await writer.query('COMMIT');
        groups.set(from, 2);
        groups.set(to, 1);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    });
    const reader = await server.client();
    try {
      const plan = await reader.query('EXPLAIN SELECT count(*) FROM accounts WHERE grp BETWEEN 1 AND 2');
      expect(plan.rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n')).toContain('Index scan');
      for (let read = 0; read < 60; read++) {
        const [one, all] = await Promise.all([
          reader.query('SELECT count(*)::int AS n FROM accounts WHERE grp = 1'),
          setup.query('SELECT count(*)::int AS n, sum(balance)::int AS total FROM accounts WHERE grp BETWEEN 1 AND 2'),
        ]);
        expect(one.rows[0]).toEqual({ n: 15 });
        expect(all.rows[0]).toEqual({ n: 30, total: 3000 });
      }
    } finally {
      running = false;
      await Promise.all(writing);
    }
    const moved = await setup.query('SELECT count(*)::int AS n FROM accounts WHERE balance <> 100');
    expect(moved.rows[0].n).toBeGreaterThan(0);
  }, 60_000);
});

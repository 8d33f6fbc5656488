// Secondary indexes survive a restart: the catalog keeps them, the tablets reopen with them (and
// keep maintaining them), index scans return the same rows as full scans, DROP INDEX still works.

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

// Batch reads see whole commits: a query reads every bucket as of one consistent point, so a
// transaction that moves value between rows in different buckets is never seen half applied.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

it('sums stay constant while transactions move value between buckets', async () => {
  const setup = await server.client();
  await setup.query('CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT) WITH (buckets = 8)');
  await setup.query('CREATE TABLE ledger (amount BIGINT) WITH (buckets = 8)');
  await setup.query(`INSERT INTO accounts VALUES ${Array.from({ length: 30 }, (_, id) => `(${id}, 100)`).join(', ')}`);
  const writers = await Promise.all([0, 1, 2].map(() => server.client()));
  // A fixed amount of work (the ledger's one-row batches make log scans longer as it grows).
  let running = true;
  const writing = writers.map(async (writer, w) => {
    for (let step = 0; step < 37; step++) {
      // Each writer owns ten accounts, so no two transactions update the same row.
      const from = w * 10 + (step % 10);
      const to = w * 10 + ((step * 7 + 3) % 10);
      await writer.query('BEGIN');
      await writer.query(`UPDATE accounts SET balance = balance - 5 WHERE id = ${from}`);
      await writer.query(`UPDATE accounts SET balance = balance + 5 WHERE id = ${to}`);
      await writer.query('INSERT INTO ledger VALUES (7), (-7), (3), (-3)');
      await writer.query('COMMIT');
    }
  });
  const done = Promise.all(writing).finally(() => { running = false; });
  const reader = await server.client();
  let reads = 0;
  while (running || reads < 10) {
    const [accounts, ledger] = await Promise.all([
      reader.query('SELECT sum(balance)::int AS total, count(*)::int AS n FROM accounts'),
      setup.query('SELECT coalesce(sum(amount), 0)::int AS total FROM ledger'),
    ]);
    expect(accounts.rows[0]).toEqual({ total: 3000, n: 30 });
    expect(ledger.rows[0]).toEqual({ total: 0 });
    reads++;
  }
  await done;
  const moved = await setup.query('SELECT count(*)::int AS n FROM accounts WHERE balance <> 100');
  expect(moved.rows[0].n).toBeGreaterThan(0);
}, 60_000);

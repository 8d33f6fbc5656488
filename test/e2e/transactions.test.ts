// Transaction blocks: writes apply atomically at COMMIT across tables and buckets; ROLLBACK and a
// dropped connection discard them; other sessions never see a block's writes before COMMIT.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const client = await server.client();
  await client.query('CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT) WITH (buckets = 4)');
  await client.query('CREATE TABLE audit (account INT, delta BIGINT) WITH (buckets = 2)');
});
afterAll(async () => { await server.destroy(); });

async function count(client: pg.Client, table: string): Promise<number> {
  return Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

describe('transaction blocks', () => {
  it('commits writes to several tables at once and hides them until COMMIT', async () => {
    const writer = await server.client();
    const reader = await server.client();
    await writer.query('BEGIN');
    for (let id = 1; id <= 20; id++) {
      await writer.query('INSERT INTO accounts VALUES ($1, 100)', [id]);
      await writer.query('INSERT INTO audit VALUES ($1, 100)', [id]);
    }
    expect(await count(reader, 'accounts')).toBe(0);
    expect(await count(reader, 'audit')).toBe(0);
    await writer.query('COMMIT');
    expect(await count(reader, 'accounts')).toBe(20);
    expect(await count(reader, 'audit')).toBe(20);
    const commits = await reader.query('SELECT count(DISTINCT _commit_timestamp) AS n FROM accounts$changelog');
    expect(commits.rows[0].n).toBe('1');
  });

  it('discards the writes of a rolled-back block and of a connection that drops', async () => {
    const client = await server.client();
    await client.query('BEGIN');
    await client.query('INSERT INTO audit VALUES (99, 1)');
    await client.query('ROLLBACK');
    const dropped = new pg.Client({ host: server.host, port: server.port, user: 'gone', database: 'sluice' });
    dropped.on('error', () => undefined);
    await dropped.connect();
    await dropped.query('BEGIN');
    await dropped.query('INSERT INTO audit VALUES (98, 1)');
    await dropped.end();
    const reader = await server.client();
    const rows = await reader.query('SELECT account FROM audit WHERE account >= 98');
    expect(rows.rows).toEqual([]);
  });

  it('rolls back a failed block at COMMIT', async () => {
    const client = await server.client();
    await client.query('BEGIN');
    await client.query('INSERT INTO audit VALUES (97, 1)');
    await expect(client.query('INSERT INTO audit VALUES (1, 2, 3)')).rejects.toMatchObject({ code: '42601' });
    const result = await client.query('COMMIT');
    expect(result.command).toBe('ROLLBACK');
    expect((await client.query('SELECT account FROM audit WHERE account = 97')).rows).toEqual([]);
  });
});

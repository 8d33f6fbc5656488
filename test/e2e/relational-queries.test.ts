// Joins, subqueries, WITH and set operations through the paths sqllogictest files do not reach:
// COPY (query) TO STDOUT, prepared statements whose parameters are read inside subqueries and join
// conditions, a prepared correlated query executed again with other values, and a join over
// enough rows to fill several batches on both sides.

import { to as copyTo } from 'pg-copy-streams';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: pg.Client;

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client();
  await client.query('CREATE TABLE people (id INT PRIMARY KEY, name TEXT, team INT) WITH (buckets = 2)');
  await client.query('CREATE TABLE teams (id INT, label TEXT) WITH (buckets = 3)');
  await client.query("INSERT INTO people VALUES (1, 'ann', 10), (2, 'bob', 10), (3, 'cy', 20), (4, 'di', NULL)");
  await client.query("INSERT INTO teams VALUES (10, 'red'), (20, 'blue'), (30, 'green')");
});
afterAll(async () => { await server.destroy(); });

async function copyOut(sql: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(sql))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('relational queries', () => {
  it('COPY (query) TO STDOUT runs joins, subqueries, WITH and UNION', async () => {
    const text = await copyOut(`COPY (
      WITH named AS (SELECT p.name, t.label FROM people p LEFT JOIN teams t ON p.team = t.id)
      SELECT name, label FROM named WHERE name IN (SELECT name FROM people WHERE team IS NOT NULL)
      UNION ALL SELECT 'total', (SELECT count(*) FROM teams)::text
      ORDER BY 1) TO STDOUT WITH (FORMAT csv)`);
    expect(text).toBe('ann,red\nbob,red\ncy,blue\ntotal,3\n');
  });

  it('reads parameters inside subqueries and join conditions', async () => {
    const sql = `SELECT p.name, (SELECT t.label FROM teams t WHERE t.id = p.team AND t.label <> $2)
      FROM people p JOIN teams t2 ON t2.id = p.team AND t2.id >= $1 ORDER BY p.name`;
    const first = await client.query({ text: sql, values: [10, 'red'], rowMode: 'array' });
    expect(first.rows).toEqual([['ann', null], ['bob', null], ['cy', 'blue']]);
    const second = await client.query({ text: sql, values: [20, 'x'], rowMode: 'array' });
    expect(second.rows).toEqual([['cy', 'blue']]);
  });

  it('re-executes a prepared correlated EXISTS with new values', async () => {
    const query = { name: 'has_team', text: 'SELECT id FROM people p WHERE EXISTS (SELECT 1 FROM teams t WHERE t.id = p.team AND t.label = $1) ORDER BY id', rowMode: 'array' as const };
    expect((await client.query({ ...query, values: ['red'] })).rows).toEqual([[1], [2]]);
    expect((await client.query({ ...query, values: ['blue'] })).rows).toEqual([[3]]);
    expect((await client.query({ ...query, values: ['none'] })).rows).toEqual([]);
  });

  it('joins inputs larger than one batch', async () => {
    await client.query('CREATE TABLE big_left (k INT, v INT) WITH (buckets = 2)');
    await client.query('CREATE TABLE big_right (k INT, w INT) WITH (buckets = 2)');
    await client.query('INSERT INTO big_left SELECT k, k * 2 FROM (SELECT a * 100 + b AS k FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),(13),(14),(15),(16),(17),(18),(19),(20),(21),(22),(23),(24),(25),(26),(27),(28),(29)) x(a), (SELECT b FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) y(b)) z) s');
    await client.query('INSERT INTO big_right SELECT k, v FROM big_left WHERE k % 3 = 0');
    const result = await client.query({ text: 'SELECT count(*), sum(l.v + r.w) FROM big_left l JOIN big_right r ON l.k = r.k', rowMode: 'array' });
    expect(result.rows).toEqual([['100', '577800']]);
    const outer = await client.query({ text: 'SELECT count(*), count(r.k) FROM big_left l LEFT JOIN big_right r ON l.k = r.k', rowMode: 'array' });
    expect(outer.rows).toEqual([['300', '100']]);
  });
});

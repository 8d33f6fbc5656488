// Access paths against full scans: a seeded random table (bucket key a prefix of the primary key,
// partitioned, and a log table) and random WHERE clauses on key prefixes, ranges, partitions,
// buckets and offsets, each run through its access path with parameters (prepared, so values are
// only known at execution) and compared with the same query written so that no access path applies.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startTestServer, type TestServer } from '../support/server.js';

/** Small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sorted = (rows: readonly unknown[][]): string[] => rows.map((row) => JSON.stringify(row)).sort();

async function rows(client: pg.Client, text: string, values: unknown[]): Promise<string[]> {
  const result = await client.query({ text, values, rowMode: 'array' });
  return sorted(result.rows as unknown[][]);
}

describe('access paths agree with full scans', () => {
  let server: TestServer;
  let client: pg.Client;
  const next = random(20261122);
  const int = (low: number, high: number): number => low + Math.floor(next() * (high - low + 1));

  beforeAll(async () => {
    server = await startTestServer();
    client = await server.client();
    await client.query(`CREATE TABLE kv (a INT, b BIGINT, c NUMERIC(10,2), d TEXT, PRIMARY KEY (a, b, c)) WITH (buckets = 5, bucket_key = 'a')`);
    await client.query(`CREATE TABLE parts (p TEXT, k INT, v INT, PRIMARY KEY (p, k)) PARTITION BY LIST (p) WITH (buckets = 3)`);
    for (const p of ['x', 'y', 'z']) await client.query(`CREATE TABLE parts_${p} PARTITION OF parts FOR VALUES IN ('${p}')`);
    await client.query(`CREATE TABLE events (u INT, v INT) WITH (buckets = 3, bucket_key = 'u')`);
    const kvRows: string[] = [];
    for (let i = 0; i < 400; i++) kvRows.push(`(${int(-5, 5)}, ${int(-20, 20)}, ${int(-300, 300) / 100}, 'r${i}')`);
    await client.query(`INSERT INTO kv VALUES ${kvRows.join(', ')}`);
    const partRows: string[] = [];
    for (let i = 0; i < 200; i++) partRows.push(`('${'xyz'[int(0, 2)]}', ${int(0, 60)}, ${i})`);
    await client.query(`INSERT INTO parts VALUES ${partRows.join(', ')}`);
    for (let batch = 0; batch < 5; batch++) {
      const eventRows: string[] = [];
      for (let i = 0; i < 40; i++) eventRows.push(`(${int(0, 9)}, ${batch * 40 + i})`);
      await client.query(`INSERT INTO events VALUES ${eventRows.join(', ')}`);
    }
  });

  afterAll(async () => { await server.destroy(); });

  it('on a primary-key table with a bucket-key prefix', async () => {
    const ops = ['=', '<', '<=', '>', '>='];
    for (let round = 0; round < 60; round++) {
      const [opA, opB, opC] = [ops[int(0, 4)], ops[int(0, 4)], ops[int(0, 4)]];
      const values = [int(-6, 6), int(-22, 22), int(-320, 320) / 100, int(-22, 22)];
      const fast = `SELECT a, b, c, d FROM kv WHERE a ${opA} $1 AND b ${opB} $2 AND c ${opC} $3 AND b <= $4`;
      const slow = `SELECT a, b, c, d FROM kv WHERE a + 0 ${opA} $1 AND b + 0 ${opB} $2 AND c + 0 ${opC} $3 AND b + 0 <= $4`;
      expect(await rows(client, fast, values), `${fast} ${JSON.stringify(values)}`).toEqual(await rows(client, slow, values));
    }
    const between = 'SELECT a, b FROM kv WHERE a = $1 AND b BETWEEN $2 AND $3';
    for (let round = 0; round < 20; round++) {
      const values = [int(-5, 5), int(-20, 20), int(-20, 20)];
      expect(await rows(client, between, values)).toEqual(await rows(client, 'SELECT a, b FROM kv WHERE a + 0 = $1 AND b + 0 BETWEEN $2 AND $3', values));
    }
    expect(await rows(client, 'SELECT a FROM kv WHERE a = $1', [null])).toEqual([]);
    expect(await rows(client, 'SELECT a, b FROM kv WHERE a > 2.5 AND b < 3.5', [])).toEqual(await rows(client, 'SELECT a, b FROM kv WHERE a + 0 > 2.5 AND b + 0 < 3.5', []));
  });

  it('on a partitioned table', async () => {
    for (let round = 0; round < 30; round++) {
      const values = ['xyzw'[int(0, 3)], 'xyzw'[int(0, 3)], int(0, 60)];
      const fast = 'SELECT p, k, v FROM parts WHERE p IN ($1, $2) AND k >= $3';
      const slow = "SELECT p, k, v FROM parts WHERE p || '' IN ($1, $2) AND k + 0 >= $3";
      expect(await rows(client, fast, values)).toEqual(await rows(client, slow, values));
      const byKey = 'SELECT p, k, v FROM parts WHERE k = $1';
      expect(await rows(client, byKey, [values[2]])).toEqual(await rows(client, 'SELECT p, k, v FROM parts WHERE k + 0 = $1', [values[2]]));
    }
  });

  it('on a log table by bucket key, _bucket and _offset', async () => {
    const ops = ['=', '<', '<=', '>', '>='];
    for (let round = 0; round < 40; round++) {
      const [opLow, opHigh] = [ops[int(0, 4)], ops[int(0, 4)]];
      const values = [int(-2, 80), int(-2, 80), int(0, 3)];
      const fast = `SELECT u, v, _bucket, _offset FROM events WHERE _offset ${opLow} $1 AND _offset ${opHigh} $2 AND _bucket = $3`;
      const slow = `SELECT u, v, _bucket, _offset FROM events WHERE _offset + 0 ${opLow} $1 AND _offset + 0 ${opHigh} $2 AND _bucket + 0 = $3`;
      expect(await rows(client, fast, values), `${fast} ${JSON.stringify(values)}`).toEqual(await rows(client, slow, values));
      const user = int(0, 10);
      expect(await rows(client, 'SELECT v FROM events WHERE u = $1', [user])).toEqual(await rows(client, 'SELECT v FROM events WHERE u + 0 = $1', [user]));
    }
  });
});

// A COPY larger than one log batch: the rows of one statement become several log batches of one
// commit, all visible at once, with contiguous offsets, in log and primary-key tables.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../src/common/limits.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

function csvRows(count: number): Readable {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${i},name ${i},${(i % 1000) / 10}\n`);
  return Readable.from(lines);
}

describe('large COPY', () => {
  it('writes more rows than one log batch holds as one commit', async () => {
    const rows = limits.commitAppendRecordsMax * 2 + 123;
    const client = await server.client();
    await client.query('CREATE TABLE big_log (id BIGINT, name TEXT, score NUMERIC(6,1))');
    await client.query('CREATE TABLE big_pk (id BIGINT PRIMARY KEY, name TEXT, score NUMERIC(6,1)) WITH (buckets = 2)');
    await pipeline(csvRows(rows), client.query(copyFrom('COPY big_log FROM STDIN WITH (FORMAT csv)')));
    await pipeline(csvRows(rows), client.query(copyFrom('COPY big_pk FROM STDIN WITH (FORMAT csv)')));
    const log = await client.query('SELECT count(*) AS n, min(_offset) AS first, max(_offset) AS last, count(DISTINCT _commit_timestamp) AS commits FROM big_log');
    expect(log.rows[0]).toEqual({ n: String(rows), first: '0', last: String(rows - 1), commits: '1' });
    const pk = await client.query('SELECT count(*) AS n, sum(id) AS total FROM big_pk');
    expect(pk.rows[0]).toEqual({ n: String(rows), total: String((rows * (rows - 1)) / 2) });
    const changes = await client.query("SELECT count(*) AS n FROM big_pk$changelog WHERE _change_type = 'insert'");
    expect(changes.rows[0]).toEqual({ n: String(rows) });
  });
});

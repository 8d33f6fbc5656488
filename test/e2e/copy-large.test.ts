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

function csvLines(count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${i},name ${i},${(i % 1000) / 10}\n`);
  return lines;
}

function csvRows(count: number): Readable {
  return Readable.from(csvLines(count));
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

  it('loads a log table chunk by chunk as rows arrive, and writes nothing when a late row fails', async () => {
    const rows = limits.commitAppendRecordsMax * 3 + 77;
    const client = await server.client();
    await client.query("CREATE TABLE chunked (id BIGINT NOT NULL, name TEXT, score NUMERIC(6,1)) WITH (buckets = 3, bucket_key = 'id')");
    await pipeline(csvRows(rows), client.query(copyFrom('COPY chunked FROM STDIN WITH (FORMAT csv)')));
    const loaded = await client.query('SELECT count(*) AS n, sum(id) AS total, sum(score) AS scores, count(DISTINCT name) AS names FROM chunked');
    const scores = Array.from({ length: rows }, (_, i) => i % 1000).reduce((sum, tenths) => sum + tenths, 0) / 10;
    expect(loaded.rows[0]).toEqual({ n: String(rows), total: String((rows * (rows - 1)) / 2), scores: scores.toFixed(1), names: String(rows) });
    const late = Readable.from([...csvLines(rows), `${rows},late,\n`, ',no id,1\n']);
    await expect(pipeline(late, client.query(copyFrom('COPY chunked FROM STDIN WITH (FORMAT csv)')))).rejects.toMatchObject({ code: '23502' });
    await client.query('BEGIN');
    await pipeline(csvRows(10), client.query(copyFrom('COPY chunked FROM STDIN WITH (FORMAT csv)')));
    await client.query('ROLLBACK');
    expect((await client.query('SELECT count(*) AS n FROM chunked')).rows[0]).toEqual({ n: String(rows) });
  });

  it('reads columns added while a COPY into a log table runs as NULL in its rows', async () => {
    const client = await server.client();
    const other = await server.client();
    await client.query('CREATE TABLE growing (id BIGINT, name TEXT)');
    const stream = client.query(copyFrom('COPY growing FROM STDIN WITH (FORMAT csv)'));
    const done = new Promise<void>((resolve, reject) => { stream.on('finish', resolve); stream.on('error', reject); });
    for (let i = 0; i < 20_000; i++) stream.write(`${i},name ${i}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await other.query('ALTER TABLE growing ADD COLUMN extra INT');
    stream.end();
    await done;
    const result = await other.query('SELECT count(*) AS n, count(extra) AS extras, max(id) AS last FROM growing');
    expect(result.rows[0]).toEqual({ n: '20000', extras: '0', last: '19999' });
  });
});

// A COPY into a log table larger than limits.copyStageFromBytes per bucket writes its batches
// ahead of its commit (log-stage.ts): the rows are one commit with contiguous offsets after the
// rows before them, nothing is visible or left on disk before the commit or after a failure, and
// the data survives a restart and a SIGKILL in the middle of a COPY.

import { readdir } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../src/common/limits.js';
import { connect, startProcess } from '../support/server-process.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

const padding = 'x'.repeat(200);

/** Rows `first`.. of about 220 bytes each, as csv lines: id, payload. */
function lines(first: number, count: number): string[] {
  const out: string[] = [];
  for (let id = first; id < first + count; id++) out.push(`${id},${padding}${id}\n`);
  return out;
}

/** Writes `text` lines to a COPY stream in large pieces (a write per line would be one message each). */
function writeLines(stream: NodeJS.WritableStream, text: readonly string[]): void {
  for (let start = 0; start < text.length; start += 4096) stream.write(text.slice(start, start + 4096).join(''));
}

/** Rows enough to pass the staging threshold in each of `buckets` buckets, 1.5 times over. */
function stagedRows(buckets: number): number {
  return Math.ceil((limits.copyStageFromBytes * buckets * 1.5) / 210);
}

/** Files under the data directory's logs, by extension. */
async function logFiles(dataDirectory: string): Promise<{ segments: number; staged: number }> {
  const root = join(dataDirectory, 'log');
  let segments = 0;
  let staged = 0;
  for (const tablet of await readdir(root)) {
    for (const name of await readdir(join(root, tablet))) {
      if (name.endsWith('.log')) segments++;
      if (name.endsWith('.staged')) staged++;
    }
  }
  return { segments, staged };
}

/** Waits until some COPY has staged files in the data directory. */
async function untilStaged(dataDirectory: string): Promise<void> {
  for (let waited = 0; waited < 200 && (await logFiles(dataDirectory)).staged === 0; waited++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect((await logFiles(dataDirectory)).staged).toBeGreaterThan(0);
}

describe('COPY staged ahead of its commit', () => {
  it('commits a staged COPY after the rows before it, with contiguous offsets, and keeps it across a restart', async () => {
    const rows = stagedRows(2);
    const client = await server.client();
    await client.query('CREATE TABLE staged (id BIGINT NOT NULL, payload TEXT) WITH (buckets = 2)');
    await client.query('INSERT INTO staged VALUES (-1, $1), (-2, $1)', ['before']);
    const before = await logFiles(server.dataDirectory);
    await pipeline(Readable.from(lines(0, rows)), client.query(copyFrom('COPY staged FROM STDIN WITH (FORMAT csv)')));
    await client.query('INSERT INTO staged VALUES (-3, $1), (-4, $1)', ['after']);
    const after = await logFiles(server.dataDirectory);
    expect(after.staged).toBe(0);
    // Each bucket's staged batches became at least one segment of their own.
    expect(after.segments).toBeGreaterThanOrEqual(before.segments + 2);
    const check = async (): Promise<void> => {
      const c = await server.client();
      const totals = await c.query('SELECT count(*) AS n, sum(id) AS ids, sum(length(payload)) AS bytes FROM staged');
      const bytes = lines(0, rows).reduce((sum, line) => sum + line.length - line.indexOf(',') - 2, 0) + 4 * 'before'.length - 2;
      expect(totals.rows[0]).toEqual({ n: String(rows + 4), ids: String((rows * (rows - 1)) / 2 - 10), bytes: String(bytes) });
      const buckets = await c.query(
        'SELECT _bucket AS bucket, count(*) AS n, min(_offset) AS first, max(_offset) AS last, count(DISTINCT _commit_timestamp) AS commits FROM staged GROUP BY _bucket ORDER BY _bucket');
      for (const bucket of buckets.rows) {
        expect(bucket.first).toBe('0');
        expect(bucket.last).toBe(String(Number(bucket.n) - 1));
      }
      expect(buckets.rows.map((bucket) => Number(bucket.n)).reduce((sum, n) => sum + n, 0)).toBe(rows + 4);
      const edges = await c.query("SELECT id, _bucket AS bucket, _offset AS offset FROM staged WHERE id < 0 OR id = $1 ORDER BY id", [rows - 1]);
      const offsetOf = (id: number): number => Number(edges.rows.find((row) => Number(row.id) === id)!.offset);
      // The rows inserted before come first in their buckets, those inserted after last.
      for (const id of [-1, -2]) expect(offsetOf(id)).toBe(0);
      for (const id of [-3, -4]) {
        const bucket = edges.rows.find((row) => Number(row.id) === id)!.bucket;
        expect(offsetOf(id)).toBe(Number(buckets.rows.find((row) => row.bucket === bucket)!.last));
      }
    };
    await check();
    await server.restart();
    await check();
  });

  it('leaves nothing behind when a staged COPY fails late or its client goes away', async () => {
    const rows = stagedRows(1);
    const client = await server.client();
    await client.query('CREATE TABLE staged_fail (id BIGINT NOT NULL, payload TEXT)');
    const late = Readable.from([...lines(0, rows), ',no id\n']);
    await expect(pipeline(late, client.query(copyFrom('COPY staged_fail FROM STDIN WITH (FORMAT csv)')))).rejects.toMatchObject({ code: '23502' });
    expect((await client.query('SELECT count(*) AS n FROM staged_fail')).rows[0]).toEqual({ n: '0' });
    expect((await logFiles(server.dataDirectory)).staged).toBe(0);
    const leaving = await server.client();
    const stream = leaving.query(copyFrom('COPY staged_fail FROM STDIN WITH (FORMAT csv)'));
    stream.on('error', () => undefined);
    leaving.on('error', () => undefined);
    writeLines(stream, lines(0, rows));
    await new Promise((resolve) => setTimeout(resolve, 500));
    (leaving as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    for (let waited = 0; waited < 50 && (await logFiles(server.dataDirectory)).staged > 0; waited++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await logFiles(server.dataDirectory)).staged).toBe(0);
    expect((await client.query('SELECT count(*) AS n FROM staged_fail')).rows[0]).toEqual({ n: '0' });
  });

  it('stages a COPY into an empty primary-key table, and appends one it cannot take as it is', async () => {
    const rows = stagedRows(2);
    const client = await server.client();
    await client.query('CREATE TABLE staged_pk (id BIGINT PRIMARY KEY, payload TEXT) WITH (buckets = 2)');
    // The data is sent, CopyDone is not: the batches are staged (and nothing is visible yet).
    const stream = client.query(copyFrom('COPY staged_pk FROM STDIN WITH (FORMAT csv)'));
    const done = new Promise<void>((resolve, reject) => { stream.on('finish', resolve); stream.on('error', reject); });
    writeLines(stream, lines(0, rows));
    await untilStaged(server.dataDirectory);
    const other = await server.client();
    expect((await other.query('SELECT count(*) AS n FROM staged_pk')).rows[0]).toEqual({ n: '0' });
    stream.end();
    await done;
    expect((await logFiles(server.dataDirectory)).staged).toBe(0);
    // Keys ascending past the threshold, then one again: the load is not taken as it is, the stage is dropped.
    const againRows = stagedRows(1);
    await client.query('CREATE TABLE staged_pk_again (id BIGINT PRIMARY KEY, payload TEXT)');
    const again = Readable.from([...lines(0, againRows), '7,seven again\n']);
    await pipeline(again, client.query(copyFrom('COPY staged_pk_again FROM STDIN WITH (FORMAT csv)')));
    expect((await logFiles(server.dataDirectory)).staged).toBe(0);
    const check = async (): Promise<void> => {
      const c = await server.client();
      expect((await c.query('SELECT count(*) AS n, sum(id) AS ids FROM staged_pk')).rows[0]).toEqual({ n: String(rows), ids: String((rows * (rows - 1)) / 2) });
      expect((await c.query('SELECT payload FROM staged_pk WHERE id = $1', [rows - 5])).rows).toEqual([{ payload: `${padding}${rows - 5}` }]);
      const changelog = await c.query(
        'SELECT _bucket AS bucket, count(*) AS n, min(_log_offset) AS first, max(_log_offset) AS last, count(DISTINCT _commit_timestamp) AS commits FROM staged_pk$changelog GROUP BY _bucket ORDER BY _bucket');
      for (const bucket of changelog.rows) expect([bucket.first, bucket.last, bucket.commits]).toEqual(['0', String(Number(bucket.n) - 1), '1']);
      expect((await c.query('SELECT count(*) AS n FROM staged_pk_again')).rows[0]).toEqual({ n: String(againRows) });
      expect((await c.query('SELECT payload FROM staged_pk_again WHERE id = 7')).rows).toEqual([{ payload: 'seven again' }]);
      const changes = await c.query('SELECT _change_type AS change, count(*) AS n FROM staged_pk_again$changelog GROUP BY _change_type ORDER BY 1');
      expect(changes.rows).toEqual([{ change: 'insert', n: String(againRows) }, { change: 'update_after', n: '1' }, { change: 'update_before', n: '1' }]);
    };
    await check();
    await server.restart();
    await check();
  });

  it('keeps none of a COPY killed before its commit, and all of one acknowledged before the kill', async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), 'sluice-staged-crash-'));
    try {
      const rows = stagedRows(1);
      let { child, port } = await startProcess(dataDirectory);
      let client = await connect(port);
      await client.query('CREATE TABLE killed (id BIGINT, payload TEXT)');
      await pipeline(Readable.from(lines(0, rows)), client.query(copyFrom('COPY killed FROM STDIN WITH (FORMAT csv)')));
      const stream = client.query(copyFrom('COPY killed FROM STDIN WITH (FORMAT csv)'));
      stream.on('error', () => undefined);
      writeLines(stream, lines(rows, rows));
      // Killed while the second COPY is staging (its data is sent, CopyDone is not).
      await untilStaged(dataDirectory);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      ({ child, port } = await startProcess(dataDirectory));
      client = await connect(port);
      expect((await client.query('SELECT count(*) AS n, max(id) AS last, max(_offset) AS offset FROM killed')).rows[0])
        .toEqual({ n: String(rows), last: String(rows - 1), offset: String(rows - 1) });
      expect((await logFiles(dataDirectory)).staged).toBe(0);
      await client.end();
      const exitedAgain = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exitedAgain;
    } finally {
      await rm(dataDirectory, { recursive: true, force: true });
    }
  });
});

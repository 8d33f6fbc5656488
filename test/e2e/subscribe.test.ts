// End-to-end: continuous queries (SUBSCRIBE) over every client path — simple query until cancel,
// extended query with row limits (pg-cursor, postgres.js), DECLARE/FETCH with timeouts under both
// protocols, COPY (SUBSCRIBE ...) TO STDOUT read line by line from psql, streaming mode — and their
// semantics: snapshot then changes, commits netted and together, update pairs, incremental
// aggregates, start points and resume tokens, and the errors.

import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import pg from 'pg';
import Cursor from 'pg-cursor';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psqlPath } from '../support/psql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

type Row = Record<string, unknown>;

/** Changes without their commit timestamps (which vary), as [type, ...columns]. */
function changes(rows: readonly Row[], columns: readonly string[]): unknown[][] {
  return rows.map((row) => [row._change_type, ...columns.map((column) => row[column])]);
}

async function fetchAll(client: pg.Client, cursor: string, timeout = '300ms'): Promise<Row[]> {
  return (await client.query(`FETCH ALL ${cursor} WITH (timeout = '${timeout}')`)).rows as Row[];
}

/** Sends a CancelRequest for a pg client's running statement. */
function cancel(client: pg.Client): Promise<void> {
  const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => {
      const packet = Buffer.alloc(16);
      packet.writeInt32BE(16, 0);
      packet.writeInt32BE(80877102, 4);
      packet.writeInt32BE(processID, 8);
      packet.writeInt32BE(secretKey, 12);
      socket.end(packet);
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out waiting'));
      else setTimeout(check, 5);
    };
    check();
  });
}

describe('client paths', () => {
  it('simple query: a snapshot, then changes as they commit, until a CancelRequest (57014)', async () => {
    const client = await server.client();
    const writer = await server.client();
    await writer.query('CREATE TABLE simple_orders (id INT PRIMARY KEY, amount INT) WITH (buckets = 3)');
    await writer.query('INSERT INTO simple_orders VALUES (1, 10), (2, 20)');
    const received: Row[] = [];
    const query = new pg.Query('SUBSCRIBE TO simple_orders');
    query.on('row', (row: Row) => received.push(row));
    const finished = new Promise<unknown>((resolve) => {
      query.on('error', resolve);
      query.on('end', () => resolve(null));
    });
    void client.query(query);
    await waitUntil(() => received.length === 2);
    expect(changes(received, ['id', 'amount']).sort()).toEqual([['insert', 1, 10], ['insert', 2, 20]]);
    expect(Object.keys(received[0]!)).toEqual(['_change_type', '_commit_timestamp', 'id', 'amount']);
    await writer.query('UPDATE simple_orders SET amount = 11 WHERE id = 1');
    await waitUntil(() => received.length === 4);
    expect(changes(received.slice(2), ['id', 'amount'])).toEqual([['update_before', 1, 10], ['update_after', 1, 11]]);
    await writer.query('DELETE FROM simple_orders WHERE id = 2');
    await waitUntil(() => received.length === 5);
    expect(changes(received.slice(4), ['id', 'amount'])).toEqual([['delete', 2, 20]]);
    await cancel(client);
    const error = await finished;
    expect(error).toMatchObject({ code: '57014' });
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('extended query: pg-cursor reads the rows ready, then waits for the next commit', async () => {
    const client = await server.client();
    const writer = await server.client();
    await writer.query('CREATE TABLE cursor_clicks (user_id INT, url TEXT) WITH (buckets = 2)');
    await writer.query("INSERT INTO cursor_clicks VALUES (1, '/a'), (2, '/b'), (3, '/c')");
    const cursor = client.query(new Cursor<Row>('SUBSCRIBE TO cursor_clicks'));
    const first = await cursor.read(100);
    expect(changes(first, ['user_id', 'url']).sort()).toEqual([['insert', 1, '/a'], ['insert', 2, '/b'], ['insert', 3, '/c']]);
    const pending = cursor.read(100);
    let settled = false;
    void pending.then(() => { settled = true; });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    await writer.query("INSERT INTO cursor_clicks VALUES (4, '/d')");
    expect(changes(await pending, ['user_id', 'url'])).toEqual([['insert', 4, '/d']]);
    // A row limit smaller than what is ready: the rest comes with the next read.
    await writer.query("INSERT INTO cursor_clicks VALUES (5, '/e'), (6, '/f'), (7, '/g')");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const two = await cursor.read(2);
    const rest = await cursor.read(10);
    expect(two).toHaveLength(2);
    expect(changes([...two, ...rest], ['user_id']).sort()).toEqual([['insert', 5], ['insert', 6], ['insert', 7]]);
    await cursor.close();
    expect((await client.query('SELECT count(*)::int AS n FROM cursor_clicks')).rows).toEqual([{ n: 7 }]);
  });

  it('postgres.js: a cursor over SUBSCRIBE', async () => {
    const writer = await server.client();
    await writer.query('CREATE TABLE pjs_events (id BIGINT PRIMARY KEY, kind TEXT)');
    await writer.query("INSERT INTO pjs_events VALUES (1, 'open')");
    const sql = postgres({ host: server.host, port: server.port, database: 'sluice', username: 'tester', fetch_types: false, max: 1 });
    try {
      const seen: Row[] = [];
      let wrote = false;
      for await (const rows of sql`SUBSCRIBE TO pjs_events`.cursor(10)) {
        seen.push(...(rows as Row[]));
        if (!wrote) {
          wrote = true;
          await writer.query("INSERT INTO pjs_events VALUES (2, 'close')");
        }
        if (seen.length >= 2) break;
      }
      expect(changes(seen, ['id', 'kind'])).toEqual([['insert', '1', 'open'], ['insert', '2', 'close']]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('DECLARE / FETCH with a timeout, in and outside a transaction block, under both protocols', async () => {
    const client = await server.client();
    const writer = await server.client();
    await writer.query('CREATE TABLE fetch_items (id INT PRIMARY KEY, name TEXT)');
    await writer.query("INSERT INTO fetch_items VALUES (1, 'one')");
    // Outside a block: the subscription cursor lives on, as if declared WITH HOLD.
    await client.query('DECLARE items CURSOR FOR SUBSCRIBE TO fetch_items');
    expect(changes(await fetchAll(client, 'items'), ['id', 'name'])).toEqual([['insert', 1, 'one']]);
    const started = Date.now();
    expect(await fetchAll(client, 'items', '200ms')).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await writer.query("INSERT INTO fetch_items VALUES (2, 'two'), (3, 'three')");
    const extended = await client.query({ text: "FETCH 1 items WITH (timeout = '1s')", queryMode: 'extended' } as pg.QueryConfig);
    expect(extended.rows).toHaveLength(1);
    expect(extended.fields.map((field) => field.name)).toEqual(['_change_type', '_commit_timestamp', 'id', 'name']);
    const restRows = await fetchAll(client, 'items');
    expect(changes([...extended.rows, ...restRows], ['id']).sort()).toEqual([['insert', 2], ['insert', 3]]);
    // A FETCH waits for the next commit when nothing is ready.
    const waiting = client.query("FETCH 10 items WITH (timeout = '5s')");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writer.query("UPDATE fetch_items SET name = 'uno' WHERE id = 1");
    expect(changes((await waiting).rows, ['id', 'name'])).toEqual([['update_before', 1, 'one'], ['update_after', 1, 'uno']]);
    const listed = await writer.query("SELECT pid, table_name, records_behind::int AS behind, rows_sent::int AS sent FROM sluice_catalog.subscriptions WHERE table_name = 'fetch_items'");
    const { processID } = client as unknown as { processID: number };
    expect(listed.rows).toEqual([{ pid: processID, table_name: 'fetch_items', behind: 0, sent: 5 }]);
    await client.query('CLOSE items');
    expect((await writer.query("SELECT count(*)::int AS n FROM sluice_catalog.subscriptions WHERE table_name = 'fetch_items'")).rows).toEqual([{ n: 0 }]);
    await expect(client.query('FETCH 1 items')).rejects.toMatchObject({ code: '34000' });
    // Inside a block: closed at COMMIT.
    await client.query('BEGIN');
    await client.query({ text: 'DECLARE inblock CURSOR FOR SUBSCRIBE (SELECT id FROM fetch_items WHERE id > 1)', queryMode: 'extended' } as pg.QueryConfig);
    expect(changes(await fetchAll(client, 'inblock'), ['id']).sort()).toEqual([['insert', 2], ['insert', 3]]);
    await client.query('COMMIT');
    await expect(client.query('FETCH 1 inblock')).rejects.toMatchObject({ code: '34000' });
    // Batch cursors still follow PostgreSQL's rules.
    await expect(client.query('DECLARE batch CURSOR FOR SELECT * FROM fetch_items')).rejects.toMatchObject({ code: '25P01' });
    await client.query('BEGIN');
    await client.query('DECLARE batch CURSOR FOR SELECT id FROM fetch_items ORDER BY id');
    expect((await client.query('FETCH 2 batch')).rows).toEqual([{ id: 1 }, { id: 2 }]);
    expect((await client.query('MOVE 1 batch')).rowCount).toBe(1);
    expect((await client.query('FETCH ALL batch')).rows).toEqual([]);
    await expect(client.query('FETCH BACKWARD 1 batch')).rejects.toMatchObject({ code: '55000' });
    await client.query('ROLLBACK');
  });

  it('COPY (SUBSCRIBE ...) TO STDOUT: psql prints each change as it arrives', async () => {
    const writer = await server.client();
    await writer.query('CREATE TABLE copy_feed (id INT PRIMARY KEY, note TEXT)');
    await writer.query("INSERT INTO copy_feed VALUES (1, 'first')");
    // Line-buffered output, as psql has on a terminal (on a pipe, stdio would buffer whole blocks).
    const child = spawn('stdbuf', ['-oL', psqlPath, '-h', '127.0.0.1', '-p', String(server.port), '-U', 'tester', '-d', 'sluice', '-X', '-c',
      "COPY (SUBSCRIBE (SELECT id, note FROM copy_feed)) TO STDOUT"], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffered = '';
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
    });
    try {
      await waitUntil(() => lines.length === 1);
      expect(lines[0]).toMatch(/^insert\t\d{4}-\d\d-\d\d [\d:.]+\+00\t1\tfirst$/);
      await writer.query("INSERT INTO copy_feed VALUES (2, 'second')");
      await waitUntil(() => lines.length === 2);
      expect(lines[1]).toMatch(/^insert\t.*\t2\tsecond$/);
      await writer.query('DELETE FROM copy_feed WHERE id = 1');
      await waitUntil(() => lines.length === 3);
      expect(lines[2]).toMatch(/^delete\t.*\t1\tfirst$/);
    } finally {
      child.kill('SIGINT');
    }
  });

  it("SET execution.runtime_mode = 'streaming' makes a SELECT continuous", async () => {
    const client = await server.client();
    const writer = await server.client();
    await writer.query('CREATE TABLE stream_mode (id INT PRIMARY KEY, v INT)');
    await writer.query('INSERT INTO stream_mode VALUES (1, 5)');
    await client.query("SET execution.runtime_mode = 'streaming'");
    expect((await client.query('SHOW execution.runtime_mode')).rows).toEqual([{ 'execution.runtime_mode': 'streaming' }]);
    expect((await client.query('SELECT 1 AS constant')).rows).toEqual([{ constant: 1 }]);
    const cursor = client.query(new Cursor<Row>('SELECT id, v * 2 AS doubled FROM stream_mode'));
    expect(changes(await cursor.read(10), ['id', 'doubled'])).toEqual([['insert', 1, 10]]);
    await writer.query('INSERT INTO stream_mode VALUES (2, 7)');
    expect(changes(await cursor.read(10), ['id', 'doubled'])).toEqual([['insert', 2, 14]]);
    await cursor.close();
    await client.query("SET execution.runtime_mode = 'batch'");
    expect((await client.query('SELECT count(*)::int AS n FROM stream_mode')).rows).toEqual([{ n: 2 }]);
    await expect(client.query("SET execution.runtime_mode = 'sometimes'")).rejects.toMatchObject({ code: '22023' });
  });
});

describe('semantics', () => {
  it("nets each commit's changes and moves aggregates from one commit's value to the next", async () => {
    const client = await server.client();
    const writer = await server.client();
    await writer.query('CREATE TABLE sem_orders (id INT PRIMARY KEY, cust TEXT, price INT) WITH (buckets = 4)');
    await writer.query("INSERT INTO sem_orders VALUES (1, 'a', 10), (2, 'a', 5), (3, 'b', 7)");
    await client.query('DECLARE totals CURSOR FOR SUBSCRIBE (SELECT cust, count(*) AS n, sum(price) AS total, min(price) AS low, max(price) AS high FROM sem_orders GROUP BY cust)');
    await client.query('DECLARE raw CURSOR FOR SUBSCRIBE TO sem_orders WITH (snapshot = false)');
    const columns = ['cust', 'n', 'total', 'low', 'high'];
    expect(changes(await fetchAll(client, 'totals'), columns).sort()).toEqual([['insert', 'a', '2', '15', 5, 10], ['insert', 'b', '1', '7', 7, 7]]);
    expect(await fetchAll(client, 'raw', '50ms')).toEqual([]);
    // One transaction: several statements on several buckets; the subscriber sees one netted step.
    await writer.query('BEGIN');
    await writer.query("INSERT INTO sem_orders VALUES (4, 'b', 1), (5, 'c', 9)");
    await writer.query("INSERT INTO sem_orders VALUES (4, 'b', 50)");
    await writer.query('DELETE FROM sem_orders WHERE id = 2');
    await writer.query('COMMIT');
    const totals = await fetchAll(client, 'totals');
    const steps = changes(totals, columns);
    // Each group's update is a pair, before then after.
    for (const [index, step] of steps.entries()) {
      if (step[0] === 'update_before') expect(steps[index + 1]?.[0]).toBe('update_after');
    }
    expect(steps.sort()).toEqual([
      ['insert', 'c', '1', '9', 9, 9],
      ['update_after', 'a', '1', '10', 10, 10], ['update_after', 'b', '2', '57', 7, 50],
      ['update_before', 'a', '2', '15', 5, 10], ['update_before', 'b', '1', '7', 7, 7],
    ]);
    expect(new Set(totals.map((row) => String(row._commit_timestamp))).size).toBe(1);
    const raw = await fetchAll(client, 'raw');
    expect(changes(raw, ['id', 'price']).sort()).toEqual([['delete', 2, 5], ['insert', 4, 50], ['insert', 5, 9]]);
    // A group's last row going away deletes the group.
    await writer.query("DELETE FROM sem_orders WHERE cust = 'b'");
    expect(changes(await fetchAll(client, 'totals'), columns)).toEqual([['delete', 'b', '2', '57', 7, 50]]);
    await client.query('CLOSE ALL');
  });

  it('starts at earliest, at a timestamp, or right after a resume token', async () => {
    const client = await server.client();
    const writer = await server.client();
    await writer.query('CREATE TABLE resume_log (n INT, tag TEXT) WITH (buckets = 3)');
    await writer.query("INSERT INTO resume_log VALUES (1, 'x'), (2, 'y')");
    const middle = (await writer.query('SELECT now() AS t')).rows[0].t as Date;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writer.query("INSERT INTO resume_log VALUES (3, 'z')");
    await client.query("DECLARE e CURSOR FOR SUBSCRIBE TO resume_log WITH (snapshot = false, start = 'earliest')");
    expect(changes(await fetchAll(client, 'e'), ['n']).sort()).toEqual([['insert', 1], ['insert', 2], ['insert', 3]]);
    await client.query(`DECLARE ts CURSOR FOR SUBSCRIBE TO resume_log WITH (snapshot = false, start = '${middle.toISOString()}')`);
    expect(changes(await fetchAll(client, 'ts'), ['n'])).toEqual([['insert', 3]]);
    // Progress rows carry a token; a new subscription from it continues exactly there.
    await client.query('DECLARE p CURSOR FOR SUBSCRIBE (SELECT n FROM resume_log WHERE n > 1) WITH (progress = true)');
    const first = await fetchAll(client, 'p');
    expect(changes(first.filter((row) => row._change_type !== 'progress'), ['n']).sort()).toEqual([['insert', 2], ['insert', 3]]);
    const progress = first.filter((row) => row._change_type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    const token = progress[progress.length - 1]!._resume_token as string;
    expect(token).toMatch(/^sluice:\d+:/);
    await client.query('CLOSE p');
    await writer.query("INSERT INTO resume_log VALUES (4, 'w'), (0, 'v')");
    await client.query(`DECLARE r CURSOR FOR SUBSCRIBE (SELECT n FROM resume_log WHERE n > 1) WITH (progress = true, snapshot = false, start = '${token}')`);
    const resumed = await fetchAll(client, 'r');
    expect(changes(resumed.filter((row) => row._change_type !== 'progress'), ['n'])).toEqual([['insert', 4]]);
    await expect(client.query("DECLARE bad CURSOR FOR SUBSCRIBE TO resume_log WITH (start = 'sluice:1:2=3')")).rejects.toMatchObject({ code: '22023' });
    await client.query('CLOSE ALL');
  });

  it('follows partitions created after it started', async () => {
    const client = await server.client();
    const writer = await server.client();
    await writer.query('CREATE TABLE by_region (id INT, region TEXT, PRIMARY KEY (id, region)) PARTITION BY LIST (region)');
    await writer.query("CREATE TABLE by_region_eu PARTITION OF by_region FOR VALUES IN ('eu')");
    await writer.query("INSERT INTO by_region VALUES (1, 'eu')");
    await client.query('DECLARE parts CURSOR FOR SUBSCRIBE TO by_region');
    expect(changes(await fetchAll(client, 'parts'), ['id', 'region'])).toEqual([['insert', 1, 'eu']]);
    await writer.query("CREATE TABLE by_region_us PARTITION OF by_region FOR VALUES IN ('us')");
    await writer.query("INSERT INTO by_region VALUES (2, 'us')");
    expect(changes(await fetchAll(client, 'parts'), ['id', 'region'])).toEqual([['insert', 2, 'us']]);
    await client.query('CLOSE parts');
  });

  it('refuses what it cannot maintain, and bad options, with clear errors', async () => {
    const client = await server.client();
    await client.query('CREATE TABLE refused (id INT PRIMARY KEY, s TEXT)');
    const cases: [string, string, RegExp][] = [
      ['SUBSCRIBE (SELECT * FROM refused ORDER BY id)', '0A000', /ORDER BY/],
      ['SUBSCRIBE (SELECT * FROM refused LIMIT 3)', '0A000', /LIMIT/],
      ['SUBSCRIBE (SELECT string_agg(s, \',\') FROM refused)', '0A000', /string_agg/],
      ['SUBSCRIBE (SELECT 1)', '0A000', /table/],
      ['SUBSCRIBE TO refused WITH (snapshot = maybe)', '22023', /Boolean/],
      ['SUBSCRIBE TO refused WITH (speed = 3)', '42601', /unrecognized SUBSCRIBE option "speed"/],
      ["SUBSCRIBE TO refused WITH (start = 'yesterday-ish')", '22023', /start/],
      ['SUBSCRIBE TO nowhere', '42P01', /"nowhere" does not exist/],
      ['SUBSCRIBE TO refused extra', '42601', /"extra"/],
      ["FETCH 1 nothing WITH (timeout = '1s')", '34000', /cursor "nothing" does not exist/],
      ["FETCH 1 nothing WITH (timeout = 'soon')", '22023', /timeout/],
    ];
    for (const [sql, code, message] of cases) {
      const error = await client.query(sql).catch((thrown: pg.DatabaseError) => thrown);
      expect(error, sql).toMatchObject({ code });
      expect((error as Error).message, sql).toMatch(message);
    }
    const positioned = await client.query('SUBSCRIBE (SELECT nope FROM refused)').catch((thrown: pg.DatabaseError) => thrown);
    expect(positioned).toMatchObject({ code: '42703', position: '19' });
    expect((await client.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
  });
});

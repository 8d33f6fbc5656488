// COPY FROM STDIN into primary-key tables (the bulk load of pk-copy-sink.ts): the changelog of
// loads into empty and non-empty tables, keys out of order and repeated within one COPY (successive
// upserts), merge engines, writes arriving while a load commits, NOT NULL and type errors that
// write nothing, a column added during a load, and a load that is not the table's whole width.
// Rows taken as their fields' bytes (one bucket) must load exactly as rows taken as Values.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../src/common/limits.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

async function copyIn(client: pg.Client, sql: string, lines: readonly string[]): Promise<void> {
  await pipeline(Readable.from(lines.map((line) => Buffer.from(line))), client.query(copyFrom(sql)));
}

async function changelog(client: pg.Client, table: string): Promise<string[]> {
  const result = await client.query(`SELECT _change_type, id, name FROM ${table}$changelog ORDER BY _log_offset`);
  return result.rows.map((row: { _change_type: string; id: string; name: string | null }) => `${row._change_type} ${row.id} ${row.name}`);
}

async function rows(client: pg.Client, table: string): Promise<string[]> {
  const result = await client.query(`SELECT id, name FROM ${table} ORDER BY id`);
  return result.rows.map((row: { id: string; name: string | null }) => `${row.id} ${row.name}`);
}

describe('COPY into primary-key tables', () => {
  it('emits inserts, updates and nothing for repeats, with keys out of order and repeated in one COPY', async () => {
    const client = await server.client();
    await client.query('CREATE TABLE repeats (id BIGINT PRIMARY KEY, name TEXT)');
    await copyIn(client, 'COPY repeats FROM STDIN', ['3\ta\n1\tb\n3\tc\n3\tc\n2\t\\N\n']);
    expect(await changelog(client, 'repeats')).toEqual([
      'insert 3 a', 'insert 1 b', 'update_before 3 a', 'update_after 3 c', 'insert 2 null',
    ]);
    expect(await rows(client, 'repeats')).toEqual(['1 b', '2 null', '3 c']);
  });

  it('updates existing rows of a non-empty table and writes nothing for unchanged ones', async () => {
    const client = await server.client();
    await client.query('CREATE TABLE existing (id BIGINT PRIMARY KEY, name TEXT) WITH (buckets = 2)');
    await client.query("INSERT INTO existing VALUES (1, 'x'), (2, 'y')");
    await copyIn(client, 'COPY existing FROM STDIN', ['1\tx\n2\tz\n5\tw\n']);
    expect(await changelog(client, 'existing')).toEqual(expect.arrayContaining(['update_before 2 y', 'update_after 2 z', 'insert 5 w']));
    expect((await changelog(client, 'existing')).length).toBe(5);
    expect(await rows(client, 'existing')).toEqual(['1 x', '2 z', '5 w']);
  });

  it('loads many ascending keys into an empty table over several chunks, and a second COPY of them changes nothing', async () => {
    const count = limits.commitAppendRecordsMax * 2 + 5;
    const lines = Array.from({ length: count }, (_, i) => `${i}\tname ${i}\n`);
    const client = await server.client();
    await client.query('CREATE TABLE ascending (id BIGINT PRIMARY KEY, name TEXT) WITH (buckets = 3)');
    await client.query('CREATE INDEX ascending_name ON ascending (name)');
    await copyIn(client, 'COPY ascending FROM STDIN', lines);
    await copyIn(client, 'COPY ascending FROM STDIN', lines);
    const summary = await client.query('SELECT count(*) AS n, sum(id) AS total FROM ascending');
    expect(summary.rows[0]).toEqual({ n: String(count), total: String((count * (count - 1)) / 2) });
    const changes = await client.query('SELECT _change_type, count(*) AS n, count(DISTINCT _commit_timestamp) AS commits FROM ascending$changelog GROUP BY _change_type');
    expect(changes.rows).toEqual([{ _change_type: 'insert', n: String(count), commits: '1' }]);
    expect((await client.query("SELECT id FROM ascending WHERE name = 'name 30000'")).rows).toEqual([{ id: '30000' }]);
    expect((await client.query('SELECT name FROM ascending WHERE id = 32768')).rows).toEqual([{ name: 'name 32768' }]);
  });

  it('keeps the first row under first_row and the newest version under versioned', async () => {
    const client = await server.client();
    await client.query("CREATE TABLE firsts (id BIGINT PRIMARY KEY, name TEXT) WITH (merge_engine = 'first_row')");
    await copyIn(client, 'COPY firsts FROM STDIN', ['1\ta\n2\tb\n1\tc\n']);
    expect(await rows(client, 'firsts')).toEqual(['1 a', '2 b']);
    await client.query("CREATE TABLE versions (id BIGINT PRIMARY KEY, v INT NOT NULL, name TEXT) WITH (merge_engine = 'versioned', version_column = 'v')");
    await copyIn(client, 'COPY versions FROM STDIN', ['1\t5\ta\n2\t1\tb\n1\t4\tc\n1\t6\td\n']);
    expect((await client.query('SELECT id, v, name FROM versions ORDER BY id')).rows)
      .toEqual([{ id: '1', v: 6, name: 'd' }, { id: '2', v: 1, name: 'b' }]);
  });

  it('writes nothing when a late row breaks NOT NULL or does not parse, and loads again afterwards', async () => {
    const count = limits.commitAppendRecordsMax + 10;
    const lines = Array.from({ length: count }, (_, i) => `${i}\tname ${i}\t${i}\n`);
    const client = await server.client();
    await client.query('CREATE TABLE failing (id BIGINT PRIMARY KEY, name TEXT, n INT NOT NULL) WITH (buckets = 2)');
    await expect(copyIn(client, 'COPY failing FROM STDIN', [...lines, `${count}\tlate\t\\N\n`])).rejects.toMatchObject({ code: '23502' });
    await expect(copyIn(client, 'COPY failing FROM STDIN', [...lines, `${count}\tlate\tx\n`])).rejects.toMatchObject({ code: '22P02' });
    expect((await client.query('SELECT count(*) AS n FROM failing')).rows[0]).toEqual({ n: '0' });
    expect((await client.query('SELECT count(*) AS n FROM failing$changelog')).rows[0]).toEqual({ n: '0' });
    await copyIn(client, 'COPY failing FROM STDIN', lines);
    expect((await client.query('SELECT count(*) AS n, sum(n) AS total FROM failing')).rows[0])
      .toEqual({ n: String(count), total: String((count * (count - 1)) / 2) });
  });

  it('sees the rows of a load that other writes commit right after it', async () => {
    const count = limits.commitAppendRecordsMax + 100;
    const lines = Array.from({ length: count }, (_, i) => `${i}\tname ${i}\n`);
    const client = await server.client();
    const other = await server.client();
    await client.query('CREATE TABLE racing (id BIGINT PRIMARY KEY, name TEXT)');
    const load = copyIn(client, 'COPY racing FROM STDIN', lines);
    const upserts: Promise<unknown>[] = [];
    for (let round = 0; round < 40; round++) {
      upserts.push(other.query("INSERT INTO racing VALUES (7, 'seven'), ($1, 'late')", [count + round]));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await load;
    await Promise.all(upserts);
    // Key 7's changelog replays to its row: each change starts from the state the one before left.
    const seven = await client.query('SELECT _change_type, name FROM racing$changelog WHERE id = 7 ORDER BY _log_offset');
    let state: string | null = null;
    for (const { _change_type: change, name } of seven.rows as { _change_type: string; name: string }[]) {
      if (change === 'insert') expect(state).toBeNull();
      else if (change === 'update_before') expect(name).toBe(state);
      else expect(change).toBe('update_after');
      if (change !== 'update_before') state = name;
    }
    expect(seven.rows.filter((row: { _change_type: string; name: string }) => row._change_type !== 'update_before' && row.name === 'name 7').length).toBe(1);
    expect((await client.query('SELECT name FROM racing WHERE id = 7')).rows).toEqual([{ name: state }]);
    expect((await client.query('SELECT count(*) AS n FROM racing')).rows[0]).toEqual({ n: String(count + 40) });
  });

  it('reads a column added during a load as NULL, and loads naming fewer columns as partial updates', async () => {
    const client = await server.client();
    const other = await server.client();
    await client.query('CREATE TABLE widening (id BIGINT PRIMARY KEY, name TEXT)');
    const stream = client.query(copyFrom('COPY widening FROM STDIN'));
    const done = new Promise<void>((resolve, reject) => { stream.on('finish', resolve); stream.on('error', reject); });
    for (let i = 0; i < 20_000; i++) stream.write(`${i}\tname ${i}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await other.query('ALTER TABLE widening ADD COLUMN extra INT');
    stream.end();
    await done;
    expect((await other.query('SELECT count(*) AS n, count(extra) AS extras, max(id) AS last FROM widening')).rows[0])
      .toEqual({ n: '20000', extras: '0', last: '19999' });
    await copyIn(client, 'COPY widening (id, extra) FROM STDIN', ['5\t50\n']);
    expect((await client.query('SELECT name, extra FROM widening WHERE id = 5')).rows).toEqual([{ name: 'name 5', extra: 50 }]);
  });

  it('loads rows taken as field bytes exactly as rows taken as values, in text and csv', async () => {
    const client = await server.client();
    const columns = 'id BIGINT PRIMARY KEY, small SMALLINT, n INT NOT NULL, day DATE, price NUMERIC(12,3), name TEXT';
    await client.query(`CREATE TABLE by_fields (${columns})`);
    await client.query(`CREATE TABLE by_values (${columns}) WITH (buckets = 2)`);
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const id = (i * 7919) % 2000;
      const odd = i % 13 === 0;
      lines.push([
        String(id), odd ? ' 12' : String(i % 9999 - 5000), String(i), odd ? '2024-1-5' : `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 9}`,
        odd ? '1e2' : i % 7 === 0 ? '\\N' : `${i % 2 === 0 ? '-' : ''}${i}.${i % 1000}`,
        i % 11 === 0 ? 'tab\\there' : i % 17 === 0 ? 'café' : i % 5 === 0 ? '\\N' : `name ${i}`,
      ].join('\t') + '\n');
    }
    for (const table of ['by_fields', 'by_values']) await copyIn(client, `COPY ${table} FROM STDIN`, lines);
    const csvLines = ['5000,1,1,2020-01-01,1.5,"quoted"\n', '5001,,2,,,\n', '5000,2,3,2020-01-02,"2.25",plain\n'];
    for (const table of ['by_fields', 'by_values']) await copyIn(client, `COPY ${table} FROM STDIN WITH (FORMAT csv)`, csvLines);
    const contents = async (table: string): Promise<unknown[]> => [
      ...(await client.query({ text: `SELECT * FROM ${table} ORDER BY id`, rowMode: 'array' })).rows,
      ...(await client.query({ text: `SELECT _change_type, id, small, n, day, price, name FROM ${table}$changelog ORDER BY id, _log_offset`, rowMode: 'array' })).rows,
    ];
    const expected = await contents('by_values');
    expect(expected.length).toBeGreaterThan(3000);
    expect(await contents('by_fields')).toEqual(expected);
    await expect(copyIn(client, 'COPY by_fields FROM STDIN', ['9000\t1\t1\t2020-01-01\t1\tx\n', '9001\t1\t\\N\t2020-01-01\t1\tx\n']))
      .rejects.toMatchObject({ code: '23502' });
    expect((await client.query('SELECT count(*) AS n FROM by_fields WHERE id >= 9000')).rows[0]).toEqual({ n: '0' });
  });
});

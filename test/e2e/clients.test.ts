// End-to-end: real clients (node-postgres, postgres.js, psql) against a real server.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psql } from '../support/psql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

describe('node-postgres', () => {
  it('runs simple and parameterized queries', async () => {
    const client = await server.client();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect((await client.query('SELECT $1::int + 1 AS n', [41])).rows).toEqual([{ n: 42 }]);
    expect((await client.query('SELECT $1::text AS t, $2::bigint AS b', ['héllo', '9007199254740993'])).rows)
      .toEqual([{ t: 'héllo', b: '9007199254740993' }]);
    const multi = await client.query('SELECT 1 AS a; SELECT 2 AS b') as unknown as pg.QueryResult[];
    expect(multi.map((result) => result.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
  });

  it('infers parameter types from context', async () => {
    const client = await server.client();
    expect((await client.query('SELECT $1 + 1 AS n', [2])).rows).toEqual([{ n: 3 }]);
    expect((await client.query('SELECT $1 AS t', ['x'])).rows).toEqual([{ t: 'x' }]);
  });

  it('receives binary results', async () => {
    const client = await server.client();
    const result = await client.query({
      text: "SELECT 1::int4 AS i, 2::int8 AS b, 1.5::float8 AS f, true AS t, 'x'::text AS s, 12.34::numeric AS n",
      binary: true,
    } as pg.QueryConfig);
    expect(result.rows[0]).toMatchObject({ i: 1, f: 1.5, t: true, s: 'x' });
  });

  it('reports errors with SQLSTATE and position and keeps the connection', async () => {
    const client = await server.client();
    const error = await client.query('SELECT 1 2').catch((e: pg.DatabaseError) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as pg.DatabaseError).code).toBe('42601');
    expect((error as pg.DatabaseError).position).toBe('10');
    const operator = await client.query("SELECT 1 + 'a'::text").catch((e: pg.DatabaseError) => e);
    expect((operator as pg.DatabaseError).code).toBe('42883');
    expect((operator as pg.DatabaseError).position).toBe('10');
    const missing = await client.query('SELECT nope').catch((e: pg.DatabaseError) => e);
    expect((missing as pg.DatabaseError).code).toBe('42703');
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('tracks the transaction status', async () => {
    const client = await server.client();
    await client.query('BEGIN');
    await expect(client.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query('ROLLBACK');
    expect((await client.query('SELECT 3 AS x')).rows).toEqual([{ x: 3 }]);
  });

  it('refuses an unknown database with 3D000', async () => {
    const client = new pg.Client({ host: server.host, port: server.port, user: 'u', database: 'nope' });
    await expect(client.connect()).rejects.toMatchObject({ code: '3D000' });
  });

  it('connects to a database created with CREATE DATABASE', async () => {
    const admin = await server.client();
    await admin.query('CREATE DATABASE e2e_other');
    const client = await server.client({ database: 'e2e_other' });
    expect((await client.query('SELECT current_database() AS d')).rows).toEqual([{ d: 'e2e_other' }]);
  });
});

describe('postgres.js', () => {
  it('runs queries with parameters', async () => {
    const sql = postgres({ host: server.host, port: server.port, database: 'sluice', username: 'tester', fetch_types: false, max: 1 });
    try {
      expect(await sql`SELECT ${5}::int * 2 AS n`).toEqual([{ n: 10 }]);
      expect(await sql`SELECT ${'a'}::text || ${'b'}::text AS s`).toEqual([{ s: 'ab' }]);
      expect(await sql.unsafe('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await expect(sql`SELECT 1/0`).rejects.toMatchObject({ code: '22012' });
    } finally {
      await sql.end();
    }
  });
});

describe('psql', () => {
  it('runs a command', async () => {
    const result = await psql(server.port, ['-A', '-t', '-c', 'SELECT 40 + 2']);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('42');
  });

  it('runs a script file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sluice-psql-'));
    try {
      const script = join(directory, 'script.sql');
      await writeFile(script, "CREATE TABLE from_script (id INT PRIMARY KEY, name TEXT);\nSELECT 'done' AS status;\n");
      const result = await psql(server.port, ['-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', script]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n')).toEqual(['CREATE TABLE', 'done']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('draws the caret under a syntax error', async () => {
    const result = await psql(server.port, ['-c', 'SELECT 1 2']);
    expect(result.code).not.toBe(0);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('ERROR:  syntax error at or near "2"');
    expect(lines[1]).toBe('LINE 1: SELECT 1 2');
    expect(lines[2]).toBe('                 ^');
  });
});

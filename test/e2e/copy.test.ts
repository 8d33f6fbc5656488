// COPY against the real engine with node-postgres and pg-copy-streams: text, csv and binary in,
// table and query out, psql's \copy, and errors that write nothing.

import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psqlPath } from '../support/psql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const client = await server.client();
  await client.query('CREATE TABLE items (id BIGINT NOT NULL, name TEXT, price NUMERIC(8,2), day DATE) WITH (buckets = 2)');
});
afterAll(async () => { await server.destroy(); });

async function copyIn(client: pg.Client, sql: string, data: string | Buffer): Promise<void> {
  await pipeline(Readable.from([typeof data === 'string' ? Buffer.from(data) : data]), client.query(copyFrom(sql)));
}

async function copyOut(client: pg.Client, sql: string): Promise<string> {
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(sql));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function binaryCopy(rows: [bigint, string | null][]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const [id, name] of rows) {
    const tuple = Buffer.alloc(2 + 4 + 8);
    tuple.writeInt16BE(2, 0);
    tuple.writeInt32BE(8, 2);
    tuple.writeBigInt64BE(id, 6);
    parts.push(tuple);
    if (name === null) {
      const nullField = Buffer.alloc(4);
      nullField.writeInt32BE(-1, 0);
      parts.push(nullField);
    } else {
      const text = Buffer.from(name);
      const length = Buffer.alloc(4);
      length.writeInt32BE(text.length, 0);
      parts.push(length, text);
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  parts.push(trailer);
  return Buffer.concat(parts);
}

describe('COPY', () => {
  it('loads text, csv and binary and writes them back', async () => {
    const client = await server.client();
    await copyIn(client, 'COPY items FROM STDIN', '1\tpen\t1.50\t2026-01-02\n2\t\\N\t\\N\t\\N\n');
    await copyIn(client, "COPY items (id, name) FROM STDIN WITH (FORMAT csv, HEADER)", 'id,name\n3,"a, b"\n4,""\n');
    await copyIn(client, 'COPY items (id, name) FROM STDIN WITH (FORMAT binary)', binaryCopy([[5n, 'bin'], [6n, null]]));
    const text = await copyOut(client, 'COPY (SELECT id, name, price, day FROM items ORDER BY id) TO STDOUT');
    expect(text).toBe('1\tpen\t1.50\t2026-01-02\n2\t\\N\t\\N\t\\N\n3\ta, b\t\\N\t\\N\n4\t\t\\N\t\\N\n5\tbin\t\\N\t\\N\n6\t\\N\t\\N\t\\N\n');
    const csv = await copyOut(client, "COPY (SELECT id, name FROM items WHERE id IN (3, 4) ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)");
    expect(csv).toBe('id,name\n3,"a, b"\n4,""\n');
    const table = await copyOut(client, 'COPY items (id) TO STDOUT');
    expect(table.trim().split('\n').map(Number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects bad data with its line and writes nothing of that COPY', async () => {
    const client = await server.client();
    const error = await copyIn(client, 'COPY items (id, name) FROM STDIN', '10\tok\nnot-a-number\tbad\n').catch((e: pg.DatabaseError) => e);
    expect(error).toMatchObject({ code: '22P02' });
    expect((error as pg.DatabaseError).where).toBe('COPY items, line 2, column id: "not-a-number"');
    await expect(copyIn(client, 'COPY items (id) FROM STDIN', '\\N\n')).rejects.toMatchObject({ code: '23502' });
    await expect(client.query("COPY items FROM '/etc/passwd'")).rejects.toMatchObject({ code: '42501' });
    expect((await client.query('SELECT id FROM items WHERE id >= 10')).rows).toEqual([]);
  });

  it('names the table, or the partition a COPY names, in the context of an error', async () => {
    const client = await server.client();
    await client.query('CREATE TABLE copy_regions (id INT, region TEXT, PRIMARY KEY (id, region)) PARTITION BY LIST (region)');
    await client.query("CREATE TABLE copy_regions_eu PARTITION OF copy_regions FOR VALUES IN ('eu')");
    const whole = await copyIn(client, 'COPY copy_regions FROM STDIN', '1\teu\nx\teu\n').catch((e: pg.DatabaseError) => e);
    expect(whole).toMatchObject({ code: '22P02', where: 'COPY copy_regions, line 2, column id: "x"' });
    const part = await copyIn(client, 'COPY copy_regions_eu FROM STDIN', 'y\teu\n').catch((e: pg.DatabaseError) => e);
    expect(part).toMatchObject({ code: '22P02', where: 'COPY copy_regions_eu, line 1, column id: "y"' });
    expect((await client.query('SELECT count(*)::int AS n FROM copy_regions')).rows).toEqual([{ n: 0 }]);
  });

  it("works through psql's \\copy", async () => {
    const run = promisify(execFile);
    const args = ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'tester', '-d', 'sluice', '-X', '-v', 'ON_ERROR_STOP=1'];
    const load = run(psqlPath, [...args, '-c', '\\copy items (id, name) FROM STDIN WITH (FORMAT csv)']);
    load.child.stdin?.end('20,from psql\n21,again\n');
    expect((await load).stdout.trim()).toBe('COPY 2');
    const out = await run(psqlPath, [...args, '-c', '\\copy (SELECT name FROM items WHERE id >= 20 ORDER BY id) TO STDOUT']);
    expect(out.stdout).toBe('from psql\nagain\n');
  });
});

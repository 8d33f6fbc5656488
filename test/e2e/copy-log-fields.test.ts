// COPY text and csv into a log table whose columns are all read from their fields' bytes (no Value
// per field): the same rows, bucket placement and order as a COPY of the same data that goes the
// general way (a table with one more column, not named), lines with escapes, quotes and values
// the fast parsers leave to parseText mixed in, and the errors with their line numbers.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

const columns = 'k, n, p, d, s, sm';
const definitions = 'k bigint NOT NULL, n int, p numeric(15,2), d date, s text, sm int2';

async function copyIn(client: pg.Client, sql: string, chunks: readonly Buffer[]): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(sql)));
}

/** Text lines: mostly plain, some with escapes, NULLs or values the fast parsers leave to parseText. */
function textLines(count: number): string[] {
  const lines: string[] = [];
  for (let k = 1; k <= count; k++) {
    const odd = k % 37 === 0;
    const n = k % 11 === 0 ? '\\N' : odd ? ` ${k}` : String(k * 7 - 5000);
    const p = k % 13 === 0 ? '\\N' : odd ? `${k}e-2` : `${k % 2 === 0 ? '-' : ''}${k * 3}.${k % 100}`;
    const d = k % 17 === 0 ? '\\N' : odd ? '2024-1-5' : `20${String(10 + (k % 20))}-0${1 + (k % 9)}-1${k % 9}`;
    const s = k % 19 === 0 ? '\\N' : k % 23 === 0 ? `tab\\there ${k}` : k % 29 === 0 ? '' : `comment ${k} ${'x'.repeat(k % 50)}`;
    const sm = k % 31 === 0 ? '\\N' : odd ? '+12' : String((k % 20000) - 10000);
    lines.push(`${k}\t${n}\t${p}\t${d}\t${s}\t${sm}\n`);
  }
  return lines;
}

/** The lines in chunks of about `size` bytes, split inside lines. */
function chunked(lines: readonly string[], size: number): Buffer[] {
  const all = Buffer.from(lines.join(''));
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += size) chunks.push(all.subarray(at, at + size));
  return chunks;
}

async function rowsOf(client: pg.Client, table: string): Promise<unknown[]> {
  return (await client.query(`SELECT ${columns}, _offset, _bucket FROM ${table} ORDER BY k`)).rows
    .map((row: Record<string, unknown>) => ({ ...row, p: row.p === null ? null : String(row.p), d: row.d === null ? null : String(row.d) }));
}

/** Rows in input (k) order go to the buckets in turn; within a bucket, in input order. */
function expectSpread(rows: readonly Record<string, unknown>[], buckets: number): void {
  const first = Number(rows[0]!._bucket);
  rows.forEach((row, index) => { expect(row._bucket).toBe((first + index) % buckets); });
  const perBucket = new Map<number, bigint>();
  for (const row of rows) {
    const bucket = Number(row._bucket);
    const offset = BigInt(row._offset as string);
    if (perBucket.has(bucket)) expect(offset).toBeGreaterThan(perBucket.get(bucket)!);
    perBucket.set(bucket, offset);
  }
}

describe('COPY into a log table from field bytes', () => {
  for (const format of ['text', 'csv'] as const) {
    it(`loads ${format} as the general way does, bucket by bucket, in order`, async () => {
      const client = await server.client();
      const fast = `fields_${format}`;
      const general = `general_${format}`;
      await client.query(`CREATE TABLE ${fast} (${definitions}) WITH (buckets = 4)`);
      await client.query(`CREATE TABLE ${general} (${definitions}, extra bool) WITH (buckets = 4)`);
      let lines = textLines(40_000);
      if (format === 'csv') {
        lines = lines.map((line, index) => line.slice(0, -1).split('\t').map((text, column) => {
          const field = text === '\\N' ? '' : text.replaceAll('\\t', '\t');
          return (column === 4 && index % 3 === 0) || field.includes('\t') ? `"${field}"` : field;
        }).join(',') + '\n');
      }
      const options = format === 'csv' ? ' WITH (FORMAT csv)' : '';
      await copyIn(client, `COPY ${fast} FROM STDIN${options}`, chunked(lines, 65_536));
      await copyIn(client, `COPY ${general} (${columns}) FROM STDIN${options}`, chunked(lines, 50_000));
      const fastRows = await rowsOf(client, fast) as Record<string, unknown>[];
      const generalRows = await rowsOf(client, general) as Record<string, unknown>[];
      expect(fastRows.length).toBe(40_000);
      expectSpread(fastRows, 4);
      expectSpread(generalRows, 4);
      const strip = (rows: Record<string, unknown>[]): unknown[] => rows.map(({ _offset, _bucket, ...rest }) => rest);
      expect(strip(fastRows)).toEqual(strip(generalRows));
      expect(fastRows[22]).toMatchObject({ k: '23', s: 'tab\there 23' });
      expect(fastRows[36]).toMatchObject({ k: '37', n: 37, sm: 12, d: expect.stringContaining('2024') });
    });
  }

  it('reports bad values with their line and column and writes nothing', async () => {
    const client = await server.client();
    await client.query(`CREATE TABLE fields_errors (${definitions}) WITH (buckets = 3)`);
    const cases: [string, string, RegExp][] = [
      ['1\t2\t3.5\t2024-01-02\ta\t7\n2\t2x\t1\t2024-01-02\tb\t7\n', '22P02', /^COPY fields_errors, line 2, column n: "2x"$/],
      ['1\t2\t3.5\t2024-01-02\ta\t7\n2\t2\t1\t2024-01-02\tb\t7\n3\t2\t1\t2024-01-02\tb\t40000\n', '22003', /^COPY fields_errors, line 3, column sm: "40000"$/],
      ['1\t2\t3.5\t2024-01-02\ta\t7\n2\t2\t1\t2024-02-30\tb\t7\n', '22008', /^COPY fields_errors, line 2, column d: "2024-02-30"$/],
      ['1\t2\t12345678901234.5\t2024-01-02\ta\t7\n', '22003', /^COPY fields_errors, line 1, column p: "12345678901234.5"$/],
      ['1\t2\t3.5\t2024-01-02\ta\n', '22P04', /^COPY fields_errors, line 1: /],
    ];
    for (const [data, code, where] of cases) {
      const error = await copyIn(client, 'COPY fields_errors FROM STDIN', [Buffer.from(data)]).catch((thrown: pg.DatabaseError) => thrown);
      expect(error).toMatchObject({ code });
      expect((error as pg.DatabaseError).where).toMatch(where);
    }
    await expect(copyIn(client, 'COPY fields_errors FROM STDIN', [Buffer.from('1\t2\t3\t2024-01-02\ta\t7\n\\N\t2\t3\t2024-01-02\ta\t7\n')]))
      .rejects.toMatchObject({ code: '23502', column: 'k' });
    expect((await client.query('SELECT count(*)::int AS n FROM fields_errors')).rows).toEqual([{ n: 0 }]);
  });
});

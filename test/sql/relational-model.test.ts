// Joins, semi/anti joins (EXISTS, IN), DISTINCT and set operations against a simple in-memory
// model: two seeded random tables with duplicate and NULL keys, every join type with equality
// keys (hash join), with a residual condition, and with a non-equality condition (nested loop),
// each query's rows compared as sorted multisets with the model's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startTestServer, type TestServer } from '../support/server.js';

type Cell = number | null;
interface Left { readonly k: Cell; readonly v: number }
interface Right { readonly k: Cell; readonly w: number }

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const next = random(4242);
const key = (): Cell => (next() < 0.15 ? null : Math.floor(next() * 12));
const lefts: Left[] = Array.from({ length: 60 }, (_, v) => ({ k: key(), v }));
const rights: Right[] = Array.from({ length: 45 }, (_, w) => ({ k: key(), w: 100 + w }));

const eq = (a: Cell, b: Cell): boolean => a !== null && b !== null && a === b;
const text = (cell: Cell): string => (cell === null ? 'NULL' : String(cell));
const sorted = (rows: string[]): string[] => [...rows].sort();

type Condition = (l: Left, r: Right) => boolean;

function modelJoin(type: 'inner' | 'left' | 'right' | 'full', on: Condition): string[] {
  const rows: string[] = [];
  const matchedRight = new Set<number>();
  for (const l of lefts) {
    let found = false;
    rights.forEach((r, i) => {
      if (!on(l, r)) return;
      found = true;
      matchedRight.add(i);
      rows.push(`${l.v} ${r.w}`);
    });
    if (!found && (type === 'left' || type === 'full')) rows.push(`${l.v} NULL`);
  }
  if (type === 'right' || type === 'full') rights.forEach((r, i) => { if (!matchedRight.has(i)) rows.push(`NULL ${r.w}`); });
  return sorted(rows);
}

let server: TestServer;
let client: pg.Client;

async function rows(sql: string): Promise<string[]> {
  const result = await client.query({ text: sql, rowMode: 'array' });
  return sorted((result.rows as unknown[][]).map((row) => row.map((cell) => (cell === null ? 'NULL' : String(cell))).join(' ')));
}

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client();
  await client.query('CREATE TABLE l (k INT, v INT) WITH (buckets = 3)');
  await client.query('CREATE TABLE r (k INT, w INT) WITH (buckets = 2)');
  await client.query(`INSERT INTO l VALUES ${lefts.map((row) => `(${text(row.k)}, ${row.v})`).join(', ')}`);
  await client.query(`INSERT INTO r VALUES ${rights.map((row) => `(${text(row.k)}, ${row.w})`).join(', ')}`);
});
afterAll(async () => { await server.destroy(); });

describe('joins against a model', () => {
  const conditions: readonly [string, Condition][] = [
    ['l.k = r.k', (l, r) => eq(l.k, r.k)],
    ['l.k = r.k AND l.v % 3 <> r.w % 2', (l, r) => eq(l.k, r.k) && l.v % 3 !== r.w % 2],
    ['l.k < r.k AND r.w < 110', (l, r) => l.k !== null && r.k !== null && l.k < r.k && r.w < 110],
    ['l.k + 1 = r.k OR l.v = r.w - 100', (l, r) => (l.k !== null && r.k !== null && l.k + 1 === r.k) || l.v === r.w - 100],
  ];
  for (const type of ['inner', 'left', 'right', 'full'] as const) {
    for (const [sql, condition] of conditions) {
      it(`${type} join on ${sql}`, async () => {
        expect(await rows(`SELECT l.v, r.w FROM l ${type.toUpperCase()} JOIN r ON ${sql}`)).toEqual(modelJoin(type, condition));
      });
    }
  }

  it('EXISTS, NOT EXISTS, IN and NOT IN', async () => {
    const hasMatch = (l: Left): boolean => rights.some((r) => eq(l.k, r.k));
    const rightKeys = rights.map((r) => r.k);
    expect(await rows('SELECT v FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k)')).toEqual(sorted(lefts.filter(hasMatch).map((l) => `${l.v}`)));
    expect(await rows('SELECT v FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k)')).toEqual(sorted(lefts.filter((l) => !hasMatch(l)).map((l) => `${l.v}`)));
    expect(await rows('SELECT v FROM l WHERE k IN (SELECT k FROM r)')).toEqual(sorted(lefts.filter(hasMatch).map((l) => `${l.v}`)));
    // NOT IN is never true when the subquery returns a NULL.
    const notIn = rightKeys.includes(null) ? [] : lefts.filter((l) => l.k !== null && !rightKeys.includes(l.k));
    expect(await rows('SELECT v FROM l WHERE k NOT IN (SELECT k FROM r)')).toEqual(sorted(notIn.map((l) => `${l.v}`)));
    const nonNullKeys = rightKeys.filter((k) => k !== null);
    expect(await rows('SELECT v FROM l WHERE k NOT IN (SELECT k FROM r WHERE k IS NOT NULL)'))
      .toEqual(sorted(lefts.filter((l) => l.k !== null && !nonNullKeys.includes(l.k)).map((l) => `${l.v}`)));
  });

  it('DISTINCT and set operations', async () => {
    const counts = (keys: readonly Cell[]): Map<string, number> => {
      const map = new Map<string, number>();
      for (const k of keys) map.set(text(k), (map.get(text(k)) ?? 0) + 1);
      return map;
    };
    const left = counts(lefts.map((l) => l.k));
    const right = counts(rights.map((r) => r.k));
    const keysOf = (map: Map<string, number>): string[] => [...map.keys()];
    const repeat = (entries: [string, number][]): string[] => entries.flatMap(([k, n]) => Array.from({ length: Math.max(n, 0) }, () => k));
    expect(await rows('SELECT DISTINCT k FROM l')).toEqual(sorted(keysOf(left)));
    expect(await rows('SELECT k FROM l UNION SELECT k FROM r')).toEqual(sorted([...new Set([...keysOf(left), ...keysOf(right)])]));
    expect(await rows('SELECT k FROM l INTERSECT SELECT k FROM r')).toEqual(sorted(keysOf(left).filter((k) => right.has(k))));
    expect(await rows('SELECT k FROM l EXCEPT SELECT k FROM r')).toEqual(sorted(keysOf(left).filter((k) => !right.has(k))));
    expect(await rows('SELECT k FROM l INTERSECT ALL SELECT k FROM r'))
      .toEqual(sorted(repeat([...left].map(([k, n]) => [k, Math.min(n, right.get(k) ?? 0)]))));
    expect(await rows('SELECT k FROM l EXCEPT ALL SELECT k FROM r'))
      .toEqual(sorted(repeat([...left].map(([k, n]) => [k, n - (right.get(k) ?? 0)]))));
  });
});

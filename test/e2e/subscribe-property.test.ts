// Property test of continuous queries: a seeded random workload of upserts, updates and deletes
// (autocommit and multi-statement blocks, from several connections at once so commits group)
// runs while subscriptions consume it — with a snapshot, without one from the earliest offset,
// over filters, projections and GROUP BY aggregates, over a log table, and one closed and resumed
// from its last resume token. After every round, applying each subscription's changes to an empty
// model gives exactly the batch result of the same query, and every retraction matches a row the
// model holds.

import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { seededRandom as random } from '../storage/log/log-test-support.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

type Row = Record<string, unknown>;

/** A subscription's changes applied to a model of its result. */
class Model {
  private readonly rows = new Map<string, string>();
  private pendingBefore: string | null = null;

  constructor(readonly name: string, readonly query: string, readonly columns: readonly string[], readonly key: readonly string[] | null) {}

  private id(row: Row, index: number): string {
    return this.key === null ? `${this.encode(row)}#${index}` : this.key.map((column) => String(row[column])).join('|');
  }

  encode(row: Row): string {
    return JSON.stringify(this.columns.map((column) => (row[column] === null ? null : String(row[column]))));
  }

  apply(changes: readonly Row[]): void {
    for (const change of changes) {
      const kind = change._change_type as string;
      if (kind === 'progress') continue;
      const encoded = this.encode(change);
      if (this.key === null) {
        this.applyUnkeyed(kind, encoded);
        continue;
      }
      const id = this.id(change, 0);
      if (kind === 'insert') {
        expect(this.rows.has(id), `${this.name}: insert of an existing key ${id}`).toBe(false);
        this.rows.set(id, encoded);
      } else if (kind === 'delete' || kind === 'update_before') {
        expect(this.rows.get(id), `${this.name}: ${kind} of ${encoded}`).toBe(encoded);
        this.rows.delete(id);
        this.pendingBefore = kind === 'update_before' ? id : null;
      } else if (kind === 'update_after') {
        expect(this.pendingBefore, `${this.name}: update_after without update_before`).toBe(id);
        this.pendingBefore = null;
        this.rows.set(id, encoded);
      } else {
        throw new Error(`unexpected change type ${kind}`);
      }
    }
  }

  private applyUnkeyed(kind: string, encoded: string): void {
    const count = Number(this.rows.get(encoded) ?? '0');
    if (kind === 'insert' || kind === 'update_after') this.rows.set(encoded, String(count + 1));
    else {
      expect(count, `${this.name}: retraction of a missing row ${encoded}`).toBeGreaterThan(0);
      if (count === 1) this.rows.delete(encoded);
      else this.rows.set(encoded, String(count - 1));
    }
  }

  contents(): string[] {
    if (this.key !== null) return [...this.rows.values()].sort();
    return [...this.rows].flatMap(([encoded, count]) => Array.from({ length: Number(count) }, () => encoded)).sort();
  }

  async expectMatches(client: pg.Client): Promise<void> {
    const batch = (await client.query(this.query)).rows as Row[];
    expect(this.contents(), this.name).toEqual(batch.map((row) => this.encode(row)).sort());
  }
}

interface Subscription {
  readonly model: Model;
  readonly cursor: string;
  token: string | null;
  open: boolean;
}

/** Every change ready for a cursor, in order. */
async function drain(client: pg.Client, cursor: string): Promise<Row[]> {
  const all: Row[] = [];
  for (;;) {
    const rows = (await client.query(`FETCH ALL ${cursor} WITH (timeout = '0ms')`)).rows as Row[];
    if (rows.length === 0) return all;
    all.push(...rows);
  }
}

it('applying each subscription to an empty model gives the batch result after every round', async () => {
  const next = random(Number(process.env.SLUICE_SEED ?? 20261122));
  const pick = (n: number): number => Math.floor(next() * n);
  const reader = await server.client();
  const writers = await Promise.all([server.client(), server.client(), server.client()]);
  await reader.query('CREATE TABLE prop_kv (id INT PRIMARY KEY, grp INT, val INT) WITH (buckets = 4)');
  await reader.query('CREATE TABLE prop_log (id INT, grp INT, val INT) WITH (buckets = 3)');

  const kvColumns = ['id', 'grp', 'val'];
  const plans: { round: number; model: Model; sql: string }[] = [
    { round: 0, model: new Model('snapshot at start', 'SELECT * FROM prop_kv', kvColumns, ['id']), sql: 'SUBSCRIBE TO prop_kv' },
    { round: 6, model: new Model('snapshot later', 'SELECT * FROM prop_kv', kvColumns, ['id']), sql: 'SUBSCRIBE TO prop_kv' },
    { round: 4, model: new Model('earliest, no snapshot', 'SELECT * FROM prop_kv', kvColumns, ['id']),
      sql: "SUBSCRIBE TO prop_kv WITH (snapshot = false, start = 'earliest')" },
    { round: 3, model: new Model('aggregate', 'SELECT grp, count(*) AS n, sum(val) AS s, min(val) AS lo, max(val) AS hi, avg(val) AS mean FROM prop_kv GROUP BY grp',
      ['grp', 'n', 's', 'lo', 'hi', 'mean'], ['grp']),
      sql: 'SUBSCRIBE (SELECT grp, count(*) AS n, sum(val) AS s, min(val) AS lo, max(val) AS hi, avg(val) AS mean FROM prop_kv GROUP BY grp)' },
    { round: 5, model: new Model('filter and projection', 'SELECT id, val * 2 AS v2 FROM prop_kv WHERE val % 3 = 0', ['id', 'v2'], ['id']),
      sql: 'SUBSCRIBE (SELECT id, val * 2 AS v2 FROM prop_kv WHERE val % 3 = 0)' },
    { round: 2, model: new Model('resumed', 'SELECT id, val FROM prop_kv WHERE grp < 3', ['id', 'val'], ['id']),
      sql: 'SUBSCRIBE (SELECT id, val FROM prop_kv WHERE grp < 3) WITH (progress = true)' },
    { round: 1, model: new Model('log aggregate', 'SELECT grp, count(*) AS n, sum(val) AS s FROM prop_log GROUP BY grp', ['grp', 'n', 's'], ['grp']),
      sql: 'SUBSCRIBE (SELECT grp, count(*) AS n, sum(val) AS s FROM prop_log GROUP BY grp)' },
    { round: 7, model: new Model('log rows', 'SELECT * FROM prop_log', kvColumns, null), sql: 'SUBSCRIBE TO prop_log' },
  ];
  const subscriptions: Subscription[] = [];
  const resumed = (): Subscription | undefined => subscriptions.find((subscription) => subscription.model.name === 'resumed');

  const statement = (): string => {
    const id = pick(40);
    const grp = pick(5);
    switch (pick(7)) {
      case 0: case 1: {
        const rows = Array.from({ length: 1 + pick(4) }, () => `(${pick(40)}, ${pick(5)}, ${pick(100)})`);
        return `INSERT INTO prop_kv VALUES ${rows.join(', ')}`;
      }
      case 2: return `UPDATE prop_kv SET val = val + ${1 + pick(5)} WHERE grp = ${grp}`;
      case 3: return `UPDATE prop_kv SET grp = ${grp} WHERE id = ${id}`;
      case 4: return `DELETE FROM prop_kv WHERE id BETWEEN ${id} AND ${id + pick(4)}`;
      case 5: return `INSERT INTO prop_kv VALUES (${id}, ${grp}, ${pick(100)}) ON CONFLICT (id) DO NOTHING`;
      default: return `INSERT INTO prop_log VALUES (${id}, ${grp}, ${pick(100)}), (${pick(40)}, ${pick(5)}, ${pick(100)})`;
    }
  };

  for (let round = 0; round < 24; round++) {
    for (const plan of plans.filter((candidate) => candidate.round === round)) {
      const cursor = `sub${subscriptions.length}`;
      await reader.query(`DECLARE ${cursor} CURSOR FOR ${plan.sql}`);
      subscriptions.push({ model: plan.model, cursor, token: null, open: true });
    }
    const target = resumed();
    if (round === 11 && target !== undefined) {
      const rows = await drain(reader, target.cursor);
      const progress = rows.filter((row) => row._change_type === 'progress');
      if (progress.length > 0) target.token = progress[progress.length - 1]!._resume_token as string;
      target.model.apply(rows);
      await reader.query(`CLOSE ${target.cursor}`);
      target.open = false;
    }
    if (round === 16 && target !== undefined && target.token !== null) {
      await reader.query(`DECLARE resumed_again CURSOR FOR SUBSCRIBE (SELECT id, val FROM prop_kv WHERE grp < 3) WITH (progress = true, snapshot = false, start = '${target.token}')`);
      Object.assign(target, { cursor: 'resumed_again', open: true });
    }
    await Promise.all(writers.map(async (writer) => {
      for (let step = 0; step < 3; step++) {
        if (pick(3) === 0) {
          await writer.query('BEGIN');
          for (let n = 1 + pick(3); n > 0; n--) await writer.query(statement());
          await writer.query(pick(5) === 0 ? 'ROLLBACK' : 'COMMIT');
        } else {
          await writer.query(statement());
        }
      }
    }));
    for (const subscription of subscriptions) {
      if (!subscription.open) continue;
      const rows = await drain(reader, subscription.cursor);
      const progress = rows.filter((row) => row._change_type === 'progress');
      if (progress.length > 0) subscription.token = progress[progress.length - 1]!._resume_token as string;
      subscription.model.apply(rows);
      await subscription.model.expectMatches(reader);
    }
  }
  expect(subscriptions).toHaveLength(plans.length);
  expect(resumed()?.open).toBe(true);
}, 120_000);

// view_maintenance: a wide table (orders ⋈ customer ⋈ nation) kept as a materialized view while
// new orders stream in. Sluice maintains it with a delta join (each new order looks up its customer
// and nation by key, no join state); PostgreSQL has no incremental view, so its figure is what it
// takes to make the view current once: the same inserts, then REFRESH MATERIALIZED VIEW.
import type pg from 'pg';
import { copyIn } from '../harness/copy-in.js';
import { customerCountFor, generateCustomers, generateNations, orderCopyLine, orderRow } from '../harness/datagen.js';
import { createAndCopy, createCustomerSql, createNationSql, customerColumns, dropTableQuietly, nationColumns, orderColumns } from '../harness/schema.js';
import { runSeconds } from './common.js';
import { openWriters } from './change-feed.js';
import { probeTable, type Figure, type Workload, type WorkloadContext, type WorkloadVariant } from './types.js';

interface ViewVariant extends WorkloadVariant {
  readonly measure: 'throughput' | 'lag' | 'memory' | 'rebuild';
}

const view = 'bench_wide_orders';
const rowsPerStatement = 1000;
const pacedRate = 10_000;
const viewOrders = 100_000;

const viewSql = `CREATE MATERIALIZED VIEW ${view} AS SELECT o.o_orderkey, o.o_totalprice, o.o_orderdate, c.c_name, c.c_mktsegment, n.n_name
  FROM orders_pk o JOIN customer c ON o.o_custkey = c.c_custkey JOIN nation n ON c.c_nationkey = n.n_nationkey`;

export const viewMaintenance: Workload<ViewVariant> = {
  name: 'view_maintenance',
  description:
    'A three-way join view (orders ⋈ customer ⋈ nation, 100 000 orders and 10 000 customers to start with) while new orders arrive in 1 000-row COPY batches over 8 connections. Throughput: source changes per second until the view has them all (PostgreSQL: the same COPYs, then one REFRESH MATERIALIZED VIEW). Lag: the largest maintenance lag seen at a steady 10 000 changes/s (PostgreSQL: the time of one REFRESH, the least staleness a refreshed view has). Memory: the Sluice server\'s resident set after the run. Rebuild: creating the view over the loaded tables (PostgreSQL: REFRESH).',
  // At a fixed 100 000 orders: building a view from existing rows still holds the whole view in
  // memory and writes it as one commit, which takes minutes at millions of rows.
  sizeDependent: false,
  variants: [
    { label: 'maintenance throughput', measure: 'throughput' },
    { label: `lag at ${pacedRate.toLocaleString('en')} changes/s`, measure: 'lag' },
    { label: 'server memory after maintenance', measure: 'memory' },
    { label: 'rebuild from scratch', measure: 'rebuild' },
  ],
  requires: () => [
    `CREATE TABLE ${probeTable} (a int PRIMARY KEY, b int)`,
    `CREATE MATERIALIZED VIEW ${probeTable}_view AS SELECT a, b FROM ${probeTable}`,
    `DROP MATERIALIZED VIEW ${probeTable}_view`,
  ],
  async prepare(context, variant) {
    const rows = viewOrders;
    await context.datasets.ensure('orders_pk', rows);
    const client = await context.connect();
    await loadDimensions(client, rows);
    await client.query(`DROP MATERIALIZED VIEW IF EXISTS ${view}`);
    const created = performance.now();
    await client.query(viewSql);
    const createMs = performance.now() - created;
    const writers = await openWriters(context);
    let nextKey = rows * 4 + 1;
    const customers = customerCountFor(rows);
    return {
      warmups: variant.measure === 'rebuild' || variant.measure === 'memory' ? 0 : 1,
      async run(index): Promise<Figure> {
        if (variant.measure === 'rebuild') {
          if (context.system === 'postgres') return { value: await refreshMs(client), unit: 'ms', better: 'lower' };
          await client.query(`DROP MATERIALIZED VIEW ${view}`);
          const started = performance.now();
          await client.query(viewSql);
          return { value: index < 0 ? createMs : performance.now() - started, unit: 'ms', better: 'lower' };
        }
        if (variant.measure === 'memory') {
          if (context.system === 'postgres') throw new Error('not applicable: PostgreSQL keeps no view state between refreshes');
          await insertFor(writers, runSeconds(context, index), null, () => nextKey++, customers);
          await caughtUp(client, 60_000);
          const server = await client.query('SELECT rss_bytes FROM sluice_catalog.server');
          return { value: Number(server.rows[0].rss_bytes) / 1048576, unit: 'MB', better: 'lower' };
        }
        if (variant.measure === 'lag') {
          if (context.system === 'postgres') {
            await insertFor(writers, runSeconds(context, index), pacedRate, () => nextKey++, customers);
            return { value: await refreshMs(client), unit: 'ms', better: 'lower' };
          }
          let worst = 0;
          let sampling = true;
          const sampler = (async () => {
            while (sampling) {
              const lag = await client.query(`SELECT lag_ms FROM sluice_catalog.materialized_views WHERE view_name = '${view}'`);
              worst = Math.max(worst, Number(lag.rows[0]?.lag_ms ?? 0));
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
          })();
          await insertFor(writers, runSeconds(context, index), pacedRate, () => nextKey++, customers);
          await caughtUp(client, 60_000);
          sampling = false;
          await sampler;
          return { value: worst, unit: 'ms', better: 'lower' };
        }
        const started = performance.now();
        const changes = await insertFor(writers, runSeconds(context, index), null, () => nextKey++, customers);
        if (context.system === 'postgres') await refreshMs(client);
        else await caughtUp(client, 120_000);
        return { value: changes / ((performance.now() - started) / 1000), unit: 'changes/s', better: 'higher' };
      },
      cleanup: async () => {
        await client.query(`DROP MATERIALIZED VIEW IF EXISTS ${view}`);
        await client.query(`DELETE FROM orders_pk WHERE o_orderkey > ${rows * 4}`).catch(() => undefined);
      },
    };
  },
};

/** customer and nation for `rows` orders, with the indexes the delta join looks up by. */
async function loadDimensions(client: pg.Client, rows: number): Promise<void> {
  const customers = customerCountFor(rows);
  const existing = await client.query('SELECT count(*)::int AS n FROM customer').catch(() => null);
  if (existing === null || existing.rows[0].n !== customers) {
    await dropTableQuietly(client, 'customer');
    await createAndCopy(client, createCustomerSql, 'customer', customerColumns, generateCustomers(customers));
    await dropTableQuietly(client, 'nation');
    await createAndCopy(client, createNationSql, 'nation', nationColumns, generateNations());
  }
  await client.query('CREATE INDEX IF NOT EXISTS orders_pk_custkey_idx ON orders_pk (o_custkey)');
  await client.query('CREATE INDEX IF NOT EXISTS customer_nationkey_idx ON customer (c_nationkey)');
}

/** New orders in 1 000-row COPY batches over all writers for `seconds` (paced to `rate` rows/s, or as fast as they go). */
async function insertFor(writers: readonly pg.Client[], seconds: number, rate: number | null, nextKey: () => number, customers: number): Promise<number> {
  const started = performance.now();
  const end = started + seconds * 1000;
  let sent = 0;
  await Promise.all(writers.map(async (writer) => {
    while (performance.now() < end) {
      if (rate !== null) {
        const due = ((performance.now() - started) / 1000) * rate;
        if (sent + rowsPerStatement > due) {
          await new Promise((resolve) => setTimeout(resolve, 2));
          continue;
        }
      }
      let text = '';
      for (let n = 0; n < rowsPerStatement; n++) {
        const key = nextKey();
        text += orderCopyLine({ ...orderRow(key, customers, 7), orderKey: key });
      }
      sent += rowsPerStatement;
      await copyIn(writer, `COPY orders_pk (${orderColumns}) FROM STDIN`, [Buffer.from(text)]);
    }
  }));
  return sent;
}

/** Waits until the Sluice view `name` has written the changes of every commit of its inputs. */
export async function viewCaughtUp(client: pg.Client, name: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const state = await client.query(`SELECT pending_commits, commits_behind, error FROM sluice_catalog.materialized_views WHERE view_name = '${name}'`);
    const row = state.rows[0] as { pending_commits: string; commits_behind: string; error: string | null } | undefined;
    if (row?.error) throw new Error(`view maintenance failed: ${row.error}`);
    if (row !== undefined && row.pending_commits === '0' && row.commits_behind === '0') return;
    if (performance.now() > deadline) throw new Error(`the view did not catch up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function caughtUp(client: pg.Client, timeoutMs: number): Promise<void> {
  await viewCaughtUp(client, view, timeoutMs);
}

async function refreshMs(client: pg.Client): Promise<number> {
  const started = performance.now();
  await client.query(`REFRESH MATERIALIZED VIEW ${view}`);
  return performance.now() - started;
}

export type { WorkloadContext };

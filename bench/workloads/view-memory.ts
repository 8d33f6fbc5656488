// view_memory: how the server's memory follows the size of a wide table's sources. The three-way
// join view (orders ⋈ customer ⋈ nation) is created over the empty sources, which grow by COPY to
// 100 000, 1 000 000 and 5 000 000 orders (customers growing with them) while Sluice maintains the
// view. A delta join keeps no join state, so Sluice's resident memory should stay flat across the
// sizes. The server is one of its own with its bounded caches set small (--cache-memory), so what
// grows with the data is not hidden by caches filling: full caches hold more than the bytes they
// are charged (allocator size classes, hash table slack), 25-35 MB at the default 256 MB. Each size
// is measured three ways: the whole resident set, what it holds beyond the caches' charged bytes
// (the part a join state would grow), and how much of that RocksDB's table readers hold (index and
// filter blocks, which grow with the keys stored). Every reading is taken once the
// server has been idle long enough for its idle collection to have run and for V8 to have shrunk
// its heap again, so the garbage of the last burst of COPYs is not counted.
// PostgreSQL grows the same tables, and its figure is one REFRESH MATERIALIZED VIEW at each size,
// the cost of bringing a view up to date there.
import type pg from 'pg';
import { copyIn } from '../harness/copy-in.js';
import { customerCopyLine, customerCountFor, defaultSeed, nationCopyLine, nationNames, orderCopyLine, orderRow } from '../harness/datagen.js';
import { dropTableQuietly, orderColumns } from '../harness/schema.js';
import type { SystemKind } from '../harness/target.js';
import { probeTable, type Figure, type Workload, type WorkloadVariant } from './types.js';
import { viewCaughtUp } from './view-maintenance.js';

/** What a reading counts: the whole resident set, the part beyond the bounded caches, or RocksDB's table readers in it. */
type MemoryPart = 'resident' | 'beyondCaches' | 'tableReaders';

interface MemoryVariant extends WorkloadVariant {
  readonly orders: number;
  readonly part: MemoryPart;
}

const sizes = [100_000, 1_000_000, 5_000_000];
const view = 'bench_growing_wide';
const rowsPerCopy = 25_000;
const writers = 2;
/**
 * Least idle time before a reading: the server's idle collection runs after 2 s of an idle event
 * loop, at least 10 s after the one before (src/common/idle-memory.ts).
 */
const settleMs = 12_000;
/**
 * A reading waits (up to settleMsMax) until V8 has also shrunk its young generation back, which its
 * memory reducer does some 10-30 s after a burst: until then the heap holds up to ~32 MB more than
 * it uses, and readings taken a few seconds apart differ by that much.
 */
const heapSlackBytesMax = 8 * 1024 * 1024;
const settleMsMax = 60_000;
/** The server's bounded caches, together: 4 MiB each. */
const cacheMemory = '16MB';

/** Orders each system's tables hold now (the variants grow them in turn). */
const grown = new Map<SystemKind, number>();

const tablesSql = (system: SystemKind): string[] => {
  const buckets = (n: number): string => (system === 'sluice' ? ` WITH (buckets = ${n})` : '');
  return [
    'CREATE TABLE vm_nation (n_nationkey int PRIMARY KEY, n_name text NOT NULL, n_regionkey int NOT NULL, n_comment text NOT NULL)',
    'CREATE TABLE vm_customer (c_custkey int PRIMARY KEY, c_name text NOT NULL, c_nationkey int NOT NULL, c_acctbal numeric(15,2) NOT NULL, ' +
      `c_mktsegment text NOT NULL, c_comment text NOT NULL)${buckets(2)}`,
    'CREATE TABLE vm_orders (o_orderkey bigint PRIMARY KEY, o_custkey int NOT NULL, o_totalprice numeric(15,2) NOT NULL, o_orderdate date NOT NULL, ' +
      `o_orderstatus text NOT NULL, o_orderpriority text NOT NULL, o_comment text NOT NULL)${buckets(4)}`,
    'CREATE INDEX vm_orders_custkey ON vm_orders (o_custkey)',
    'CREATE INDEX vm_customer_nationkey ON vm_customer (c_nationkey)',
  ];
};

const viewSql = `CREATE MATERIALIZED VIEW ${view} AS SELECT o.o_orderkey, o.o_totalprice, o.o_orderdate, c.c_name, c.c_mktsegment, n.n_name
  FROM vm_orders o JOIN vm_customer c ON o.o_custkey = c.c_custkey JOIN vm_nation n ON c.c_nationkey = n.n_nationkey`;

export const viewMemory: Workload<MemoryVariant> = {
  name: 'view_memory',
  description:
    `Memory as the sources of a three-way join view grow: the view (orders ⋈ customer ⋈ nation) is created over empty sources, then COPY grows them to 100 000, 1 000 000 and 5 000 000 orders (10 customers per 100 orders) while the view is maintained. Sluice: the resident set of a server of its own, started with \`--cache-memory ${cacheMemory}\` (4 MiB each for the row cache, log frame cache, RocksDB block cache and write buffer), so what grows with the data is not hidden by caches filling, once the view has caught up at each size, the server has been idle for ${settleMs / 1000} s and V8 has given back its heap's slack (at most ${settleMsMax / 1000} s); then the same less the bytes its bounded caches are charged: a delta join keeps no join state, so that part should stay flat. The third row is the part of it held by RocksDB table readers (the index and bloom filter blocks of each SST file, about 1.6 bytes per key: the binding keeps them outside the block cache and its bloom filter at 10 bits per key). The server runs as \`npm start\` runs it (with jemalloc where the machine has it). PostgreSQL: one REFRESH MATERIALIZED VIEW of the same view at each size.`,
  sizeDependent: false,
  ownServer: true,
  serverArgs: ['--cache-memory', cacheMemory],
  variants: sizes.flatMap((orders) => {
    const label = `${orders.toLocaleString('en').replace(/,/g, ' ')} orders`;
    return [
      { label, orders, part: 'resident' as const },
      { label: `${label}, beyond bounded caches`, orders, part: 'beyondCaches' as const },
      { label: `${label}, of which RocksDB table readers`, orders, part: 'tableReaders' as const },
    ];
  }),
  requires: () => [
    `CREATE TABLE ${probeTable} (a int PRIMARY KEY, b int)`,
    `CREATE MATERIALIZED VIEW ${probeTable}_view AS SELECT a, b FROM ${probeTable}`,
    `DROP MATERIALIZED VIEW ${probeTable}_view`,
  ],
  async prepare(context, variant) {
    const client = await context.connect();
    const have = grown.get(context.system) ?? 0;
    if (have === 0 || have > variant.orders) {
      // The view exists before any order, so every size is reached the same way: by COPYs the
      // view is maintained through.
      await reset(client, context.system);
      grown.set(context.system, 0);
      await client.query(viewSql);
      await grow(context, 0, variant.orders);
    } else {
      await grow(context, have, variant.orders);
    }
    grown.set(context.system, variant.orders);
    if (context.system === 'sluice') await viewCaughtUp(client, view, 10 * 60_000);
    const last = variant.orders === sizes[sizes.length - 1] && variant.part === 'tableReaders';
    return {
      warmups: context.system === 'postgres' ? 1 : 0,
      async run(): Promise<Figure> {
        if (context.system === 'postgres') {
          if (variant.part !== 'resident') throw new Error('not applicable: the figure is the REFRESH time of the size above');
          const started = performance.now();
          await client.query(`REFRESH MATERIALIZED VIEW ${view}`);
          return { value: performance.now() - started, unit: 'ms', better: 'lower' };
        }
        await viewCaughtUp(client, view, 60_000);
        const row = await settledReading(client);
        const bytes = variant.part === 'tableReaders' ? Number(row.rocksdb_table_readers_bytes)
          : Number(row.rss_bytes) - (variant.part === 'beyondCaches' ? Number(row.cache_bytes) : 0);
        return { value: bytes / 1048576, unit: 'MB', better: 'lower' };
      },
      cleanup: async () => {
        if (!last) return;
        await reset(client, context.system);
        grown.delete(context.system);
      },
    };
  },
};

async function reset(client: pg.Client, system: SystemKind): Promise<void> {
  await client.query(`DROP MATERIALIZED VIEW IF EXISTS ${view}`).catch(() => undefined);
  for (const table of ['vm_orders', 'vm_customer', 'vm_nation']) await dropTableQuietly(client, table);
  for (const statement of tablesSql(system)) await client.query(statement);
  let nations = '';
  for (let key = 0; key < nationNames.length; key++) nations += nationCopyLine(key);
  await copyIn(client, 'COPY vm_nation FROM STDIN', [Buffer.from(nations)]);
}

/** Grows the sources from `from` to `to` orders: the customers they need first, then the orders, over a few connections. */
async function grow(context: { connect(): Promise<pg.Client> }, from: number, to: number): Promise<void> {
  const connections = await Promise.all(Array.from({ length: writers }, () => context.connect()));
  const customers = customerCountFor(to);
  await copyRanges(connections, customerCountFor(from) + 1, customers, 'COPY vm_customer FROM STDIN', (key) => customerCopyLine(key, defaultSeed));
  await copyRanges(connections, from + 1, to, `COPY vm_orders (${orderColumns}) FROM STDIN`,
    (key) => orderCopyLine(orderRow(key, customers, defaultSeed)));
}

/** COPYs keys first..last in chunks of rowsPerCopy, the chunks spread over the connections. */
async function copyRanges(connections: readonly pg.Client[], first: number, last: number, sql: string, line: (key: number) => string): Promise<void> {
  let next = first;
  await Promise.all(connections.map(async (connection) => {
    while (next <= last) {
      const start = next;
      const end = Math.min(last, start + rowsPerCopy - 1);
      next = end + 1;
      let text = '';
      for (let key = start; key <= end; key++) text += line(key);
      await copyIn(connection, sql, [Buffer.from(text)]);
    }
  }));
}

interface MemoryReading { rss_bytes: string; rocksdb_table_readers_bytes: string; cache_bytes: string }

/** The server's memory once it has been idle settleMs and its heap holds little more than it uses (or settleMsMax has passed). */
async function settledReading(client: pg.Client): Promise<MemoryReading> {
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  for (;;) {
    const result = await client.query('SELECT rss_bytes, rocksdb_table_readers_bytes, heap_total_bytes - heap_used_bytes AS heap_slack_bytes, ' +
      'rocksdb_block_cache_bytes + rocksdb_memtable_bytes + row_cache_bytes + log_frame_cache_bytes AS cache_bytes FROM sluice_catalog.server');
    const row = result.rows[0] as MemoryReading & { heap_slack_bytes: string };
    if (Number(row.heap_slack_bytes) <= heapSlackBytesMax || performance.now() - started >= settleMsMax) return row;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

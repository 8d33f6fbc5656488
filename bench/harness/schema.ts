// DDL and loading for the benchmark tables, per system. The tables have the same columns on
// both systems; only the storage clause differs: an orders table without indexes is a Sluice
// log table (WITH (buckets = 4)) and a plain heap in PostgreSQL, a table with a primary key is
// a Sluice KV table and a heap + B-tree in PostgreSQL.
import type pg from 'pg';
import { copyIn } from './copy-in.js';
import type { CopyData } from './datagen.js';
import type { SystemKind } from './target.js';

export type OrdersLayout = 'log' | 'pk';

export const logTableBuckets = 4;

export const orderColumns =
  'o_orderkey, o_custkey, o_totalprice, o_orderdate, o_orderstatus, o_orderpriority, o_comment';

const orderColumnDefinitions = [
  'o_orderkey bigint NOT NULL',
  'o_custkey int NOT NULL',
  'o_totalprice numeric(15,2) NOT NULL',
  'o_orderdate date NOT NULL',
  'o_orderstatus text NOT NULL',
  'o_orderpriority text NOT NULL',
  'o_comment text NOT NULL',
];

export function createOrdersSql(system: SystemKind, table: string, layout: OrdersLayout): string {
  const columns = [...orderColumnDefinitions];
  if (layout === 'pk') columns.push('PRIMARY KEY (o_orderkey)');
  const storage = layout === 'log' && system === 'sluice' ? ` WITH (buckets = ${logTableBuckets})` : '';
  return `CREATE TABLE ${table} (${columns.join(', ')})${storage}`;
}

export const createCustomerSql =
  'CREATE TABLE customer (c_custkey int PRIMARY KEY, c_name text NOT NULL, c_nationkey int NOT NULL, ' +
  'c_acctbal numeric(15,2) NOT NULL, c_mktsegment text NOT NULL, c_comment text NOT NULL)';

export const createNationSql =
  'CREATE TABLE nation (n_nationkey int PRIMARY KEY, n_name text NOT NULL, n_regionkey int NOT NULL, ' +
  'n_comment text NOT NULL)';

export const customerColumns = 'c_custkey, c_name, c_nationkey, c_acctbal, c_mktsegment, c_comment';
export const nationColumns = 'n_nationkey, n_name, n_regionkey, n_comment';

/** Drops a table if it exists; failures are ignored (cleanup must never fail a run). */
export async function dropTableQuietly(client: pg.Client, table: string): Promise<void> {
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
  } catch {
    // Best effort: a system without DROP TABLE keeps the table until the data directory goes.
  }
}

/** Creates a table and fills it with COPY; verifies the row count the server reports. */
export async function createAndCopy(
  client: pg.Client,
  createSql: string,
  table: string,
  columns: string,
  data: CopyData,
): Promise<void> {
  await client.query(createSql);
  const copied = await copyIn(client, `COPY ${table} (${columns}) FROM STDIN`, data.chunks);
  if (copied !== data.rowCount) {
    throw new Error(`COPY into ${table} reported ${copied} rows, expected ${data.rowCount}`);
  }
}

// psql 15's meta-commands against a Sluice server: \d, \d <table>, \dt, \di, \dn, \l, \dm, \d+,
// \x, and the query psql's tab completion sends for table names. psql runs every catalog query
// it needs and prints nothing when one fails, so each command's printed table is checked whole.
// Also the catalog query postgres.js sends at connect (array types), with fetch_types on.

import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psql } from '../support/psql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const client = await server.client();
  await client.query('CREATE TABLE orders (cust_key INT, order_key BIGINT, price NUMERIC(15,2), note VARCHAR(20), PRIMARY KEY (cust_key, order_key)) WITH (buckets = 4, bucket_key = \'cust_key\')');
  await client.query('CREATE TABLE clicks (user_id BIGINT NOT NULL, url TEXT, ts TIMESTAMPTZ) WITH (buckets = 2)');
  await client.query('CREATE TABLE events (dt TEXT, id BIGINT, body TEXT, PRIMARY KEY (dt, id)) PARTITION BY LIST (dt)');
  await client.query("CREATE TABLE events_20261122 PARTITION OF events FOR VALUES IN ('2026-11-22')");
  await client.query('CREATE SCHEMA audit');
});
afterAll(async () => { await server.destroy(); });

async function meta(command: string, ...options: string[]): Promise<string> {
  const result = await psql(server.port, [...options, '-c', command]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  // psql centres a table's title over its width; compare it without the leading spaces.
  return result.stdout.replace(/^ +/, '');
}

describe('psql meta-commands', () => {
  it('\\d lists tables', async () => {
    expect(await meta('\\d')).toBe([
      'List of relations',
      ' Schema |      Name       |       Type        | Owner  ',
      '--------+-----------------+-------------------+--------',
      ' public | clicks          | table             | tester',
      ' public | events          | partitioned table | tester',
      ' public | events_20261122 | table             | tester',
      ' public | orders          | table             | tester',
      '(4 rows)',
      '', '',
    ].join('\n'));
  });

  it('\\d <table> shows columns, types, nullability and the primary key index', async () => {
    expect(await meta('\\d orders')).toBe([
      'Table "public.orders"',
      '  Column   |         Type          | Collation | Nullable | Default ',
      '-----------+-----------------------+-----------+----------+---------',
      ' cust_key  | integer               |           | not null | ',
      ' order_key | bigint                |           | not null | ',
      ' price     | numeric(15,2)         |           |          | ',
      ' note      | character varying(20) |           |          | ',
      'Indexes:',
      '    "orders_pkey" PRIMARY KEY, btree (cust_key, order_key)',
      '', '',
    ].join('\n'));
  });

  it('\\d of a log table has no index', async () => {
    const output = await meta('\\d clicks');
    expect(output).toContain('Table "public.clicks"');
    expect(output).toContain(' user_id | bigint                   |           | not null | ');
    expect(output).toContain(' ts      | timestamp with time zone |           |          | ');
    expect(output).not.toContain('Indexes:');
  });

  it('\\d of a partitioned table and of its partition', async () => {
    const parent = await meta('\\d events');
    expect(parent).toContain('Partitioned table "public.events"');
    expect(parent).toContain('Partition key: LIST (dt)');
    expect(parent).toContain('"events_pkey" PRIMARY KEY, btree (dt, id)');
    expect(parent).toContain('Number of partitions: 1 (Use \\d+ to list them.)');
    const partition = await meta('\\d events_20261122');
    expect(partition).toContain("Partition of: events FOR VALUES IN ('2026-11-22')");
    const verbose = await meta('\\d+ events');
    expect(verbose).toContain("Partitions: events_20261122 FOR VALUES IN ('2026-11-22')");
  });

  it('\\d+ <table> shows storage, access method and options', async () => {
    const output = await meta('\\d+ orders');
    expect(output).toContain(' cust_key  | integer               |           | not null |         | plain    |');
    expect(output).toContain('Access method: heap');
    expect(output).toContain('Options: buckets=4, bucket_key=cust_key');
  });

  it('\\dt, \\di, \\dn, \\dm', async () => {
    const tables = await meta('\\dt');
    expect(tables).toContain(' public | orders          | table             | tester');
    expect(tables).toContain('(4 rows)');
    expect(await meta('\\di')).toBe([
      'List of relations',
      ' Schema |    Name     |       Type        | Owner  | Table  ',
      '--------+-------------+-------------------+--------+--------',
      ' public | events_pkey | partitioned index | tester | events',
      ' public | orders_pkey | index             | tester | orders',
      '(2 rows)',
      '', '',
    ].join('\n'));
    expect(await meta('\\dn')).toBe([
      'List of schemas',
      '      Name      | Owner  ',
      '----------------+--------',
      ' audit          | tester',
      ' public         | sluice',
      ' sluice_catalog | sluice',
      '(3 rows)',
      '', '',
    ].join('\n'));
    const views = await psql(server.port, ['-c', '\\dm']);
    expect(views.stderr).toBe('Did not find any relations.\n');
    expect(views.code).toBe(0);
  });

  it('\\l lists databases', async () => {
    const output = await meta('\\l');
    expect(output).toContain('List of databases');
    expect(output).toMatch(/^ sluice +\| sluice \| UTF8 +\| C +\| C +\|/m);
  });

  it('\\x toggles expanded output', async () => {
    const result = await psql(server.port, ['-c', '\\x', '-c', "SELECT relname, relkind FROM pg_class WHERE relname = 'orders'"]);
    expect(result.stdout).toBe('Expanded display is on.\n-[ RECORD 1 ]---\nrelname | orders\nrelkind | r\n\n');
  });

  it("tab completion's table-name query", async () => {
    const query = "SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') "
      + "AND (c.relname) LIKE 'or%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')\n"
      + "UNION ALL\nSELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'or%' AND n.nspname NOT LIKE E'pg\\\\_%'\nLIMIT 1000";
    const result = await psql(server.port, ['-A', '-t', '-c', query]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('orders|\n');
  });
});

describe('driver introspection', () => {
  it('postgres.js fetches array types at connect', async () => {
    const sql = postgres({ host: server.host, port: server.port, database: 'sluice', username: 'tester', max: 1 });
    try {
      const rows = await sql`SELECT ${[1, 2, 3]}::int4[] AS ids, ARRAY_TO_STRING(${['a', 'b']}::text[], '-') AS joined`;
      expect(rows[0]).toEqual({ ids: [1, 2, 3], joined: 'a-b' });
    } finally {
      await sql.end();
    }
  });

  it('information_schema describes columns and keys', async () => {
    const client = await server.client();
    const columns = await client.query(
      "SELECT column_name, data_type, is_nullable, numeric_precision, numeric_scale, character_maximum_length FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position");
    expect(columns.rows).toEqual([
      { column_name: 'cust_key', data_type: 'integer', is_nullable: 'NO', numeric_precision: 32, numeric_scale: 0, character_maximum_length: null },
      { column_name: 'order_key', data_type: 'bigint', is_nullable: 'NO', numeric_precision: 64, numeric_scale: 0, character_maximum_length: null },
      { column_name: 'price', data_type: 'numeric', is_nullable: 'YES', numeric_precision: 15, numeric_scale: 2, character_maximum_length: null },
      { column_name: 'note', data_type: 'character varying', is_nullable: 'YES', numeric_precision: null, numeric_scale: null, character_maximum_length: 20 },
    ]);
    const keys = await client.query(
      "SELECT k.column_name, k.ordinal_position FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k "
      + "ON k.constraint_name = c.constraint_name AND k.table_name = c.table_name WHERE c.table_name = 'orders' AND c.constraint_type = 'PRIMARY KEY' ORDER BY 2");
    expect(keys.rows).toEqual([{ column_name: 'cust_key', ordinal_position: 1 }, { column_name: 'order_key', ordinal_position: 2 }]);
  });
});

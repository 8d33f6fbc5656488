// The binder: names and types resolved into Sluice's bound tree, parameter types inferred, and
// errors with the right SQLSTATE and position. Runs against a small in-memory catalog.

import { beforeAll, describe, expect, it } from 'vitest';
import type { NamespaceDef, TableDef } from '../../src/common/catalog-model.js';
import { SqlError } from '../../src/common/errors.js';
import { Types, type DataType } from '../../src/common/types.js';
import { bindStatement } from '../../src/sql/binder/statement-binder.js';
import type { CatalogReader, RelationRef } from '../../src/sql/catalog-reader.js';
import { initParser, parseSql } from '../../src/sql/parser.js';

const orders: TableDef = {
  kind: 'table', oid: 20000, databaseOid: 1, namespaceOid: 2, name: 'orders', owner: 'test', partitions: [], createdAtMs: 0, tabletIds: [1],
  schema: {
    schemaId: 1, primaryKey: ['id'], partitionKey: [],
    columns: [
      { name: 'id', type: Types.int8, nullable: false, id: 1 },
      { name: 'price', type: { name: 'numeric', precision: 15, scale: 2 }, nullable: true, id: 2 },
      { name: 'note', type: { name: 'varchar', precision: 5 }, nullable: true, id: 3 },
    ],
    options: { buckets: 1, bucketKey: ['id'], logTtlMs: 1, mergeEngine: 'last_row', changelogImage: 'full' },
  },
};
const publicSchema: NamespaceDef = { kind: 'namespace', oid: 2, databaseOid: 1, name: 'public', owner: 'test' };

const catalog: CatalogReader = {
  searchPath: () => ['public'],
  creationSchema: () => 'public',
  namespace: (name) => (name === 'public' ? publicSchema : undefined),
  relation: (schema, name): RelationRef | undefined =>
    (schema === null || schema === 'public') && name === 'orders' ? { table: orders, partition: null } : undefined,
  tableByOid: (oid) => (oid === orders.oid ? orders : undefined),
};

function bind(sql: string, hints: (DataType | null)[] = []): ReturnType<typeof bindStatement> {
  const [statement] = parseSql(sql);
  if (statement === undefined) throw new Error('no statement');
  return bindStatement(statement, catalog, hints);
}

function bindError(sql: string): SqlError {
  try {
    bind(sql);
  } catch (error) {
    if (error instanceof SqlError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to fail`);
}

beforeAll(async () => { await initParser(); });

describe('binder', () => {
  it('types expressions and names output columns as PostgreSQL does', () => {
    const { statement } = bind("SELECT 1 + 2.5, 'a' || 'b' AS ab, 1::int8, CAST(NULL AS text), now()");
    expect(statement.kind).toBe('Query');
    if (statement.kind !== 'Query') return;
    expect(statement.columns.map((column) => [column.name, column.type.name])).toEqual([
      ['?column?', 'numeric'], ['ab', 'text'], ['int8', 'int8'], ['text', 'text'], ['now', 'timestamptz'],
    ]);
  });

  it('infers parameter types from their context and keeps declared ones', () => {
    expect(bind('SELECT $1 + 1, $2::date, $3').parameterTypes.map((type) => type.name)).toEqual(['int4', 'date', 'text']);
    expect(bind('SELECT * FROM orders WHERE id = $1 AND price > $2').parameterTypes.map((type) => type.name)).toEqual(['int8', 'numeric']);
    expect(bind('SELECT $1', [Types.int8]).parameterTypes.map((type) => type.name)).toEqual(['int8']);
    expect(bind('INSERT INTO orders (id, note) VALUES ($1, $2)').parameterTypes.map((type) => type.name)).toEqual(['int8', 'varchar']);
  });

  it('resolves table columns, * and hidden columns with their table OIDs', () => {
    const { statement } = bind('SELECT *, _bucket FROM orders o WHERE o.price IS NOT NULL');
    if (statement.kind !== 'Query') throw new Error('not a query');
    expect(statement.columns.map((column) => [column.name, column.tableOid, column.columnNumber])).toEqual([
      ['id', 20000, 1], ['price', 20000, 2], ['note', 20000, 3], ['_bucket', 20000, 0],
    ]);
  });

  it('reports errors with SQLSTATE and position', () => {
    expect(bindError('SELECT nope FROM orders')).toMatchObject({ code: '42703', position: 8 });
    expect(bindError('SELECT * FROM missing')).toMatchObject({ code: '42P01', position: 15 });
    expect(bindError("SELECT 1 + 'x'::text")).toMatchObject({ code: '42883', position: 10 });
    expect(bindError("SELECT 'abc'::int")).toMatchObject({ code: '22P02', position: 8 });
    expect(bindError('SELECT CASE WHEN true THEN 1 ELSE now() END')).toMatchObject({ code: '42804' });
    expect(bindError("INSERT INTO orders (id, note) VALUES (1, 'toolong')")).toMatchObject({ code: '22001' });
    expect(bindError('SELECT * FROM orders WHERE id')).toMatchObject({ code: '42804' });
    expect(bindError('SELECT o.id FROM orders x')).toMatchObject({ code: '42P01' });
  });

  it('validates table options', () => {
    expect(bindError('CREATE TABLE t (a INT) WITH (buckets = 0)')).toMatchObject({ code: '22023' });
    expect(bindError("CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b)) WITH (bucket_key = 'b')")).toMatchObject({ code: '42P16' });
    const { statement } = bind("CREATE TABLE t (a INT, b TEXT, PRIMARY KEY (a)) WITH (\"bucket.num\" = 3, \"table.log.ttl\" = '2 h')");
    expect(statement).toMatchObject({ kind: 'CreateTable', schema: { options: { buckets: 3, logTtlMs: 7_200_000, bucketKey: ['a'] } } });
  });

  it('plans point lookups on the whole primary key and stored counts', () => {
    const lookup = bind('SELECT note FROM orders WHERE id = $1').statement;
    expect(lookup.kind === 'Query' && lookup.plan.kind === 'Project' && lookup.plan.input.kind).toBe('Lookup');
    const residual = bind("SELECT note FROM orders WHERE note = 'x' AND 5 = id").statement;
    expect(residual.kind === 'Query' && residual.plan.kind === 'Project' && residual.plan.input.kind === 'Filter'
      && residual.plan.input.input.kind).toBe('Lookup');
    // A KV range scan: the comparison on the key becomes the scan's lower bound, no filter is left.
    const range = bind('SELECT note FROM orders WHERE id > 5').statement;
    if (range.kind !== 'Query' || range.plan.kind !== 'Project' || range.plan.input.kind !== 'Scan') throw new Error('plan');
    expect(range.plan.input.access?.keyLower).toMatchObject({ inclusive: false, value: { kind: 'Cast' } });
    const numericRange = bind('SELECT note FROM orders WHERE id > 5.5').statement;
    expect(numericRange.kind === 'Query' && numericRange.plan.kind === 'Project' && numericRange.plan.input.kind === 'Filter'
      && numericRange.plan.input.input.kind).toBe('Scan');
    const count = bind('SELECT count(*) FROM orders').statement;
    expect(count.kind === 'Query' && count.plan.kind === 'Project' && count.plan.input.kind).toBe('StoredCount');
    const filtered = bind('SELECT count(*) FROM orders WHERE price > 1').statement;
    expect(filtered.kind === 'Query' && filtered.plan.kind === 'Project' && filtered.plan.input.kind).toBe('Aggregate');
  });

  it('tells scans which columns the query reads', () => {
    const { statement } = bind('SELECT note FROM orders WHERE id > 5.5');
    if (statement.kind !== 'Query' || statement.plan.kind !== 'Project' || statement.plan.input.kind !== 'Filter') throw new Error('plan');
    expect(statement.plan.input.input).toMatchObject({ kind: 'Scan', columns: [0, 2] });
    const all = bind('SELECT * FROM orders').statement;
    if (all.kind !== 'Query' || all.plan.kind !== 'Project') throw new Error('plan');
    expect(all.plan.input).toMatchObject({ kind: 'Scan', columns: [0, 1, 2] });
  });
});

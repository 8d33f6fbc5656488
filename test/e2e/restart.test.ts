// Table definitions survive a restart on the same data directory.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TableDef } from '../../src/common/catalog-model.js';
import { CatalogStore } from '../../src/storage/catalog-store.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
afterAll(async () => { await server?.destroy(); });

describe('catalog durability', () => {
  it('keeps tables, columns and options across a restart', async () => {
    server = await startTestServer();
    const client = await server.client();
    await client.query("CREATE TABLE orders (cust_key INT, order_key BIGINT, price NUMERIC(15,2), PRIMARY KEY (cust_key, order_key)) WITH (buckets = 8, bucket_key = 'cust_key')");
    await client.query('CREATE SCHEMA s');
    await client.query('CREATE TABLE s.log (a TEXT) WITH (buckets = 3)');
    await client.query('ALTER TABLE s.log ADD COLUMN b INT');
    await client.query('CREATE DATABASE second');
    await server.restart();
    const after = await server.client();
    await expect(after.query("CREATE TABLE orders (x INT)")).rejects.toMatchObject({ code: '42P07' });
    await expect(after.query('ALTER TABLE s.log ADD COLUMN b INT')).rejects.toMatchObject({ code: '42701' });
    await expect(after.query('CREATE DATABASE second')).rejects.toMatchObject({ code: '42P04' });
    const other = await server.client({ database: 'second' });
    expect((await other.query('SELECT current_database() AS d')).rows).toEqual([{ d: 'second' }]);
    await server.stop();
    const store = await CatalogStore.open(join(server.dataDirectory, 'catalog'));
    const { objects } = await store.load();
    await store.close();
    const orders = objects.find((object): object is TableDef => object.kind === 'table' && object.name === 'orders');
    expect(orders?.schema.columns.map((column) => [column.name, column.type, column.nullable])).toEqual([
      ['cust_key', { name: 'int4' }, false], ['order_key', { name: 'int8' }, false],
      ['price', { name: 'numeric', precision: 15, scale: 2 }, true],
    ]);
    expect(orders?.schema.primaryKey).toEqual(['cust_key', 'order_key']);
    expect(orders?.schema.options).toMatchObject({ buckets: 8, bucketKey: ['cust_key'], mergeEngine: 'last_row', changelogImage: 'full' });
    const log = objects.find((object): object is TableDef => object.kind === 'table' && object.name === 'log');
    expect(log?.schema.columns.map((column) => column.name)).toEqual(['a', 'b']);
    expect(log?.schema.options.buckets).toBe(3);
  });
});

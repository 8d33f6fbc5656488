// Automatic partitions: values per time unit, precreation ahead of time and retention, against a
// real catalog store and real tablets.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TableDef } from '../../src/common/catalog-model.js';
import { Types } from '../../src/common/types.js';
import { autoPartitionValue, maintainAutoPartitions } from '../../src/engine/auto-partitions.js';
import { Catalog } from '../../src/engine/catalog.js';
import { CatalogStore } from '../../src/storage/catalog-store.js';
import { TableStorage } from '../../src/storage/table-storage.js';

const directories: string[] = [];
afterEach(async () => { await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true }))); });

describe('automatic partitions', () => {
  it('names partitions by UTC time unit', () => {
    const time = new Date(Date.UTC(2026, 11, 31, 23, 30));
    expect(autoPartitionValue('hour', time)).toBe('2026123123');
    expect(autoPartitionValue('hour', time, 1)).toBe('2027010100');
    expect(autoPartitionValue('day', time, 1)).toBe('20270101');
    expect(autoPartitionValue('month', time, -1)).toBe('202611');
    expect(autoPartitionValue('year', time, 2)).toBe('2028');
  });

  it('precreates partitions and drops those past retention', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sluice-auto-'));
    directories.push(directory);
    const store = await CatalogStore.open(join(directory, 'catalog'));
    const catalog = await Catalog.open(store);
    const storage = await TableStorage.open(directory);
    const database = catalog.databases()[0];
    const namespace = database === undefined ? undefined : catalog.namespaces(database.oid)[0];
    if (database === undefined || namespace === undefined) throw new Error('no bootstrap database');
    const table = await catalog.change((edit): TableDef => {
      const created: TableDef = {
        kind: 'table', oid: edit.allocateOid(), databaseOid: database.oid, namespaceOid: namespace.oid, name: 'events', owner: 't',
        partitions: [], createdAtMs: 0, tabletIds: [],
        schema: {
          schemaId: 1, primaryKey: ['dt', 'id'], partitionKey: ['dt'],
          columns: [{ name: 'dt', type: Types.text, nullable: false, id: 1 }, { name: 'id', type: Types.int8, nullable: false, id: 2 }],
          options: { buckets: 2, bucketKey: ['id'], logTtlMs: 1000, mergeEngine: 'last_row', changelogImage: 'full',
            autoPartition: { unit: 'day', precreate: 2, retention: 1 } },
        },
      };
      edit.put.push(created);
      return created;
    });
    const names = (): string[] => {
      const current = catalog.object(table.oid);
      return current?.kind === 'table' ? current.partitions.map((partition) => partition.values[0] ?? '').sort() : [];
    };
    expect(await maintainAutoPartitions(catalog, storage, table.oid, new Date(Date.UTC(2026, 10, 22, 12)))).toBe(true);
    expect(names()).toEqual(['20261122', '20261123']);
    expect(await maintainAutoPartitions(catalog, storage, table.oid, new Date(Date.UTC(2026, 10, 22, 18)))).toBe(false);
    await maintainAutoPartitions(catalog, storage, table.oid, new Date(Date.UTC(2026, 10, 24, 1)));
    expect(names()).toEqual(['20261123', '20261124', '20261125']);
    const current = catalog.object(table.oid);
    if (current?.kind !== 'table') throw new Error('table gone');
    expect(storage.allTablets(current)).toHaveLength(6);
    await storage.close();
    await store.close();
  });
});

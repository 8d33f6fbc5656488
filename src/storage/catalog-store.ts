// Durable home of the catalog: every catalog object as one RocksDB record keyed by its OID, plus
// the OID counter. A catalog change (one DDL statement) is one atomic, fsynced RocksDB batch, so a
// crash leaves either the old or the new catalog, never a mix.

import type { CatalogObject } from '../common/catalog-model.js';
import { firstUserOid } from '../common/catalog-model.js';
import { SqlError, SqlState } from '../common/errors.js';
import { RocksStore, type WriteOperation } from './rocks-store.js';

const objectPrefix = Buffer.from('o/');
const nextOidKey = Buffer.from('m/next_oid');
const formatVersionKey = Buffer.from('m/format');
const formatVersion = 1;

function objectKey(oid: number): Buffer {
  const key = Buffer.alloc(objectPrefix.length + 4);
  objectPrefix.copy(key);
  key.writeUInt32BE(oid, objectPrefix.length);
  return key;
}

export interface CatalogChange {
  readonly put: readonly CatalogObject[];
  readonly remove: readonly number[];
  /** The OID counter after this change. */
  readonly nextOid: number;
}

export class CatalogStore {
  private constructor(private readonly store: RocksStore) {}

  static async open(directory: string): Promise<CatalogStore> {
    const store = await RocksStore.open(directory);
    const version = await store.get(formatVersionKey);
    if (version === undefined) {
      await store.write([{ type: 'put', key: formatVersionKey, value: Buffer.from(String(formatVersion)) }], true);
    } else if (Number(version.toString()) !== formatVersion) {
      await store.close();
      throw new SqlError(SqlState.dataCorrupted, `catalog format ${version.toString()} in ${directory} is not supported`);
    }
    return new CatalogStore(store);
  }

  async load(): Promise<{ objects: CatalogObject[]; nextOid: number }> {
    const objects: CatalogObject[] = [];
    const end = Buffer.from(objectPrefix);
    end[end.length - 1] = (end[end.length - 1] ?? 0) + 1;
    for await (const [, value] of this.store.scan({ gte: objectPrefix, lt: end })) {
      objects.push(JSON.parse(value.toString('utf8')) as CatalogObject);
    }
    const counter = await this.store.get(nextOidKey);
    return { objects, nextOid: counter === undefined ? firstUserOid : Number(counter.toString()) };
  }

  /** Applies one catalog change atomically and durably. */
  async apply(change: CatalogChange): Promise<void> {
    const operations: WriteOperation[] = [];
    for (const object of change.put) {
      operations.push({ type: 'put', key: objectKey(object.oid), value: Buffer.from(JSON.stringify(object), 'utf8') });
    }
    for (const oid of change.remove) operations.push({ type: 'del', key: objectKey(oid) });
    operations.push({ type: 'put', key: nextOidKey, value: Buffer.from(String(change.nextOid)) });
    await this.store.write(operations, true);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

// The live catalog: databases, schemas and tables in memory, loaded from the CatalogStore at start
// and changed only through `change()`, which writes one atomic store batch and then swaps the
// in-memory maps. DDL statements are serialized, so a change never interleaves with another.

import { indexesOf, type CatalogObject, type DatabaseDef, type IndexDef, type NamespaceDef, type PartitionDef, type TableDef } from '../common/catalog-model.js';
import { SqlError, SqlState } from '../common/errors.js';
import type { CatalogStore } from '../storage/catalog-store.js';
import type { CatalogReader, RelationRef } from '../sql/catalog-reader.js';

export const defaultDatabase = 'sluice';
export const defaultSchema = 'public';
export const bootstrapOwner = 'sluice';

export interface CatalogEdit {
  put: CatalogObject[];
  remove: number[];
  allocateOid(): number;
}

export class Catalog {
  private objects = new Map<number, CatalogObject>();
  private nextOid = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumps on every change; prepared statements bound against an older version are rebound. */
  version = 0;

  private constructor(private readonly store: CatalogStore) {}

  static async open(store: CatalogStore): Promise<Catalog> {
    const catalog = new Catalog(store);
    const loaded = await store.load();
    for (const object of loaded.objects) catalog.objects.set(object.oid, object);
    catalog.nextOid = loaded.nextOid;
    if (catalog.database(defaultDatabase) === undefined && catalog.databases().length === 0) {
      await catalog.change((edit) => {
        const database: DatabaseDef = { kind: 'database', oid: edit.allocateOid(), name: defaultDatabase, owner: bootstrapOwner };
        edit.put.push(database, publicSchema(edit.allocateOid(), database.oid));
      });
    }
    return catalog;
  }

  /** Runs `build` against the current catalog and applies its edit atomically; calls are serialized. */
  change<T>(build: (edit: CatalogEdit) => T): Promise<T> {
    const run = async (): Promise<T> => {
      let nextOid = this.nextOid;
      const edit: CatalogEdit = { put: [], remove: [], allocateOid: () => nextOid++ };
      const result = build(edit);
      await this.store.apply({ put: edit.put, remove: edit.remove, nextOid });
      for (const oid of edit.remove) this.objects.delete(oid);
      for (const object of edit.put) this.objects.set(object.oid, object);
      this.nextOid = nextOid;
      this.version++;
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  databases(): DatabaseDef[] {
    return [...this.objects.values()].filter((object): object is DatabaseDef => object.kind === 'database');
  }

  database(name: string): DatabaseDef | undefined {
    return this.databases().find((database) => database.name === name);
  }

  namespaces(databaseOid: number): NamespaceDef[] {
    return [...this.objects.values()].filter(
      (object): object is NamespaceDef => object.kind === 'namespace' && object.databaseOid === databaseOid,
    );
  }

  tables(databaseOid: number): TableDef[] {
    return [...this.objects.values()].filter(
      (object): object is TableDef => object.kind === 'table' && object.databaseOid === databaseOid,
    );
  }

  object(oid: number): CatalogObject | undefined {
    return this.objects.get(oid);
  }

  /** A name-resolution view for one session's database and search path. */
  reader(databaseOid: number, searchPath: () => readonly string[]): CatalogReader {
    return new SessionCatalogReader(this, databaseOid, searchPath);
  }
}

export function publicSchema(oid: number, databaseOid: number): NamespaceDef {
  return { kind: 'namespace', oid, databaseOid, name: defaultSchema, owner: bootstrapOwner };
}

class SessionCatalogReader implements CatalogReader {
  constructor(private readonly catalog: Catalog, private readonly databaseOid: number,
    private readonly path: () => readonly string[]) {}

  searchPath(): readonly string[] {
    return this.path().filter((name) => this.namespace(name) !== undefined);
  }

  viewsReading(tableOids: readonly number[]): readonly TableDef[] {
    return this.catalog.tables(this.databaseOid).filter((table) => table.view !== undefined &&
      (table.view.inputs.some((oid) => tableOids.includes(oid)) || (table.view.target !== undefined && tableOids.includes(table.view.target))));
  }

  relationByOid(oid: number): TableDef | undefined {
    return this.tableByOid(oid);
  }

  creationSchema(): string {
    const first = this.searchPath()[0];
    if (first === undefined) throw new SqlError(SqlState.undefinedSchema, 'no schema has been selected to create in');
    return first;
  }

  namespace(name: string): NamespaceDef | undefined {
    return this.catalog.namespaces(this.databaseOid).find((namespace) => namespace.name === name);
  }

  relation(schema: string | null, name: string): RelationRef | undefined {
    const schemas = schema === null ? this.searchPath() : [schema];
    for (const schemaName of schemas) {
      const namespace = this.namespace(schemaName);
      if (namespace === undefined) continue;
      const found = findRelation(this.catalog.tables(this.databaseOid), namespace.oid, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  tableByOid(oid: number): TableDef | undefined {
    const object = this.catalog.object(oid);
    return object?.kind === 'table' && object.databaseOid === this.databaseOid ? object : undefined;
  }

  index(schema: string | null, name: string): { readonly table: TableDef; readonly index: IndexDef } | undefined {
    const schemas = schema === null ? this.searchPath() : [schema];
    for (const schemaName of schemas) {
      const namespace = this.namespace(schemaName);
      if (namespace === undefined) continue;
      const found = findIndex(this.catalog.tables(this.databaseOid), namespace.oid, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** A secondary index named `name` in one namespace, with its table. */
export function findIndex(tables: readonly TableDef[], namespaceOid: number, name: string): { table: TableDef; index: IndexDef } | undefined {
  for (const table of tables) {
    if (table.namespaceOid !== namespaceOid) continue;
    const index = indexesOf(table).find((candidate) => candidate.name === name);
    if (index !== undefined) return { table, index };
  }
  return undefined;
}

/** A table or partition named `name` in one namespace. */
export function findRelation(tables: readonly TableDef[], namespaceOid: number, name: string): RelationRef | undefined {
  for (const table of tables) {
    if (table.namespaceOid !== namespaceOid) continue;
    if (table.name === name) return { table, partition: null };
    const partition: PartitionDef | undefined = table.partitions.find((candidate) => candidate.name === name);
    if (partition !== undefined) return { table, partition };
  }
  return undefined;
}

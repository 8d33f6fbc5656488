// Executes DDL: each statement validates against the catalog as it is when its change runs
// (changes are serialized) and commits as one atomic catalog write.

import { indexesOf, type DatabaseDef, type IndexDef, type NamespaceDef, type PartitionDef, type TableDef } from '../common/catalog-model.js';
import { SqlError, SqlState } from '../common/errors.js';
import { limits } from '../common/limits.js';
import type { Notice } from '../pgwire/session.js';
import type {
  BoundAddColumn, BoundCreateDatabase, BoundCreatePartition, BoundCreateSchema, BoundCreateTable, BoundDropDatabase,
  BoundDropSchemas, BoundDropTables, BoundCreateIndex, BoundDropIndexes, BoundCreateMaterializedView,
} from '../sql/bound-statement.js';
import { findIndex, findRelation, publicSchema, type Catalog, type CatalogEdit } from './catalog.js';

export interface DdlContext {
  readonly catalog: Catalog;
  readonly databaseOid: number;
  readonly user: string;
  notice(notice: Notice): void;
  /** Databases with open sessions (DROP DATABASE refuses them). */
  sessionsOn(databaseOid: number): number;
}

function skipNotice(context: DdlContext, message: string): void {
  context.notice({ severity: 'NOTICE', code: '42P07', message });
}

function namespaceByName(context: DdlContext, name: string): NamespaceDef | undefined {
  return context.catalog.namespaces(context.databaseOid).find((namespace) => namespace.name === name);
}

function nameTaken(context: DdlContext, namespaceOid: number, name: string): boolean {
  const tables = context.catalog.tables(context.databaseOid);
  return findRelation(tables, namespaceOid, name) !== undefined || findIndex(tables, namespaceOid, name) !== undefined;
}

/** Relation names an index may not take: tables, partitions, indexes, primary-key indexes (`t_pkey`). */
function indexNameTaken(context: DdlContext, namespaceOid: number, name: string): boolean {
  return nameTaken(context, namespaceOid, name) || context.catalog.tables(context.databaseOid)
    .some((table) => table.namespaceOid === namespaceOid && table.schema.primaryKey.length > 0 && `${table.name}_pkey` === name);
}

/** PostgreSQL's default index name: `table_col1_col2_idx`, then `..._idx1`, `..._idx2`, ... while taken. */
function chooseIndexName(context: DdlContext, table: TableDef, columns: readonly string[]): string {
  const base = `${table.name}_${columns.join('_')}`;
  for (let attempt = 0; ; attempt++) {
    const label = `_idx${attempt === 0 ? '' : attempt}`;
    let stem = base;
    while (Buffer.byteLength(stem + label) > limits.identifierBytesMax) stem = stem.slice(0, -1);
    const name = stem + label;
    if (!indexNameTaken(context, table.namespaceOid, name)) return name;
  }
}

/** Builds (or deletes) an index's entries in the table's tablets; provided by the session from storage. */
export interface IndexBuilder {
  build(table: TableDef, index: IndexDef): Promise<void>;
  drop(table: TableDef, indexOid: number): Promise<void>;
}

/**
 * CREATE INDEX: the index's OID is allocated first, its entries are built in every tablet (under
 * the commit pipeline's exclusive section, see storage/table-indexes.ts), and only then does the
 * catalog name it, so no query plans with an index that is not complete. If the catalog change
 * fails the entries are deleted; if the server stops before it, the tablets delete them at open.
 */
export async function createIndex(context: DdlContext, statement: BoundCreateIndex, builder: IndexBuilder): Promise<string> {
  const current = (): TableDef => {
    const table = context.catalog.object(statement.tableOid);
    if (table?.kind !== 'table') throw new SqlError(SqlState.undefinedTable, 'table no longer exists');
    return table;
  };
  const table = current();
  const name = statement.name ?? chooseIndexName(context, table, statement.columns);
  if (indexNameTaken(context, table.namespaceOid, name)) {
    if (statement.ifNotExists) {
      skipNotice(context, `relation "${name}" already exists, skipping`);
      return 'CREATE INDEX';
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }
  const oid = await context.catalog.change((edit) => edit.allocateOid());
  const index: IndexDef = { oid, name, columns: statement.columns, createdAtMs: Date.now() };
  await builder.build(table, index);
  let updated: TableDef;
  try {
    updated = await context.catalog.change((edit) => {
      const latest = current();
      if (indexNameTaken(context, latest.namespaceOid, name)) throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
      const next: TableDef = { ...latest, indexes: [...indexesOf(latest), index] };
      edit.put.push(next);
      return next;
    });
  } catch (error) {
    await builder.drop(table, oid);
    throw error;
  }
  // Partitions created while the index was built opened without it: build it there too.
  await builder.build(updated, index);
  return 'CREATE INDEX';
}

/** DROP INDEX: the catalog forgets the indexes, then their entries are deleted. */
export async function dropIndexes(context: DdlContext, statement: BoundDropIndexes, builder: IndexBuilder): Promise<string> {
  const dropped = await context.catalog.change((edit) => {
    const removed: { table: TableDef; indexOid: number }[] = [];
    for (const target of statement.targets) {
      const table = edit.put.find((object): object is TableDef => object.oid === target.tableOid && object.kind === 'table')
        ?? context.catalog.object(target.tableOid);
      if (table?.kind !== 'table' || !indexesOf(table).some((index) => index.oid === target.indexOid)) continue;
      const next: TableDef = { ...table, indexes: indexesOf(table).filter((index) => index.oid !== target.indexOid) };
      edit.put = [...edit.put.filter((object) => object.oid !== table.oid), next];
      removed.push({ table: next, indexOid: target.indexOid });
    }
    return removed;
  });
  for (const { table, indexOid } of dropped) await builder.drop(table, indexOid);
  return 'DROP INDEX';
}

export async function createTable(context: DdlContext, statement: BoundCreateTable): Promise<string> {
  return context.catalog.change((edit) => {
    const namespace = namespaceByName(context, statement.schemaName);
    if (namespace === undefined) throw new SqlError(SqlState.undefinedSchema, `schema "${statement.schemaName}" does not exist`);
    if (nameTaken(context, namespace.oid, statement.name)) {
      if (statement.ifNotExists) {
        skipNotice(context, `relation "${statement.name}" already exists, skipping`);
        return 'CREATE TABLE';
      }
      throw new SqlError(SqlState.duplicateTable, `relation "${statement.name}" already exists`);
    }
    const table: TableDef = {
      kind: 'table', oid: edit.allocateOid(), databaseOid: context.databaseOid, namespaceOid: namespace.oid,
      name: statement.name, owner: context.user, schema: statement.schema, partitions: [], createdAtMs: Date.now(),
      tabletIds: statement.schema.partitionKey.length > 0 ? [] : allocateTablets(edit, statement.schema.options.buckets),
    };
    edit.put.push(table);
    return 'CREATE TABLE';
  });
}

/** A materialized view is a primary-key table with its definition attached. */
export async function createMaterializedView(context: DdlContext, statement: BoundCreateMaterializedView, searchPath: readonly string[]): Promise<TableDef | null> {
  return context.catalog.change((edit) => {
    const namespace = namespaceByName(context, statement.schemaName);
    if (namespace === undefined) throw new SqlError(SqlState.undefinedSchema, `schema "${statement.schemaName}" does not exist`);
    if (nameTaken(context, namespace.oid, statement.name)) {
      if (statement.ifNotExists) {
        skipNotice(context, `relation "${statement.name}" already exists, skipping`);
        return null;
      }
      throw new SqlError(SqlState.duplicateTable, `relation "${statement.name}" already exists`);
    }
    const table: TableDef = {
      kind: 'table', oid: edit.allocateOid(), databaseOid: context.databaseOid, namespaceOid: namespace.oid,
      name: statement.name, owner: context.user, schema: statement.schema, partitions: [], createdAtMs: Date.now(),
      tabletIds: allocateTablets(edit, statement.schema.options.buckets),
      view: { definition: statement.definition, searchPath, inputs: statement.inputs, ...(statement.target === null ? {} : { target: statement.target }) },
    };
    edit.put.push(table);
    return table;
  });
}

export async function createPartition(context: DdlContext, statement: BoundCreatePartition): Promise<string> {
  return context.catalog.change((edit) => {
    const table = context.catalog.object(statement.parentOid);
    if (table?.kind !== 'table') throw new SqlError(SqlState.undefinedTable, 'partitioned table no longer exists');
    const existing = table.partitions.find((partition) => sameValues(partition.values, statement.values));
    if (nameTaken(context, table.namespaceOid, statement.name) || existing !== undefined) {
      if (statement.ifNotExists) {
        skipNotice(context, `relation "${statement.name}" already exists, skipping`);
        return 'CREATE TABLE';
      }
      if (existing !== undefined) {
        throw new SqlError(SqlState.invalidTableDefinition,
          `partition "${statement.name}" would overlap partition "${existing.name}"`);
      }
      throw new SqlError(SqlState.duplicateTable, `relation "${statement.name}" already exists`);
    }
    const partition: PartitionDef = {
      id: edit.allocateOid(), name: statement.name, values: statement.values, createdAtMs: Date.now(),
      tabletIds: allocateTablets(edit, table.schema.options.buckets),
    };
    edit.put.push({ ...table, partitions: [...table.partitions, partition] });
    return 'CREATE TABLE';
  });
}

function allocateTablets(edit: CatalogEdit, buckets: number): number[] {
  return Array.from({ length: buckets }, () => edit.allocateOid());
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

export async function dropTables(context: DdlContext, statement: BoundDropTables): Promise<string> {
  return context.catalog.change((edit) => {
    for (const target of statement.targets) {
      const table = context.catalog.object(target.tableOid);
      if (table?.kind !== 'table') continue;
      if (target.partitionId === null) {
        edit.remove.push(table.oid);
        continue;
      }
      const current = edit.put.find((object): object is TableDef => object.oid === table.oid && object.kind === 'table') ?? table;
      const updated = { ...current, partitions: current.partitions.filter((partition) => partition.id !== target.partitionId) };
      edit.put = edit.put.filter((object) => object.oid !== table.oid);
      edit.put.push(updated);
    }
    edit.put = edit.put.filter((object) => !edit.remove.includes(object.oid));
    return statement.views === true ? 'DROP MATERIALIZED VIEW' : 'DROP TABLE';
  });
}

export async function addColumn(context: DdlContext, statement: BoundAddColumn): Promise<string> {
  return context.catalog.change((edit) => {
    const table = context.catalog.object(statement.tableOid);
    if (table?.kind !== 'table') throw new SqlError(SqlState.undefinedTable, 'table no longer exists');
    const name = statement.column.name;
    if (table.schema.columns.some((column) => column.name === name)) {
      if (statement.ifNotExists) {
        context.notice({ severity: 'NOTICE', code: '42701', message: `column "${name}" of relation "${table.name}" already exists, skipping` });
        return 'ALTER TABLE';
      }
      throw new SqlError(SqlState.duplicateColumn, `column "${name}" of relation "${table.name}" already exists`);
    }
    const id = Math.max(0, ...table.schema.columns.map((column) => column.id)) + 1;
    const schema = { ...table.schema, schemaId: table.schema.schemaId + 1, columns: [...table.schema.columns, { ...statement.column, id }] };
    edit.put.push({ ...table, schema });
    return 'ALTER TABLE';
  });
}

export async function createSchema(context: DdlContext, statement: BoundCreateSchema): Promise<string> {
  return context.catalog.change((edit) => {
    if (statement.name.startsWith('pg_') || statement.name === 'information_schema' || statement.name === 'sluice_catalog') {
      throw new SqlError('42939', `unacceptable schema name "${statement.name}"`, { detail: 'The prefix "pg_" is reserved for system schemas.' });
    }
    if (namespaceByName(context, statement.name) !== undefined) {
      if (statement.ifNotExists) {
        context.notice({ severity: 'NOTICE', code: '42P06', message: `schema "${statement.name}" already exists, skipping` });
        return 'CREATE SCHEMA';
      }
      throw new SqlError(SqlState.duplicateSchema, `schema "${statement.name}" already exists`);
    }
    edit.put.push({ kind: 'namespace', oid: edit.allocateOid(), databaseOid: context.databaseOid, name: statement.name, owner: context.user });
    return 'CREATE SCHEMA';
  });
}

export async function dropSchemas(context: DdlContext, statement: BoundDropSchemas): Promise<string> {
  return context.catalog.change((edit) => {
    for (const name of statement.names) {
      const namespace = namespaceByName(context, name);
      if (namespace === undefined) {
        if (statement.missingOk) {
          context.notice({ severity: 'NOTICE', code: '00000', message: `schema "${name}" does not exist, skipping` });
          continue;
        }
        throw new SqlError(SqlState.undefinedSchema, `schema "${name}" does not exist`);
      }
      const tables = context.catalog.tables(context.databaseOid).filter((table) => table.namespaceOid === namespace.oid);
      if (tables.length > 0 && !statement.cascade) {
        throw new SqlError(SqlState.dependentObjectsStillExist, `cannot drop schema ${name} because other objects depend on it`,
          { detail: tables.map((table) => `table ${name}.${table.name} depends on schema ${name}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
      }
      edit.remove.push(namespace.oid, ...tables.map((table) => table.oid));
    }
    return 'DROP SCHEMA';
  });
}

export async function createDatabase(context: DdlContext, statement: BoundCreateDatabase): Promise<string> {
  return context.catalog.change((edit) => {
    if (context.catalog.database(statement.name) !== undefined) {
      throw new SqlError(SqlState.duplicateDatabase, `database "${statement.name}" already exists`);
    }
    const database: DatabaseDef = { kind: 'database', oid: edit.allocateOid(), name: statement.name, owner: context.user };
    edit.put.push(database, publicSchema(edit.allocateOid(), database.oid));
    return 'CREATE DATABASE';
  });
}

export async function dropDatabase(context: DdlContext, statement: BoundDropDatabase): Promise<string> {
  return context.catalog.change((edit) => {
    const database = context.catalog.database(statement.name);
    if (database === undefined) {
      if (statement.missingOk) {
        context.notice({ severity: 'NOTICE', code: '00000', message: `database "${statement.name}" does not exist, skipping` });
        return 'DROP DATABASE';
      }
      throw new SqlError(SqlState.invalidCatalogName, `database "${statement.name}" does not exist`);
    }
    if (database.oid === context.databaseOid) {
      throw new SqlError(SqlState.objectInUse, 'cannot drop the currently open database');
    }
    const sessions = context.sessionsOn(database.oid);
    if (sessions > 0) {
      throw new SqlError(SqlState.objectInUse, `database "${statement.name}" is being accessed by other users`,
        { detail: `There ${sessions === 1 ? 'is 1 other session' : `are ${sessions} other sessions`} using the database.` });
    }
    const owned = [...context.catalog.namespaces(database.oid), ...context.catalog.tables(database.oid)];
    edit.remove.push(database.oid, ...owned.map((object) => object.oid));
    return 'DROP DATABASE';
  });
}

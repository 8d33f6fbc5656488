// Rows of pg_catalog's relations, derived from the catalog snapshot. Relations for features Sluice
// does not have (policies, publications, triggers, rules, extended statistics, descriptions,
// defaults) are empty, so that clients' queries that join them simply find nothing.

import { typeModifier, typeOid } from '../../common/types.js';
import { systemNamespaceOids } from '../../sql/system/system-relation.js';
import {
  bootstrapRoleOid, primaryKeyConstraintOid, roleOidOf, type SnapshotColumn, type SnapshotRelation,
} from './catalog-snapshot.js';
import { pgTypeRows, storageFacts, typeCollation } from './pg-type-rows.js';
import type { SystemRecord, SystemRowProducer, SystemRowsContext } from './system-rows.js';

const heapAmOid = 2;
const btreeAmOid = 403;
const defaultTablespaceOid = 1663;

function relationOptions(relation: SnapshotRelation): string[] | null {
  const table = relation.table;
  if (table === null || relation.indexOf !== null) return null;
  const options = table.schema.options;
  const list = [`buckets=${options.buckets}`];
  if (options.bucketKey.length > 0) list.push(`bucket_key=${options.bucketKey.join(',')}`);
  if (options.mergeEngine !== 'last_row') list.push(`merge_engine=${options.mergeEngine}`);
  return list;
}

function partitionBound(relation: SnapshotRelation): string | null {
  const values = relation.partition?.values;
  if (values === undefined) return null;
  return `FOR VALUES IN (${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ')})`;
}

function pgClass(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.relations.map((relation) => {
    const isIndex = relation.indexOf !== null;
    const hasPrimaryKey = relation.kind !== 'v' && !isIndex && relation.partition === null
      && (relation.table?.schema.primaryKey.length ?? 0) > 0;
    return {
      oid: relation.oid, relname: relation.name, relnamespace: relation.namespace.oid, relowner: roleOidOf(relation.owner),
      relam: relation.kind === 'r' ? heapAmOid : isIndex ? btreeAmOid : 0,
      relfilenode: relation.kind === 'r' || relation.kind === 'i' ? relation.oid : 0, reltuples: -1,
      relhasindex: hasPrimaryKey, relpersistence: 'p', relkind: relation.kind, relnatts: relation.columns.length,
      relhassubclass: (relation.table?.partitions.length ?? 0) > 0 && relation.partition === null && !isIndex,
      relispopulated: true, relreplident: isIndex ? 'n' : 'd', relispartition: relation.partition !== null,
      reloptions: relationOptions(relation), relpartbound: partitionBound(relation),
    };
  });
}

function attributeRecord(relation: SnapshotRelation, column: SnapshotColumn): SystemRecord {
  const facts = storageFacts(column.type);
  const inherited = relation.partition !== null && column.number > 0;
  return {
    attrelid: relation.oid, attname: column.name, atttypid: typeOid(column.type), attstattarget: -1, attlen: facts.length,
    attnum: column.number, attndims: column.type.element === undefined ? 0 : 1, attcacheoff: -1,
    atttypmod: typeModifier(column.type), attbyval: facts.byValue, attalign: facts.align, attstorage: facts.storage,
    attcompression: '', attnotnull: !column.nullable, attidentity: '', attgenerated: '', attislocal: !inherited,
    attinhcount: inherited ? 1 : 0, attcollation: typeCollation(column.type),
  };
}

function pgAttribute(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.relations.flatMap((relation) =>
    [...relation.columns, ...relation.hiddenColumns].map((column) => attributeRecord(relation, column)));
}

function indexes(context: SystemRowsContext): SnapshotRelation[] {
  return context.snapshot.relations.filter((relation) => relation.indexOf !== null);
}

/** attnums of an index's key columns in its table. */
function keyNumbers(index: SnapshotRelation): number[] {
  const table = index.indexOf;
  return index.columns.map((key) => table?.columns.find((column) => column.name === key.name)?.number ?? 0);
}

function pgIndex(context: SystemRowsContext): SystemRecord[] {
  return indexes(context).map((index) => ({
    indexrelid: index.oid, indrelid: index.indexOf?.oid ?? 0, indnatts: index.columns.length,
    indnkeyatts: index.columns.length, indisunique: index.secondary === undefined, indisprimary: index.secondary === undefined,
    indimmediate: true, indisvalid: true,
    indisready: true, indislive: true, indkey: keyNumbers(index), indcollation: index.columns.map((column) => typeCollation(column.type)),
    indclass: index.columns.map(() => 0), indoption: index.columns.map(() => 0),
  }));
}

function pgConstraint(context: SystemRowsContext): SystemRecord[] {
  return indexes(context).filter((index) => index.secondary === undefined).map((index) => ({
    oid: primaryKeyConstraintOid(index.table?.oid ?? 0), conname: index.name, connamespace: index.namespace.oid, contype: 'p',
    convalidated: true, conrelid: index.indexOf?.oid ?? 0, conindid: index.oid, confupdtype: ' ', confdeltype: ' ',
    confmatchtype: ' ', conislocal: true, connoinherit: index.kind === 'i', conkey: keyNumbers(index),
  }));
}

function pgNamespace(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.namespaces.map((namespace) => ({ oid: namespace.oid, nspname: namespace.name, nspowner: roleOidOf(namespace.owner) }));
}

function pgDatabase(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.databases.map((database) => ({
    oid: database.oid, datname: database.name, datdba: roleOidOf(database.owner), encoding: 6, datlocprovider: 'c',
    datallowconn: true, datconnlimit: -1, dattablespace: defaultTablespaceOid, datcollate: 'C', datctype: 'C',
  }));
}

function pgRoles(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.roles.map((role) => ({
    rolname: role, rolsuper: true, rolinherit: true, rolcreaterole: true, rolcreatedb: true, rolcanlogin: true,
    rolconnlimit: -1, rolpassword: '********', rolbypassrls: true, oid: roleOidOf(role),
  }));
}

function pgUser(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.roles.map((role) => ({
    usename: role, usesysid: roleOidOf(role), usecreatedb: true, usesuper: true, usebypassrls: true, passwd: '********',
  }));
}

function pgSettings(context: SystemRowsContext): SystemRecord[] {
  return context.settings.all().map(([name, setting, description]) => ({
    name, setting, category: 'Sluice', short_desc: description, context: 'user', vartype: 'string', source: 'default',
    boot_val: setting, reset_val: setting, pending_restart: false,
  }));
}

function pgInherits(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.relations.filter((relation) => relation.partition !== null).map((relation) => ({
    inhrelid: relation.oid, inhparent: relation.table?.oid ?? 0, inhseqno: 1, inhdetachpending: false,
  }));
}

function pgPartitionedTable(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.relations.filter((relation) => relation.kind === 'p').map((relation) => {
    const keys = relation.table?.schema.partitionKey ?? [];
    return {
      partrelid: relation.oid, partstrat: 'l', partnatts: keys.length,
      partattrs: keys.map((key) => relation.columns.find((column) => column.name === key)?.number ?? 0),
      partclass: keys.map(() => 0), partcollation: keys.map(() => 0),
    };
  });
}

function pgTables(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.relations.filter((relation) => relation.kind === 'r' || relation.kind === 'p').map((relation) => ({
    schemaname: relation.namespace.name, tablename: relation.name, tableowner: relation.owner,
    hasindexes: relation.partition === null && (relation.table?.schema.primaryKey.length ?? 0) > 0,
  }));
}

function pgIndexes(context: SystemRowsContext): SystemRecord[] {
  return indexes(context).map((index) => ({
    schemaname: index.namespace.name, tablename: index.indexOf?.name ?? '', indexname: index.name,
    indexdef: context.view.indexDefinition(index.oid, 0) ?? '',
  }));
}

function pgViews(context: SystemRowsContext): SystemRecord[] {
  return context.snapshot.relations.filter((relation) => relation.kind === 'v').map((relation) => ({
    schemaname: relation.namespace.name, viewname: relation.name, viewowner: relation.owner, definition: '',
  }));
}

function pgStatActivity(context: SystemRowsContext): SystemRecord[] {
  const database = context.snapshot.database;
  return [{
    datid: database.oid, datname: database.name, pid: context.processId, usesysid: roleOidOf(context.view.user),
    usename: context.view.user, application_name: context.applicationName, state: 'active', backend_type: 'client backend',
  }];
}

const none: SystemRowProducer = () => [];

export const pgCatalogProducers: Readonly<Record<string, SystemRowProducer>> = {
  pg_namespace: pgNamespace,
  pg_class: pgClass,
  pg_attribute: pgAttribute,
  pg_type: pgTypeRows,
  pg_index: pgIndex,
  pg_constraint: pgConstraint,
  pg_database: pgDatabase,
  pg_roles: pgRoles,
  pg_user: pgUser,
  pg_settings: pgSettings,
  pg_am: () => [
    { oid: heapAmOid, amname: 'heap', amtype: 't' },
    { oid: btreeAmOid, amname: 'btree', amtype: 'i' },
  ],
  pg_collation: () => ([
    { oid: 100, collname: 'default', collprovider: 'd', collencoding: -1 },
    { oid: 950, collname: 'C', collprovider: 'c', collencoding: -1, collcollate: 'C', collctype: 'C' },
    { oid: 951, collname: 'POSIX', collprovider: 'c', collencoding: -1, collcollate: 'POSIX', collctype: 'POSIX' },
  ] as SystemRecord[]).map((row) => ({ ...row, collnamespace: systemNamespaceOids.pg_catalog, collowner: bootstrapRoleOid, collisdeterministic: true })),
  pg_inherits: pgInherits,
  pg_partitioned_table: pgPartitionedTable,
  pg_tablespace: () => [
    { oid: defaultTablespaceOid, spcname: 'pg_default', spcowner: bootstrapRoleOid },
    { oid: 1664, spcname: 'pg_global', spcowner: bootstrapRoleOid },
  ],
  pg_tables: pgTables,
  pg_indexes: pgIndexes,
  pg_views: pgViews,
  pg_stat_activity: pgStatActivity,
  pg_description: none, pg_shdescription: none, pg_attrdef: none, pg_proc: none, pg_policy: none,
  pg_statistic_ext: none, pg_publication: none, pg_publication_namespace: none, pg_publication_rel: none,
  pg_trigger: none, pg_rewrite: none, pg_depend: none, pg_enum: none, pg_extension: none, pg_sequence: none,
  pg_matviews: none,
};

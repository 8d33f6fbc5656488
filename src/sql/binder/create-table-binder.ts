// CREATE TABLE: columns and constraints, the primary key, LIST partitioning and the table options,
// validated into a TableSchema. Also CREATE TABLE ... PARTITION OF ... FOR VALUES IN (...).

import type { CreateStmt, ColumnDef, Constraint, DefElem, Node } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { ColumnSchema, MergeEngine, TableOptions, TableSchema } from '../../common/schema.js';
import type { DataType } from '../../common/types.js';
import { formatText, parseText } from '../../common/value-text.js';
import type { BoundCreatePartition, BoundCreateTable } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import { stringValue } from './expr-binder.js';
import { readTableOptions, type RawTableOptions } from './table-options.js';
import { bindTypeName } from './type-name.js';

const defaultLogTtlMs = 7 * 86_400_000;
const storableTypes = new Set(['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'bpchar',
  'bytea', 'date', 'timestamp', 'timestamptz', 'uuid', 'jsonb', 'json', 'interval']);

function tableError(message: string, code: string = SqlState.invalidTableDefinition): SqlError {
  return new SqlError(code, message);
}

export function bindCreateTable(statement: CreateStmt, catalog: CatalogReader): BoundCreateTable | BoundCreatePartition {
  const relation = statement.relation ?? {};
  const schemaName = relation.schemaname ?? catalog.creationSchema();
  if (catalog.namespace(schemaName) === undefined) {
    throw new SqlError(SqlState.undefinedSchema, `schema "${schemaName}" does not exist`);
  }
  const name = relation.relname ?? '';
  if (statement.partbound !== undefined) return bindCreatePartition(statement, schemaName, name, catalog);
  if ((statement.inhRelations ?? []).length > 0) throw notSupported('table inheritance is not supported');
  if (statement.oncommit !== undefined && statement.oncommit !== 'ONCOMMIT_NOOP') throw notSupported('temporary tables are not supported');
  if (relation.relpersistence === 't') throw notSupported('temporary tables are not supported');
  return { kind: 'CreateTable', schemaName, name, ifNotExists: statement.if_not_exists ?? false, schema: bindTableSchema(statement) };
}

function bindTableSchema(statement: CreateStmt): TableSchema {
  const columns: ColumnSchema[] = [];
  let primaryKey: string[] = [];
  const setPrimaryKey = (keys: string[]): void => {
    if (primaryKey.length > 0) throw tableError('multiple primary keys for table are not allowed');
    primaryKey = keys;
  };
  for (const element of statement.tableElts ?? []) {
    if ('ColumnDef' in element) {
      const column = bindColumnDef(element.ColumnDef, columns.length + 1, setPrimaryKey);
      if (columns.some((existing) => existing.name === column.name)) {
        throw new SqlError(SqlState.duplicateColumn, `column "${column.name}" specified more than once`);
      }
      columns.push(column);
    } else if ('Constraint' in element) {
      bindTableConstraint(element.Constraint, setPrimaryKey);
    } else {
      throw notSupported(`table element ${Object.keys(element)[0] ?? '?'} is not supported`);
    }
  }
  if (columns.length === 0) throw tableError('a table must have at least one column');
  if (columns.length > limits.columnsMax) {
    throw new SqlError(SqlState.programLimitExceeded, `tables can have at most ${limits.columnsMax} columns`);
  }
  for (const key of primaryKey) {
    const index = columns.findIndex((column) => column.name === key);
    const column = columns[index];
    if (column === undefined) throw new SqlError(SqlState.undefinedColumn, `column "${key}" named in key does not exist`);
    columns[index] = { ...column, nullable: false };
  }
  if (new Set(primaryKey).size !== primaryKey.length) throw new SqlError(SqlState.duplicateColumn, 'column appears twice in primary key constraint');
  const partitionKey = bindPartitionKey(statement, columns, primaryKey);
  const options = bindOptions(readTableOptions(elementsOf(statement.options)), columns, primaryKey, partitionKey);
  return { schemaId: 1, columns, primaryKey, partitionKey, options };
}

function elementsOf(nodes: readonly Node[] | undefined): DefElem[] {
  return (nodes ?? []).map((node) => {
    if (!('DefElem' in node)) throw notSupported('unsupported table option');
    return node.DefElem;
  });
}

function bindColumnDef(definition: ColumnDef, id: number, setPrimaryKey: (keys: string[]) => void): ColumnSchema {
  const name = definition.colname ?? '';
  const type = bindTypeName(definition.typeName ?? {});
  if (type.element !== undefined || !storableTypes.has(type.name)) {
    throw notSupported(`columns of type ${type.element !== undefined ? `${type.name}[]` : type.name} are not supported`);
  }
  let nullable = true;
  for (const node of definition.constraints ?? []) {
    const constraint = 'Constraint' in node ? node.Constraint : undefined;
    switch (constraint?.contype) {
      case 'CONSTR_NOTNULL': nullable = false; break;
      case 'CONSTR_NULL': nullable = true; break;
      case 'CONSTR_PRIMARY': setPrimaryKey([name]); nullable = false; break;
      case 'CONSTR_DEFAULT': throw notSupported(`DEFAULT values are not supported (column "${name}")`);
      case 'CONSTR_UNIQUE': throw notSupported('UNIQUE constraints are not supported; use a primary key');
      case 'CONSTR_CHECK': throw notSupported('CHECK constraints are not supported');
      case 'CONSTR_FOREIGN': throw notSupported('foreign keys are not supported');
      case 'CONSTR_IDENTITY': case 'CONSTR_GENERATED': throw notSupported('generated columns are not supported');
      default: throw notSupported(`column constraint ${String(constraint?.contype)} is not supported`);
    }
  }
  return { name, type, nullable, id };
}

function bindTableConstraint(constraint: Constraint, setPrimaryKey: (keys: string[]) => void): void {
  if (constraint.contype === 'CONSTR_PRIMARY') {
    setPrimaryKey((constraint.keys ?? []).map((key) => stringValue(key) ?? ''));
    return;
  }
  throw notSupported(`table constraint ${String(constraint.contype)} is not supported; Sluice tables have only a primary key`);
}

function bindPartitionKey(statement: CreateStmt, columns: readonly ColumnSchema[], primaryKey: readonly string[]): string[] {
  const spec = statement.partspec;
  if (spec === undefined) return [];
  if (spec.strategy !== 'PARTITION_STRATEGY_LIST') throw notSupported('only PARTITION BY LIST is supported');
  const keys = (spec.partParams ?? []).map((node) => {
    const element = 'PartitionElem' in node ? node.PartitionElem : undefined;
    if (element?.name === undefined) throw notSupported('partition keys must be plain columns');
    return element.name;
  });
  for (const key of keys) {
    if (!columns.some((column) => column.name === key)) {
      throw new SqlError(SqlState.undefinedColumn, `column "${key}" named in partition key does not exist`);
    }
    if (primaryKey.length > 0 && !primaryKey.includes(key)) {
      throw tableError(`partition key column "${key}" must be part of the primary key (${primaryKey.join(', ')})`);
    }
  }
  if (primaryKey.length > 0 && primaryKey.every((key) => keys.includes(key))) {
    throw tableError('the primary key must have at least one column besides the partition key');
  }
  return keys;
}

function bindOptions(raw: RawTableOptions, columns: readonly ColumnSchema[], primaryKey: readonly string[],
  partitionKey: readonly string[]): TableOptions {
  const isPrimaryKeyTable = primaryKey.length > 0;
  const physicalKey = primaryKey.filter((key) => !partitionKey.includes(key));
  const bucketKey = raw.bucketKey ?? (isPrimaryKeyTable ? physicalKey : []);
  validateBucketKey(bucketKey, columns, physicalKey, isPrimaryKeyTable, raw.bucketKey !== undefined);
  const mergeEngine = (raw.mergeEngine ?? 'last_row') as MergeEngine;
  if (!['last_row', 'first_row', 'versioned'].includes(mergeEngine)) {
    throw new SqlError(SqlState.invalidParameterValue, `invalid merge_engine "${raw.mergeEngine}" (expected last_row, first_row or versioned)`);
  }
  if (!isPrimaryKeyTable && raw.mergeEngine !== undefined) throw tableError('merge_engine requires a primary-key table');
  validateVersionColumn(mergeEngine, raw.versionColumn, columns);
  const changelogImage = raw.changelogImage ?? 'full';
  if (changelogImage !== 'full' && changelogImage !== 'wal') {
    throw new SqlError(SqlState.invalidParameterValue, `invalid changelog_image "${changelogImage}" (expected full or wal)`);
  }
  if (!isPrimaryKeyTable && raw.changelogImage !== undefined) throw tableError('changelog_image requires a primary-key table');
  return {
    buckets: raw.buckets ?? 1,
    bucketKey,
    logTtlMs: raw.logTtlMs ?? defaultLogTtlMs,
    mergeEngine,
    ...(raw.versionColumn === undefined ? {} : { versionColumn: raw.versionColumn }),
    changelogImage,
    ...bindAutoPartition(raw, columns, partitionKey),
  };
}

function validateBucketKey(bucketKey: readonly string[], columns: readonly ColumnSchema[], physicalKey: readonly string[],
  isPrimaryKeyTable: boolean, explicit: boolean): void {
  for (const key of bucketKey) {
    if (!columns.some((column) => column.name === key)) throw new SqlError(SqlState.undefinedColumn, `bucket key column "${key}" does not exist`);
  }
  if (!isPrimaryKeyTable || !explicit) return;
  const isPrefix = bucketKey.length > 0 && bucketKey.length <= physicalKey.length && bucketKey.every((key, i) => physicalKey[i] === key);
  if (!isPrefix) {
    throw tableError(`bucket key (${bucketKey.join(', ')}) must be a prefix of the primary key without partition columns (${physicalKey.join(', ')})`);
  }
}

function validateVersionColumn(mergeEngine: MergeEngine, versionColumn: string | undefined, columns: readonly ColumnSchema[]): void {
  if (mergeEngine !== 'versioned') {
    if (versionColumn !== undefined) throw tableError('version_column requires merge_engine = \'versioned\'');
    return;
  }
  if (versionColumn === undefined) throw tableError('merge_engine = \'versioned\' requires a version_column');
  const column = columns.find((candidate) => candidate.name === versionColumn);
  if (column === undefined) throw new SqlError(SqlState.undefinedColumn, `version column "${versionColumn}" does not exist`);
  if (!['int2', 'int4', 'int8', 'timestamp', 'timestamptz'].includes(column.type.name)) {
    throw tableError(`version column "${versionColumn}" must be an integer or timestamp column`);
  }
}

function bindAutoPartition(raw: RawTableOptions, columns: readonly ColumnSchema[], partitionKey: readonly string[]):
  Pick<TableOptions, 'autoPartition'> {
  if (raw.autoPartition === undefined) {
    if (raw.partitionRetention !== undefined || raw.partitionPrecreate !== undefined) {
      throw tableError('partition_retention and partition_precreate require auto_partition');
    }
    return {};
  }
  const unit = raw.autoPartition;
  if (unit !== 'hour' && unit !== 'day' && unit !== 'month' && unit !== 'year') {
    throw new SqlError(SqlState.invalidParameterValue, `invalid auto_partition "${unit}" (expected hour, day, month or year)`);
  }
  const key = partitionKey[0];
  if (partitionKey.length !== 1 || key === undefined) throw tableError('auto_partition requires PARTITION BY LIST on exactly one column');
  const type = columns.find((column) => column.name === key)?.type.name;
  if (type !== 'text' && type !== 'varchar') throw tableError(`auto_partition requires a text partition column; "${key}" is ${String(type)}`);
  return {
    autoPartition: {
      unit, precreate: raw.partitionPrecreate ?? 2,
      ...(raw.partitionRetention === undefined ? {} : { retention: raw.partitionRetention }),
    },
  };
}

function bindCreatePartition(statement: CreateStmt, schemaName: string, name: string, catalog: CatalogReader): BoundCreatePartition {
  const parentVar = statement.inhRelations?.[0];
  const parentRef = parentVar !== undefined && 'RangeVar' in parentVar ? parentVar.RangeVar : undefined;
  const parent = catalog.relation(parentRef?.schemaname ?? null, parentRef?.relname ?? '');
  if (parent === undefined || parent.partition !== null) {
    throw new SqlError(SqlState.undefinedTable, `relation "${parentRef?.relname ?? ''}" does not exist`);
  }
  const table = parent.table;
  if (table.schema.partitionKey.length === 0) {
    throw new SqlError(SqlState.wrongObjectType, `table "${table.name}" is not partitioned`);
  }
  if ((statement.tableElts ?? []).length > 0) throw notSupported('a partition cannot declare its own columns');
  const bound = statement.partbound ?? {};
  if (bound.is_default) throw notSupported('default partitions are not supported');
  const datums = bound.listdatums ?? [];
  if (bound.strategy !== 'l' || datums.length !== table.schema.partitionKey.length) {
    throw tableError(`partition of "${table.name}" must give FOR VALUES IN with one value per partition key column`);
  }
  const values = datums.map((datum, i) => partitionValue(datum, table.schema.partitionKey[i] ?? '', table.schema.columns));
  return { kind: 'CreatePartition', schemaName, name, parentOid: table.oid, values, ifNotExists: statement.if_not_exists ?? false };
}

/** A partition value in the canonical text form of its column's type. */
function partitionValue(datum: Node, columnName: string, columns: readonly ColumnSchema[]): string {
  const constant = 'A_Const' in datum ? datum.A_Const : undefined;
  if (constant === undefined || constant.isnull) throw tableError('partition values must be non-null constants');
  const text = constant.sval?.sval ?? (constant.ival !== undefined ? String(constant.ival.ival ?? 0) : constant.fval?.fval);
  if (text === undefined) throw tableError('partition values must be constants');
  const type: DataType | undefined = columns.find((column) => column.name === columnName)?.type;
  if (type === undefined) throw tableError(`partition column "${columnName}" does not exist`);
  return formatText(type, parseText(type, text));
}

// Rows of information_schema's views, derived from the catalog snapshot in the SQL standard's
// vocabulary ('BASE TABLE', 'YES'/'NO', data types by their standard names).

import { typeInfo, type DataType } from '../../common/types.js';
import type { SnapshotColumn, SnapshotRelation } from './catalog-snapshot.js';
import type { SystemRecord, SystemRowProducer, SystemRowsContext } from './system-rows.js';

const yesNo = (value: boolean): string => (value ? 'YES' : 'NO');

function tableRelations(context: SystemRowsContext): SnapshotRelation[] {
  return context.snapshot.relations.filter((relation) => relation.kind !== 'i' && relation.kind !== 'I');
}

function where(context: SystemRowsContext, relation: SnapshotRelation): SystemRecord {
  return { table_catalog: context.snapshot.database.name, table_schema: relation.namespace.name, table_name: relation.name };
}

/** Numeric precision facts as information_schema.columns reports them. */
function numericFacts(type: DataType): SystemRecord {
  switch (type.name) {
    case 'int2': return { numeric_precision: 16, numeric_precision_radix: 2, numeric_scale: 0 };
    case 'int4': return { numeric_precision: 32, numeric_precision_radix: 2, numeric_scale: 0 };
    case 'int8': return { numeric_precision: 64, numeric_precision_radix: 2, numeric_scale: 0 };
    case 'float4': return { numeric_precision: 24, numeric_precision_radix: 2 };
    case 'float8': return { numeric_precision: 53, numeric_precision_radix: 2 };
    case 'numeric': return type.precision === undefined ? { numeric_precision_radix: 10 }
      : { numeric_precision: type.precision, numeric_precision_radix: 10, numeric_scale: type.scale ?? 0 };
    default: return {};
  }
}

function characterFacts(type: DataType): SystemRecord {
  if (type.name !== 'varchar' && type.name !== 'bpchar' && type.name !== 'text') return {};
  if (type.precision === undefined) return { character_octet_length: 1_073_741_824 };
  return { character_maximum_length: type.precision, character_octet_length: type.precision * 4 };
}

function datetimeFacts(type: DataType): SystemRecord {
  if (type.name === 'date') return { datetime_precision: 0 };
  if (type.name === 'time' || type.name === 'timestamp' || type.name === 'timestamptz' || type.name === 'interval') {
    return { datetime_precision: 6 };
  }
  return {};
}

function columnRecord(context: SystemRowsContext, relation: SnapshotRelation, column: SnapshotColumn): SystemRecord {
  const type = column.type;
  const array = type.element !== undefined;
  const scalar = array ? {} : { ...numericFacts(type), ...characterFacts(type), ...datetimeFacts(type) };
  return {
    ...where(context, relation), column_name: column.name, ordinal_position: column.number, is_nullable: yesNo(column.nullable),
    data_type: array ? 'ARRAY' : typeInfo[type.name].sqlName, ...scalar,
    udt_catalog: context.snapshot.database.name, udt_schema: 'pg_catalog', udt_name: array ? `_${type.name}` : type.name,
    dtd_identifier: String(column.number), is_self_referencing: 'NO', is_identity: 'NO', identity_cycle: 'NO',
    is_generated: 'NEVER', is_updatable: yesNo(relation.system === null),
  };
}

function primaryKeys(context: SystemRowsContext): SnapshotRelation[] {
  return context.snapshot.relations.filter((relation) => relation.indexOf !== null && relation.secondary === undefined);
}

function constraintWhere(context: SystemRowsContext, index: SnapshotRelation): SystemRecord {
  const table = index.indexOf;
  return {
    constraint_catalog: context.snapshot.database.name, constraint_schema: index.namespace.name, constraint_name: index.name,
    table_catalog: context.snapshot.database.name, table_schema: index.namespace.name, table_name: table?.name ?? '',
  };
}

export const informationSchemaProducers: Readonly<Record<string, SystemRowProducer>> = {
  schemata: (context) => context.snapshot.namespaces.map((namespace) => ({
    catalog_name: context.snapshot.database.name, schema_name: namespace.name, schema_owner: namespace.owner,
  })),
  tables: (context) => tableRelations(context).map((relation) => ({
    ...where(context, relation), table_type: relation.kind === 'v' ? 'VIEW' : 'BASE TABLE',
    is_insertable_into: yesNo(relation.system === null), is_typed: 'NO',
  })),
  columns: (context) => tableRelations(context).flatMap((relation) =>
    relation.columns.map((column) => columnRecord(context, relation, column))),
  table_constraints: (context) => primaryKeys(context).map((index) => ({
    ...constraintWhere(context, index), constraint_type: 'PRIMARY KEY', is_deferrable: 'NO', initially_deferred: 'NO',
    enforced: 'YES',
  })),
  key_column_usage: (context) => primaryKeys(context).flatMap((index) => index.columns.map((column, i) => ({
    ...constraintWhere(context, index), column_name: column.name, ordinal_position: i + 1,
  }))),
  views: (context) => tableRelations(context).filter((relation) => relation.kind === 'v').map((relation) => ({
    ...where(context, relation), view_definition: '', check_option: 'NONE', is_updatable: 'NO', is_insertable_into: 'NO',
    is_trigger_updatable: 'NO', is_trigger_deletable: 'NO', is_trigger_insertable_into: 'NO',
  })),
  referential_constraints: () => [],
};

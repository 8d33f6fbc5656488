// pg_catalog's information functions that clients call while introspecting: visibility, names of
// roles and types, definitions of indexes and constraints, descriptions (Sluice has none),
// privileges (every role may do everything on a trusted connection), relation sizes, and the few
// array and identifier helpers psql's queries use. Catalog facts come from FunctionContext.catalog.

import { Decimal } from '../common/decimal.js';
import { internalError } from '../common/errors.js';
import { quoteIdentifier } from '../common/identifiers.js';
import { formatType, typeFromOid, type DataType, type Value } from '../common/types.js';
import { formatText } from '../common/value-text.js';
import type { CatalogLookup, FunctionContext, FunctionDef, FunctionImpl } from './function.js';
import { T, def } from './define.js';

function lookup(context: FunctionContext): CatalogLookup {
  if (context.catalog === undefined) throw internalError('catalog lookup is not available in this context');
  return context.catalog;
}

const stable = { volatility: 'stable' } as const;
const nameArray: DataType = { name: 'name', element: { name: 'name' } };

/** format_type(type_oid, typmod): the SQL name of a type with its modifier applied. */
function formatTypeOf(oid: number, typmod: number | null): string {
  const type = typeFromOid(oid);
  if (type === undefined) return '???';
  const base = type.element ?? type;
  const modifier = typmod === null || typmod < 4 ? {} : base.name === 'numeric'
    ? { precision: (typmod - 4) >> 16, scale: (typmod - 4) & 0xffff }
    : base.name === 'varchar' || base.name === 'bpchar' ? { precision: typmod - 4 } : {};
  const withModifier: DataType = { ...base, ...modifier };
  return formatType(type.element === undefined ? withModifier : { name: base.name, element: withModifier });
}

/** pg_size_pretty: bytes, then kB/MB/GB/TB/PB rounded half away from zero, switching at 10 units. */
function sizePretty(bytes: bigint): string {
  const limit = 10n * 1024n;
  const limit2 = limit * 2n - 1n;
  const abs = (value: bigint): bigint => (value < 0n ? -value : value);
  const halfRounded = (value: bigint): bigint => (value + (value < 0n ? -1n : 1n)) / 2n;
  if (abs(bytes) < limit) return `${bytes} bytes`;
  let size = bytes / 512n;
  for (const unit of ['kB', 'MB', 'GB', 'TB']) {
    if (abs(size) < limit2) return `${halfRounded(size)} ${unit}`;
    size /= 1024n;
  }
  return `${halfRounded(size)} PB`;
}

/** array_to_string for the resolved array type: elements in text form, NULLs skipped or replaced. */
function arrayToString(types: readonly DataType[]): FunctionImpl {
  const element = types[0]?.element ?? types[0] ?? T.text;
  return (args, context) => {
    const [array, delimiter, nullText] = args;
    if (array === null || delimiter === null) return null;
    const items: string[] = [];
    const walk = (value: Value): void => {
      if (Array.isArray(value)) { value.forEach(walk); return; }
      if (value === null) { if (nullText !== undefined && nullText !== null) items.push(nullText as string); return; }
      items.push(formatText(element, value, context.setting('timezone')));
    };
    walk(array ?? null);
    return items.join(delimiter as string);
  };
}

function arrayBound(which: 'upper' | 'lower' | 'length'): FunctionImpl {
  return (args) => {
    const [array, dimension] = args;
    if (!Array.isArray(array) || dimension !== 1 || array.length === 0) return null;
    return which === 'lower' ? 1 : array.length;
  };
}

const always = (value: Value): FunctionImpl => () => value;

/** has_*_privilege in all PostgreSQL's argument forms: Sluice grants every privilege. */
function privilegeDefs(name: string, objectTypes: readonly DataType[]): FunctionDef[] {
  const defs: FunctionDef[] = [];
  for (const object of objectTypes) {
    defs.push(def(name, [object, T.text], T.bool, always(true), stable));
    defs.push(def(name, [T.name, object, T.text], T.bool, always(true), stable));
    defs.push(def(name, [T.oid, object, T.text], T.bool, always(true), stable));
  }
  return defs;
}

function sizeDefs(name: string): FunctionDef[] {
  return [def(name, [T.regclass], T.int8, (args, context) => lookup(context).relationSize(args[0] as number) ?? null, stable)];
}

const emptyDescription: FunctionImpl = () => null;

export const catalogInfoFunctionDefs: readonly FunctionDef[] = [
  def('pg_table_is_visible', [T.oid], T.bool, (args, context) => lookup(context).relationVisible(args[0] as number), stable),
  def('pg_type_is_visible', [T.oid], T.bool, always(true), stable),
  def('pg_function_is_visible', [T.oid], T.bool, always(true), stable),
  def('format_type', [T.oid, T.int4], T.text,
    (args) => (args[0] === null ? null : formatTypeOf(args[0] as number, args[1] as number | null)), { strict: false, volatility: 'stable' }),
  def('pg_get_userbyid', [T.oid], T.name,
    (args, context) => lookup(context).roleName(args[0] as number) ?? `unknown (OID=${args[0] as number})`, stable),
  def('pg_get_indexdef', [T.oid], T.text, (args, context) => lookup(context).indexDefinition(args[0] as number, 0) ?? null, stable),
  def('pg_get_indexdef', [T.oid, T.int4, T.bool], T.text,
    (args, context) => lookup(context).indexDefinition(args[0] as number, args[1] as number) ?? null, stable),
  def('pg_get_constraintdef', [T.oid], T.text, (args, context) => lookup(context).constraintDefinition(args[0] as number) ?? null, stable),
  def('pg_get_constraintdef', [T.oid, T.bool], T.text,
    (args, context) => lookup(context).constraintDefinition(args[0] as number) ?? null, stable),
  def('pg_get_partkeydef', [T.oid], T.text, (args, context) => lookup(context).partitionKeyDefinition(args[0] as number) ?? null, stable),
  // Expressions (defaults, partition bounds) are kept as text already.
  def('pg_get_expr', [T.text, T.oid], T.text, (args) => args[0] ?? null, stable),
  def('pg_get_expr', [T.text, T.oid, T.bool], T.text, (args) => args[0] ?? null, stable),
  def('pg_get_viewdef', [T.oid], T.text, always(''), stable),
  def('pg_get_viewdef', [T.oid, T.bool], T.text, always(''), stable),
  def('pg_get_viewdef', [T.text], T.text, always(''), stable),
  def('pg_get_viewdef', [T.text, T.bool], T.text, always(''), stable),
  def('pg_get_statisticsobjdef_columns', [T.oid], T.text, always(null), stable),
  def('pg_get_serial_sequence', [T.text, T.text], T.text, always(null), stable),
  def('pg_relation_is_publishable', [T.regclass], T.bool, always(false), stable),
  def('obj_description', [T.oid], T.text, emptyDescription, stable),
  def('obj_description', [T.oid, T.name], T.text, emptyDescription, stable),
  def('col_description', [T.oid, T.int4], T.text, emptyDescription, stable),
  def('shobj_description', [T.oid, T.name], T.text, emptyDescription, stable),
  def('pg_encoding_to_char', [T.int4], T.name, (args) => (args[0] === 6 ? 'UTF8' : args[0] === 0 ? 'SQL_ASCII' : ''), stable),
  def('pg_char_to_encoding', [T.name], T.int4, (args) => ((args[0] as string).toUpperCase() === 'UTF8' ? 6 : -1), stable),
  ...privilegeDefs('has_table_privilege', [T.text, T.oid]),
  ...privilegeDefs('has_schema_privilege', [T.text, T.oid]),
  ...privilegeDefs('has_database_privilege', [T.text, T.oid]),
  ...privilegeDefs('has_any_column_privilege', [T.text, T.oid]),
  def('has_column_privilege', [T.text, T.text, T.text], T.bool, always(true), stable),
  def('has_column_privilege', [T.oid, T.text, T.text], T.bool, always(true), stable),
  def('has_column_privilege', [T.oid, T.int2, T.text], T.bool, always(true), stable),
  ...sizeDefs('pg_total_relation_size'), ...sizeDefs('pg_relation_size'), ...sizeDefs('pg_table_size'),
  ...sizeDefs('pg_indexes_size'),
  def('pg_relation_size', [T.regclass, T.text], T.int8, (args, context) => lookup(context).relationSize(args[0] as number) ?? null, stable),
  def('pg_database_size', [T.name], T.int8, always(0n), stable),
  def('pg_database_size', [T.oid], T.int8, always(0n), stable),
  def('pg_size_pretty', [T.int8], T.text, (args) => sizePretty(args[0] as bigint)),
  def('pg_size_pretty', [T.numeric], T.text, (args) => sizePretty((args[0] as Decimal).toBigInt() ?? 0n)),
  def('to_regclass', [T.text], T.regclass, (args, context) => lookup(context).relationOid(args[0] as string) ?? null, stable),
  def('current_schemas', [T.bool], nameArray, (args, context) => [...lookup(context).searchPathSchemas(args[0] as boolean)], stable),
  def('quote_ident', [T.text], T.text, (args) => quoteIdentifier(args[0] as string)),
  def('pg_is_in_recovery', [], T.bool, always(false), stable),
  def('pg_my_temp_schema', [], T.oid, always(0), stable),
  def('pg_is_other_temp_schema', [T.oid], T.bool, always(false), stable),
  { ...def('array_to_string', [T.any, T.text], T.text, () => null, stable), bind: arrayToString },
  { ...def('array_to_string', [T.any, T.text, T.text], T.text, () => null, { strict: false, volatility: 'stable' }), bind: arrayToString },
  def('array_upper', [T.any, T.int4], T.int4, arrayBound('upper')),
  def('array_lower', [T.any, T.int4], T.int4, arrayBound('lower')),
  def('array_length', [T.any, T.int4], T.int4, arrayBound('length')),
  def('cardinality', [T.any], T.int4, (args) => (Array.isArray(args[0]) ? args[0].length : null)),
];

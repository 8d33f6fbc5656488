// Facts about types that overload resolution and casting rest on, following PostgreSQL's catalogs:
// type categories and their preferred types (pg_type.typcategory/typispreferred) and the context in
// which each cast may be applied (pg_cast.castcontext, plus the automatic I/O conversion casts:
// to a string type in assignment, from a string type only explicitly).

import { typeInfo, type DataType, type TypeName } from '../common/types.js';
import type { CastContext } from './function.js';

/** Declared argument type meaning "any type" in a FunctionDef (PostgreSQL's "any"/anyelement). */
export const anyType: DataType = { name: 'unknown' };

export function isAnyType(type: DataType): boolean {
  return type.name === 'unknown' && type.element === undefined;
}

export type TypeCategory = 'A' | 'B' | 'N' | 'S' | 'D' | 'U' | 'T' | 'X' | 'P';

export function typeCategory(type: DataType): TypeCategory {
  if (type.element !== undefined) return 'A';
  return typeInfo[type.name].category;
}

const preferredTypes = new Set<TypeName>(['bool', 'float8', 'text', 'timestamptz', 'interval', 'oid']);

export function isPreferredType(type: DataType): boolean {
  return type.element === undefined && preferredTypes.has(type.name);
}

const stringTypes = new Set<TypeName>(['text', 'varchar', 'bpchar', 'name', 'char']);

export function isStringType(type: DataType): boolean {
  return type.element === undefined && stringTypes.has(type.name);
}

type CastTable = Partial<Record<TypeName, Partial<Record<TypeName, CastContext>>>>;

/** Casts to every OID alias type (regclass, regtype, ...), which share the oid representation. */
function oidAliases(context: CastContext): Partial<Record<TypeName, CastContext>> {
  return { regclass: context, regtype: context, regnamespace: context, regproc: context, regrole: context };
}

/** Casts between distinct built-in types, from pg_cast (i = implicit, a = assignment, e = explicit). */
const castTable: CastTable = {
  bool: { int4: 'explicit', text: 'assignment', bpchar: 'assignment', varchar: 'assignment' },
  char: { int4: 'explicit', text: 'implicit', bpchar: 'assignment', varchar: 'assignment' },
  name: { text: 'implicit', bpchar: 'assignment', varchar: 'assignment' },
  int8: {
    int2: 'assignment', int4: 'assignment', oid: 'implicit', float4: 'implicit', float8: 'implicit',
    numeric: 'implicit', ...oidAliases('implicit'),
  },
  int2: {
    int8: 'implicit', int4: 'implicit', oid: 'implicit', float4: 'implicit', float8: 'implicit',
    numeric: 'implicit', ...oidAliases('implicit'),
  },
  int4: {
    bool: 'explicit', char: 'explicit', int8: 'implicit', int2: 'assignment', oid: 'implicit',
    float4: 'implicit', float8: 'implicit', numeric: 'implicit', ...oidAliases('implicit'),
  },
  text: { char: 'assignment', name: 'implicit', bpchar: 'implicit', varchar: 'implicit', regclass: 'implicit' },
  oid: { int8: 'assignment', int4: 'assignment', ...oidAliases('implicit') },
  json: { jsonb: 'assignment' },
  float4: { int8: 'assignment', int2: 'assignment', int4: 'assignment', float8: 'implicit', numeric: 'assignment' },
  float8: { int8: 'assignment', int2: 'assignment', int4: 'assignment', float4: 'assignment', numeric: 'assignment' },
  bpchar: { char: 'assignment', name: 'implicit', text: 'implicit', varchar: 'implicit' },
  varchar: { char: 'assignment', name: 'implicit', text: 'implicit', bpchar: 'implicit', regclass: 'implicit' },
  date: { timestamp: 'implicit', timestamptz: 'implicit' },
  time: { interval: 'implicit' },
  timestamp: { date: 'assignment', time: 'assignment', timestamptz: 'implicit' },
  timestamptz: { date: 'assignment', time: 'assignment', timestamp: 'assignment' },
  interval: { time: 'assignment' },
  numeric: { int8: 'assignment', int2: 'assignment', int4: 'assignment', float4: 'implicit', float8: 'implicit' },
  regclass: { int8: 'assignment', int4: 'assignment', oid: 'implicit' },
  regtype: { int8: 'assignment', int4: 'assignment', oid: 'implicit' },
  regnamespace: { int8: 'assignment', int4: 'assignment', oid: 'implicit' },
  regproc: { int8: 'assignment', int4: 'assignment', oid: 'implicit' },
  regrole: { int8: 'assignment', int4: 'assignment', oid: 'implicit' },
  jsonb: {
    bool: 'explicit', int8: 'explicit', int2: 'explicit', int4: 'explicit', json: 'assignment',
    float4: 'explicit', float8: 'explicit', numeric: 'explicit',
  },
};

const contextRank: Readonly<Record<CastContext, number>> = { implicit: 0, assignment: 1, explicit: 2 };

/** Whether a cast declared for `declared` contexts may be used in `wanted`. */
export function castAllowedIn(declared: CastContext, wanted: CastContext): boolean {
  return contextRank[declared] <= contextRank[wanted];
}

/**
 * The least context in which `from` can be cast to `to`, or null if no cast exists. Arrays cast
 * element-wise; unknown (an untyped literal) goes anywhere implicitly.
 */
export function castContextOf(from: DataType, to: DataType): CastContext | null {
  if (isVectorToArray(from, to)) return 'implicit';
  if (from.element !== undefined || to.element !== undefined) {
    if (from.element !== undefined && to.element !== undefined) return castContextOf(from.element, to.element);
    if (isStringType(to) && from.element !== undefined) return 'assignment';
    if (isStringType(from) && to.element !== undefined) return 'explicit';
    return from.name === 'unknown' && from.element === undefined ? 'implicit' : null;
  }
  if (from.name === to.name) return 'implicit';
  if (from.name === 'unknown') return 'implicit';
  if (to.name === 'unknown' || to.name === 'void' || from.name === 'void') return null;
  const declared = castTable[from.name]?.[to.name];
  if (declared !== undefined) return declared;
  if (isStringType(to)) return 'assignment';
  if (isStringType(from)) return 'explicit';
  return null;
}

/** int2vector → int2[] and oidvector → oid[]: the same values, binary-coercible in PostgreSQL. */
function isVectorToArray(from: DataType, to: DataType): boolean {
  if (from.element !== undefined || to.element === undefined || to.element.element !== undefined) return false;
  return (from.name === 'int2vector' && to.element.name === 'int2') || (from.name === 'oidvector' && to.element.name === 'oid');
}

export function canCoerceImplicitly(from: DataType, to: DataType): boolean {
  if (isAnyType(to)) return true;
  const context = castContextOf(from, to);
  return context === 'implicit';
}

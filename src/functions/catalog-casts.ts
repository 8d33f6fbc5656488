// Casts between names and the OID types whose text form is a catalog object's name (regclass,
// regnamespace, regrole, regproc): they read the session's catalog through FunctionContext, as
// PostgreSQL's regclassin/regclassout read the system catalogs. A number in text is taken as an OID.

import { SqlError, SqlState, internalError } from '../common/errors.js';
import type { DataType, Value } from '../common/types.js';
import type { CatalogLookup, FunctionContext } from './function.js';

type Conversion = (value: Value, context: FunctionContext | undefined) => Value;

type CatalogOidType = 'regclass' | 'regnamespace' | 'regrole' | 'regproc';

const stringTypes = new Set(['text', 'varchar', 'bpchar', 'name', 'unknown']);

function catalogOidType(type: DataType): CatalogOidType | undefined {
  if (type.element !== undefined) return undefined;
  const name = type.name;
  return name === 'regclass' || name === 'regnamespace' || name === 'regrole' || name === 'regproc' ? name : undefined;
}

function lookupOf(context: FunctionContext | undefined): CatalogLookup {
  if (context?.catalog === undefined) throw internalError('catalog lookup is not available in this context');
  return context.catalog;
}

/**
 * The few functions whose OIDs a reg* column holds (pg_type.typinput of array types), with
 * PostgreSQL's OIDs: JDBC's type cache asks `typinput = 'pg_catalog.array_in'::regproc`.
 */
const procedureOids: ReadonlyMap<string, number> = new Map([['array_in', 750], ['array_out', 751]]);
const procedureNames: ReadonlyMap<number, string> = new Map([...procedureOids].map(([name, oid]) => [oid, name]));

/** The OID of a built-in function named alone or qualified by pg_catalog. */
function procedureOid(text: string): number | undefined {
  return procedureOids.get(text.startsWith('pg_catalog.') ? text.slice('pg_catalog.'.length) : text);
}

const objectWords: Readonly<Record<CatalogOidType, string>> = {
  regclass: 'relation', regnamespace: 'schema', regrole: 'role', regproc: 'function',
};

/** Name → OID for one reg* type; 42P01/3F000/42704/42883 when there is no such object. */
function oidOfName(type: CatalogOidType, text: string, context: FunctionContext | undefined): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (type === 'regproc' && trimmed === '-') return 0;
  const lookup = lookupOf(context);
  const found = type === 'regclass' ? lookup.relationOid(trimmed)
    : type === 'regnamespace' ? lookup.namespaceOid(trimmed)
      : type === 'regrole' ? lookup.roleOid(trimmed) : procedureOid(trimmed);
  if (found !== undefined) return found;
  const code = type === 'regclass' ? SqlState.undefinedTable : type === 'regnamespace' ? SqlState.undefinedSchema
    : type === 'regproc' ? SqlState.undefinedFunction : SqlState.undefinedObject;
  throw new SqlError(code, `${objectWords[type]} "${trimmed}" does not exist`);
}

/** OID → name, or the number when no object has that OID (as PostgreSQL prints dangling OIDs). */
function nameOfOid(type: CatalogOidType, oid: number, context: FunctionContext | undefined): string {
  if (type === 'regproc') return oid === 0 ? '-' : procedureNames.get(oid) ?? String(oid);
  if (oid === 0) return '-';
  const lookup = lookupOf(context);
  const found = type === 'regclass' ? lookup.relationName(oid)
    : type === 'regnamespace' ? lookup.namespaceName(oid) : lookup.roleName(oid);
  return found ?? String(oid);
}

/** The conversion for a cast between a string type and a reg* type, or undefined for other casts. */
export function catalogNameConversion(from: DataType, to: DataType): Conversion | undefined {
  const target = catalogOidType(to);
  if (target !== undefined && from.element === undefined && stringTypes.has(from.name)) {
    return (value, context) => oidOfName(target, value as string, context);
  }
  const source = catalogOidType(from);
  if (source !== undefined && to.element === undefined && stringTypes.has(to.name)) {
    return (value, context) => nameOfOid(source, value as number, context);
  }
  return undefined;
}

/** Whether values of this type print as a catalog object's name (regclass, regnamespace, regrole, regproc). */
export function isCatalogOidType(type: DataType): boolean {
  return catalogOidType(type) !== undefined;
}

/** Whether a literal of text must be resolved at execution (a name, not an OID) for this type. */
export function needsCatalogToParse(type: DataType, text: string): boolean {
  return catalogOidType(type) !== undefined && !/^\s*\d+\s*$/.test(text);
}

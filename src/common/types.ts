// Sluice's SQL data types and the in-memory representation of their values.
//
// Value representation (one JS shape per type, used everywhere after the wire codec):
//   boolean                 boolean
//   smallint, integer       number (integral)
//   bigint                  bigint
//   real, double precision  number
//   numeric                 Decimal (exact; see decimal.ts)
//   text, varchar           string
//   bytea                   Uint8Array
//   date                    number: days since 1970-01-01 (may be ±Infinity for 'infinity')
//   timestamp, timestamptz  bigint: microseconds since 1970-01-01 00:00:00 (UTC for timestamptz)
//   uuid                    string, canonical lowercase 8-4-4-4-12
//   jsonb                   string, canonical JSON text (keys sorted and deduplicated as jsonb does)
//   interval                Interval { months, days, micros }
//   oid, reg*               number (unsigned 32-bit)
//   int2vector, oidvector   number[] (catalog columns only)
//   record                  Value[]: one value per field of the type's `fields`
//   SQL NULL                null
// OIDs match PostgreSQL's so that drivers decode values without help.

import type { Decimal } from './decimal.js';

export type TypeName =
  | 'bool' | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric'
  | 'text' | 'varchar' | 'bpchar' | 'name' | 'bytea' | 'date' | 'time' | 'timestamp' | 'timestamptz'
  | 'interval' | 'uuid' | 'jsonb' | 'json' | 'oid' | 'regclass' | 'regtype' | 'char'
  | 'regnamespace' | 'regproc' | 'regrole' | 'int2vector' | 'oidvector' | 'aclitem'
  | 'record' | 'unknown' | 'void';

export interface DataType {
  readonly name: TypeName;
  /** numeric(p, s): precision; varchar(n)/bpchar(n): n. Absent when unconstrained. */
  readonly precision?: number;
  /** numeric(p, s): scale. */
  readonly scale?: number;
  /** Element type when this is an array type (only used for catalog and function results). */
  readonly element?: DataType;
  /** The named fields of a record (a row constructor, a set-returning function's whole row). */
  readonly fields?: readonly RecordField[];
}

export interface RecordField {
  readonly name: string;
  readonly type: DataType;
}

export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint;
}

export type Value = null | boolean | number | bigint | string | Uint8Array | Decimal | Interval | Value[];

/** Static facts about a type: PostgreSQL OID, array OID, fixed length (-1 for varlena), category. */
export interface TypeInfo {
  readonly oid: number;
  readonly arrayOid: number;
  readonly length: number;
  readonly category: 'B' | 'N' | 'S' | 'D' | 'U' | 'T' | 'X' | 'A' | 'P';
  /** The SQL name PostgreSQL's format_type prints. */
  readonly sqlName: string;
}

export const typeInfo: Readonly<Record<TypeName, TypeInfo>> = {
  bool: { oid: 16, arrayOid: 1000, length: 1, category: 'B', sqlName: 'boolean' },
  int2: { oid: 21, arrayOid: 1005, length: 2, category: 'N', sqlName: 'smallint' },
  int4: { oid: 23, arrayOid: 1007, length: 4, category: 'N', sqlName: 'integer' },
  int8: { oid: 20, arrayOid: 1016, length: 8, category: 'N', sqlName: 'bigint' },
  float4: { oid: 700, arrayOid: 1021, length: 4, category: 'N', sqlName: 'real' },
  float8: { oid: 701, arrayOid: 1022, length: 8, category: 'N', sqlName: 'double precision' },
  numeric: { oid: 1700, arrayOid: 1231, length: -1, category: 'N', sqlName: 'numeric' },
  text: { oid: 25, arrayOid: 1009, length: -1, category: 'S', sqlName: 'text' },
  varchar: { oid: 1043, arrayOid: 1015, length: -1, category: 'S', sqlName: 'character varying' },
  bpchar: { oid: 1042, arrayOid: 1014, length: -1, category: 'S', sqlName: 'character' },
  name: { oid: 19, arrayOid: 1003, length: 64, category: 'S', sqlName: 'name' },
  char: { oid: 18, arrayOid: 1002, length: 1, category: 'S', sqlName: '"char"' },
  bytea: { oid: 17, arrayOid: 1001, length: -1, category: 'U', sqlName: 'bytea' },
  date: { oid: 1082, arrayOid: 1182, length: 4, category: 'D', sqlName: 'date' },
  time: { oid: 1083, arrayOid: 1183, length: 8, category: 'D', sqlName: 'time without time zone' },
  timestamp: { oid: 1114, arrayOid: 1115, length: 8, category: 'D', sqlName: 'timestamp without time zone' },
  timestamptz: { oid: 1184, arrayOid: 1185, length: 8, category: 'D', sqlName: 'timestamp with time zone' },
  interval: { oid: 1186, arrayOid: 1187, length: 16, category: 'T', sqlName: 'interval' },
  uuid: { oid: 2950, arrayOid: 2951, length: 16, category: 'U', sqlName: 'uuid' },
  jsonb: { oid: 3802, arrayOid: 3807, length: -1, category: 'U', sqlName: 'jsonb' },
  json: { oid: 114, arrayOid: 199, length: -1, category: 'U', sqlName: 'json' },
  oid: { oid: 26, arrayOid: 1028, length: 4, category: 'N', sqlName: 'oid' },
  regclass: { oid: 2205, arrayOid: 2210, length: 4, category: 'N', sqlName: 'regclass' },
  regtype: { oid: 2206, arrayOid: 2211, length: 4, category: 'N', sqlName: 'regtype' },
  regnamespace: { oid: 4089, arrayOid: 4090, length: 4, category: 'N', sqlName: 'regnamespace' },
  regproc: { oid: 24, arrayOid: 1008, length: 4, category: 'N', sqlName: 'regproc' },
  regrole: { oid: 4096, arrayOid: 4097, length: 4, category: 'N', sqlName: 'regrole' },
  // Catalog-only types: int2vector and oidvector hold number[] (printed space-separated), aclitem a string.
  int2vector: { oid: 22, arrayOid: 1006, length: -1, category: 'A', sqlName: 'int2vector' },
  oidvector: { oid: 30, arrayOid: 1013, length: -1, category: 'A', sqlName: 'oidvector' },
  aclitem: { oid: 1033, arrayOid: 1034, length: 12, category: 'U', sqlName: 'aclitem' },
  record: { oid: 2249, arrayOid: 2287, length: -1, category: 'P', sqlName: 'record' },
  unknown: { oid: 705, arrayOid: 0, length: -2, category: 'X', sqlName: 'unknown' },
  void: { oid: 2278, arrayOid: 0, length: 4, category: 'P', sqlName: 'void' },
};

const typeByOid = new Map<number, TypeName>(
  (Object.keys(typeInfo) as TypeName[]).map((name) => [typeInfo[name].oid, name]),
);

export function typeFromOid(oid: number): DataType | undefined {
  const name = typeByOid.get(oid);
  if (name !== undefined) return { name };
  for (const candidate of Object.keys(typeInfo) as TypeName[]) {
    if (oid !== 0 && typeInfo[candidate].arrayOid === oid) return { name: candidate, element: { name: candidate } };
  }
  return undefined;
}

export function typeOid(type: DataType): number {
  if (type.element) return typeInfo[type.element.name].arrayOid;
  return typeInfo[type.name].oid;
}

/** PostgreSQL's atttypmod for a type: varchar(n) → n + 4, numeric(p, s) → (p << 16 | s) + 4, else -1. */
export function typeModifier(type: DataType): number {
  if ((type.name === 'varchar' || type.name === 'bpchar') && type.precision !== undefined) return type.precision + 4;
  if (type.name === 'numeric' && type.precision !== undefined) {
    return ((type.precision << 16) | (type.scale ?? 0)) + 4;
  }
  return -1;
}

/** The type as format_type() prints it: `numeric(15,2)`, `character varying(10)`, `integer[]`. */
export function formatType(type: DataType): string {
  if (type.element) return `${formatType(type.element)}[]`;
  const base = typeInfo[type.name].sqlName;
  if (type.name === 'numeric' && type.precision !== undefined) return `numeric(${type.precision},${type.scale ?? 0})`;
  if ((type.name === 'varchar' || type.name === 'bpchar') && type.precision !== undefined) return `${base}(${type.precision})`;
  return base;
}

export function sameType(a: DataType, b: DataType): boolean {
  if (a.name !== b.name || a.precision !== b.precision || a.scale !== b.scale) return false;
  if (a.fields !== undefined || b.fields !== undefined) {
    const x = a.fields ?? [];
    const y = b.fields ?? [];
    return x.length === y.length && x.every((field, i) => field.name === y[i]?.name && sameType(field.type, (y[i] as RecordField).type));
  }
  if (a.element === undefined || b.element === undefined) return a.element === b.element;
  return sameType(a.element, b.element);
}

export const Types = {
  bool: { name: 'bool' },
  int2: { name: 'int2' },
  int4: { name: 'int4' },
  int8: { name: 'int8' },
  float4: { name: 'float4' },
  float8: { name: 'float8' },
  numeric: { name: 'numeric' },
  text: { name: 'text' },
  varchar: { name: 'varchar' },
  name: { name: 'name' },
  bytea: { name: 'bytea' },
  date: { name: 'date' },
  timestamp: { name: 'timestamp' },
  timestamptz: { name: 'timestamptz' },
  interval: { name: 'interval' },
  uuid: { name: 'uuid' },
  jsonb: { name: 'jsonb' },
  json: { name: 'json' },
  oid: { name: 'oid' },
  unknown: { name: 'unknown' },
  void: { name: 'void' },
} as const satisfies Record<string, DataType>;

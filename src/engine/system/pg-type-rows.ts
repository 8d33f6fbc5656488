// pg_type's rows: every Sluice type and its array type, with PostgreSQL's OIDs, lengths, alignment
// and categories, so that drivers (postgres.js's array-type query, JDBC's type cache) find what
// they look for.

import { typeInfo, type DataType, type TypeName } from '../../common/types.js';
import { systemNamespaceOids } from '../../sql/system/system-relation.js';
import { bootstrapRoleOid } from './catalog-snapshot.js';
import type { SystemRecord } from './system-rows.js';

export interface StorageFacts {
  readonly length: number;
  readonly byValue: boolean;
  /** typalign: c(har), s(hort), i(nt), d(ouble). */
  readonly align: 'c' | 's' | 'i' | 'd';
  /** typstorage: p(lain) for fixed-length, x (extended) for varlena. */
  readonly storage: 'p' | 'x';
}

const collatable = new Set<TypeName>(['text', 'varchar', 'bpchar', 'name']);

/** The default collation of a type's values (PostgreSQL: 100 "default", 950 "C" for name), or 0. */
export function typeCollation(type: DataType): number {
  const base = type.element ?? type;
  if (!collatable.has(base.name)) return 0;
  return base.name === 'name' ? 950 : 100;
}

export function storageFacts(type: DataType): StorageFacts {
  if (type.element !== undefined) return { length: -1, byValue: false, align: storageFacts(type.element).align === 'd' ? 'd' : 'i', storage: 'x' };
  const length = typeInfo[type.name].length;
  switch (length) {
    case 1: return { length, byValue: true, align: 'c', storage: 'p' };
    case 2: return { length, byValue: true, align: 's', storage: 'p' };
    case 4: return { length, byValue: true, align: 'i', storage: 'p' };
    case 8: return { length, byValue: true, align: 'd', storage: 'p' };
    case -2: return { length, byValue: false, align: 'c', storage: 'p' };
    default:
      if (length > 0) return { length, byValue: false, align: type.name === 'interval' ? 'd' : type.name === 'uuid' || type.name === 'name' ? 'c' : 'i', storage: 'p' };
      return { length, byValue: false, align: 'i', storage: 'x' };
  }
}

/** PostgreSQL's array_in and array_out (regproc OIDs; see functions/catalog-casts.ts). */
const arrayInputOid = 750;
const arrayOutputOid = 751;

const preferred = new Set<TypeName>(['bool', 'float8', 'text', 'timestamptz', 'interval', 'oid']);
const vectorElements: Partial<Record<TypeName, number>> = { int2vector: 21, oidvector: 26, name: 18 };

export function pgTypeRows(): SystemRecord[] {
  const rows: SystemRecord[] = [];
  for (const name of Object.keys(typeInfo) as TypeName[]) {
    const info = typeInfo[name];
    const facts = storageFacts({ name });
    const pseudo = info.category === 'P' || info.category === 'X';
    const common = {
      typnamespace: systemNamespaceOids.pg_catalog, typowner: bootstrapRoleOid, typisdefined: true, typdelim: ',',
      typtypmod: -1, typnotnull: false,
    };
    rows.push({
      ...common, oid: info.oid, typname: name, typlen: facts.length, typbyval: facts.byValue, typtype: pseudo ? 'p' : 'b',
      typcategory: info.category, typispreferred: preferred.has(name), typelem: vectorElements[name] ?? 0, typarray: info.arrayOid,
      typalign: facts.align, typstorage: facts.storage, typcollation: typeCollation({ name }),
    });
    if (info.arrayOid === 0) continue;
    rows.push({
      ...common, oid: info.arrayOid, typname: `_${name}`, typlen: -1, typbyval: false, typtype: 'b', typcategory: 'A',
      typispreferred: false, typelem: info.oid, typarray: 0, typalign: facts.align === 'd' ? 'd' : 'i', typstorage: 'x',
      typinput: arrayInputOid, typoutput: arrayOutputOid,
      typcollation: typeCollation({ name }),
    });
  }
  return rows.sort((a, b) => (a['oid'] as number) - (b['oid'] as number));
}

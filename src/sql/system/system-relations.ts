// The registry of system relations and name resolution for them: a name qualified with a system
// schema resolves there; an unqualified name is looked up in pg_catalog first, as PostgreSQL
// searches pg_catalog before the search path unless the path names it.

import { informationSchemaRelations } from './information-schema-relations.js';
import { pgCatalogRelations } from './pg-catalog-relations.js';
import { sluiceCatalogRelations } from './sluice-catalog-relations.js';
import { systemNamespaceOids, type SystemRelation, type SystemSchemaName } from './system-relation.js';

export const systemRelations: readonly SystemRelation[] = [
  ...pgCatalogRelations, ...informationSchemaRelations, ...sluiceCatalogRelations,
];

const byKey = new Map(systemRelations.map((relation) => [`${relation.schema}.${relation.name}`, relation]));
const byOid = new Map(systemRelations.map((relation) => [relation.oid, relation]));

export function isSystemSchema(name: string): name is SystemSchemaName {
  return Object.hasOwn(systemNamespaceOids, name);
}

/** The system relation a (possibly qualified) name refers to, if any. */
export function findSystemRelation(schema: string | null, name: string): SystemRelation | undefined {
  if (schema !== null) return isSystemSchema(schema) ? byKey.get(`${schema}.${name}`) : undefined;
  return byKey.get(`pg_catalog.${name}`);
}

export function systemRelationByOid(oid: number): SystemRelation | undefined {
  return byOid.get(oid);
}

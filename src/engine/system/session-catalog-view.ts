// A session's view of the catalog for pg_catalog: the flattened snapshot (rebuilt when the catalog
// changes), name lookups for the reg* casts with the session's search path, and the texts that
// pg_get_indexdef / pg_get_constraintdef / pg_get_partkeydef print. Implements CatalogLookup.

import type { DatabaseDef } from '../../common/catalog-model.js';
import { parseQualifiedName, quoteIdentifier } from '../../common/identifiers.js';
import type { CatalogLookup } from '../../functions/function.js';
import type { Catalog } from '../catalog.js';
import {
  buildSnapshot, primaryKeyConstraintOid, roleOidOf, type CatalogSnapshot, type SnapshotNamespace, type SnapshotRelation,
} from './catalog-snapshot.js';

export class SessionCatalogView implements CatalogLookup {
  private cached: { version: number; snapshot: CatalogSnapshot } | undefined;
  private visible: { snapshot: CatalogSnapshot; path: string; byName: Map<string, SnapshotRelation> } | undefined;

  constructor(private readonly catalog: Catalog, private readonly database: DatabaseDef, readonly user: string,
    private readonly searchPath: () => readonly string[]) {}

  snapshot(): CatalogSnapshot {
    if (this.cached?.version !== this.catalog.version) {
      this.cached = { version: this.catalog.version, snapshot: buildSnapshot(this.catalog, this.database, this.user) };
    }
    return this.cached.snapshot;
  }

  searchPathSchemas(implicit: boolean): readonly string[] {
    const existing = this.searchPath().filter((name) => this.namespaceNamed(name) !== undefined);
    return implicit && !existing.includes('pg_catalog') ? ['pg_catalog', ...existing] : existing;
  }

  private namespaceNamed(name: string): SnapshotNamespace | undefined {
    return this.snapshot().namespaces.find((namespace) => namespace.name === name);
  }

  /** The relation an unqualified name finds through pg_catalog and the search path. */
  private visibleRelation(name: string): SnapshotRelation | undefined {
    const snapshot = this.snapshot();
    const path = this.searchPathSchemas(true);
    const key = path.join('\u0000');
    if (this.visible?.snapshot !== snapshot || this.visible.path !== key) {
      // pg_table_is_visible runs once per pg_class row: index the names once per snapshot and path.
      const byName = new Map<string, SnapshotRelation>();
      for (const schema of [...path].reverse()) {
        for (const relation of snapshot.relations) if (relation.namespace.name === schema) byName.set(relation.name, relation);
      }
      this.visible = { snapshot, path: key, byName };
    }
    return this.visible.byName.get(name);
  }

  relationVisible(oid: number): boolean {
    const relation = this.snapshot().relationByOid.get(oid);
    return relation !== undefined && this.visibleRelation(relation.name)?.oid === oid;
  }

  relationOid(name: string): number | undefined {
    const parts = parseQualifiedName(name);
    const [first, second, third] = parts;
    if (parts.length === 1 && first !== undefined) return this.visibleRelation(first)?.oid;
    const [schema, relationName] = parts.length === 3 && first === this.database.name ? [second, third]
      : parts.length === 2 ? [first, second] : [undefined, undefined];
    if (schema === undefined || relationName === undefined) return undefined;
    return this.snapshot().relations.find((relation) => relation.namespace.name === schema && relation.name === relationName)?.oid;
  }

  relationName(oid: number): string | undefined {
    const relation = this.snapshot().relationByOid.get(oid);
    if (relation === undefined) return undefined;
    const name = quoteIdentifier(relation.name);
    return this.relationVisible(oid) ? name : `${quoteIdentifier(relation.namespace.name)}.${name}`;
  }

  namespaceOid(name: string): number | undefined {
    const parts = parseQualifiedName(name);
    return parts.length === 1 && parts[0] !== undefined ? this.namespaceNamed(parts[0])?.oid : undefined;
  }

  namespaceName(oid: number): string | undefined {
    const found = this.snapshot().namespaces.find((namespace) => namespace.oid === oid);
    return found === undefined ? undefined : quoteIdentifier(found.name);
  }

  roleOid(name: string): number | undefined {
    const parts = parseQualifiedName(name);
    const role = parts.length === 1 ? parts[0] : undefined;
    return role !== undefined && this.snapshot().roles.includes(role) ? roleOidOf(role) : undefined;
  }

  roleName(oid: number): string | undefined {
    return this.snapshot().roles.find((role) => roleOidOf(role) === oid);
  }

  indexDefinition(oid: number, column: number): string | undefined {
    const index = this.snapshot().relationByOid.get(oid);
    const table = index?.indexOf;
    if (index === undefined || table === undefined || table === null) return undefined;
    if (column > 0) return index.columns[column - 1] === undefined ? '' : quoteIdentifier(index.columns[column - 1]?.name ?? '');
    const target = `${quoteIdentifier(table.namespace.name)}.${quoteIdentifier(table.name)}`;
    const only = table.kind === 'p' ? 'ONLY ' : '';
    return `CREATE ${index.secondary === undefined ? 'UNIQUE ' : ''}INDEX ${quoteIdentifier(index.name)} ON ${only}${target} USING btree (${keyList(index)})`;
  }

  constraintDefinition(oid: number): string | undefined {
    const index = this.primaryKeyIndexOfConstraint(oid);
    return index === undefined ? undefined : `PRIMARY KEY (${keyList(index)})`;
  }

  /** The primary-key index whose constraint has this OID. */
  primaryKeyIndexOfConstraint(oid: number): SnapshotRelation | undefined {
    return this.snapshot().relations.find((relation) => relation.indexOf !== null && relation.secondary === undefined && relation.table !== null
      && primaryKeyConstraintOid(relation.table.oid) === oid);
  }

  relationSize(oid: number): bigint | undefined {
    return this.snapshot().relationByOid.has(oid) ? 0n : undefined;
  }

  partitionAncestors(oid: number): readonly number[] {
    const relation = this.snapshot().relationByOid.get(oid);
    if (relation === undefined) return [];
    return relation.partition !== null && relation.table !== null ? [oid, relation.table.oid] : [oid];
  }

  partitionKeyDefinition(oid: number): string | undefined {
    const relation = this.snapshot().relationByOid.get(oid);
    if (relation?.kind !== 'p' || relation.table === null) return undefined;
    return `LIST (${relation.table.schema.partitionKey.map(quoteIdentifier).join(', ')})`;
  }
}

function keyList(index: SnapshotRelation): string {
  return index.columns.map((column) => quoteIdentifier(column.name)).join(', ');
}

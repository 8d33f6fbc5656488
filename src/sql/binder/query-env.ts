// What binding one query level sees besides its own FROM: the statement's context, the catalog,
// the WITH queries in reach, and the enclosing query's names when this query is a subquery.

import type { BoundQuery } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import type { Correlation } from './correlation.js';
import type { SelectStmt } from 'libpg-query';
import type { ExprBinderContext, Nesting } from './expr-binder.js';

export interface CommonTable {
  readonly name: string;
  readonly query: BoundQuery;
}

export interface QueryEnv {
  readonly context: ExprBinderContext;
  readonly catalog: CatalogReader;
  /** WITH queries by name; an inner WITH shadows an outer one. */
  readonly commonTables: ReadonlyMap<string, CommonTable>;
  /** Resolves names of the enclosing query (this query is a subquery in one of its expressions). */
  readonly outer: Correlation | null;
  /** Binds a nested query (FROM subquery, WITH query, subquery in an expression) in `env`. */
  readonly bindQuery: (statement: SelectStmt, env: QueryEnv) => BoundQuery;
  /** Numbers the work tables of the statement's WITH RECURSIVE queries. */
  readonly workTableIds: { next: number };
}

/** Lets an expression binder of this query level bind subqueries that see its names. */
export function nestingOf(env: QueryEnv): Nesting {
  return {
    outer: env.outer,
    bindSubquery: (statement, correlation) => env.bindQuery(statement, { ...env, outer: correlation }),
  };
}

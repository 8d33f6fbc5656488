// Scalar functions, operators and casts: their signatures (which the binder resolves against) and
// their implementations (which compiled expressions call). One layer used by both the binder and
// the executor, depending only on common/.

import type { DataType, Value } from '../common/types.js';

/** What a function may read besides its arguments. Fixed for the duration of one statement. */
export interface FunctionContext {
  readonly database: string;
  readonly user: string;
  readonly schema: string;
  /** Start of the current transaction, µs since 1970 (now(), current_timestamp). */
  readonly transactionTimestamp: bigint;
  /** Start of the current statement, µs since 1970 (statement_timestamp()). */
  readonly statementTimestamp: bigint;
  /** Session settings by lower-case name (current_setting, TimeZone). */
  setting(name: string): string | undefined;
  /** The server's version string, as version() returns it. */
  readonly serverVersion: string;
  /** The session's catalog, for reg* casts and pg_catalog's information functions. */
  readonly catalog?: CatalogLookup;
}

/**
 * What functions may ask of the catalog (the engine implements it over one database and the
 * session's search path). Names in and out are as reg* I/O shows them: qualified and quoted only
 * when needed.
 */
export interface CatalogLookup {
  /** A relation (table, partition, index or system relation) by possibly qualified name. */
  relationOid(name: string): number | undefined;
  relationName(oid: number): string | undefined;
  namespaceOid(name: string): number | undefined;
  namespaceName(oid: number): string | undefined;
  roleOid(name: string): number | undefined;
  roleName(oid: number): string | undefined;
  /** Whether an unqualified name finds this relation through the search path. */
  relationVisible(oid: number): boolean;
  /** CREATE INDEX text of an index; with column > 0, only that key column's name. */
  indexDefinition(oid: number, column: number): string | undefined;
  /** `PRIMARY KEY (a, b)` for a constraint. */
  constraintDefinition(oid: number): string | undefined;
  /** Bytes stored for a relation (0 for system relations). */
  relationSize(oid: number): bigint | undefined;
  /** Schemas of the search path (with pg_catalog first when `implicit`). */
  searchPathSchemas(implicit: boolean): readonly string[];
  /** The relation and the tables it is a partition of, nearest first (pg_partition_ancestors). */
  partitionAncestors(oid: number): readonly number[];
  /** PARTITION BY text of a partitioned table. */
  partitionKeyDefinition(oid: number): string | undefined;
}

export type FunctionImpl = (args: readonly Value[], context: FunctionContext) => Value;

export interface FunctionDef {
  /** Lower-case SQL name, or the operator symbol for operators (`+`, `||`, `~~`). */
  readonly name: string;
  /** Argument types. With `variadic`, the last one repeats. `anyelement` is expressed as unknown. */
  readonly args: readonly DataType[];
  readonly variadic?: boolean;
  /** Result type; a function of the resolved argument types for polymorphic functions. */
  readonly returns: DataType | ((args: readonly DataType[]) => DataType);
  /** Strict functions return NULL when any argument is NULL, without being called. */
  readonly strict: boolean;
  /** Volatile functions (random(), now() is stable) are not constant-folded. */
  readonly volatility: 'immutable' | 'stable' | 'volatile';
  readonly impl: FunctionImpl;
  /**
   * For polymorphic functions whose behaviour depends on the argument types (pg_typeof, concat,
   * to_jsonb): builds the implementation for the resolved types. Resolution puts the result in
   * ResolvedFunction.def.impl, so callers only ever call `impl`.
   */
  readonly bind?: (argTypes: readonly DataType[]) => FunctionImpl;
}

/** A function or operator chosen by overload resolution for given argument types. */
export interface ResolvedFunction {
  readonly def: FunctionDef;
  /** Types the arguments must be cast to before the call (same length as the call's arguments). */
  readonly argTypes: readonly DataType[];
  readonly returnType: DataType;
}

export type CastContext = 'implicit' | 'assignment' | 'explicit';

// Bound statements: what the binder produces and the engine executes. Parser types never appear
// here; names are resolved against the catalog and types are checked.

import type { DataType } from '../common/types.js';
import type { CopyOptions } from '../common/copy-options.js';
import type { TableSchema } from '../common/schema.js';
import type { ColumnSchema } from '../common/schema.js';
import type { LogicalPlan } from './plan/logical-plan.js';
import type { PartitionDef, TableDef } from '../common/catalog-model.js';
import type { BoundExpr } from './bound-expr.js';

export interface OutputColumn {
  readonly name: string;
  readonly type: DataType;
  readonly tableOid: number;
  readonly columnNumber: number;
}

export interface BoundQuery {
  readonly kind: 'Query';
  readonly plan: LogicalPlan;
  readonly columns: readonly OutputColumn[];
}

export interface BoundInsert {
  readonly kind: 'Insert';
  readonly table: TableDef;
  /** Set when the statement named one partition: rows must belong to it. */
  readonly partition: PartitionDef | null;
  /** Table column indexes the source's columns go to, in order. */
  readonly targetColumns: readonly number[];
  /** Produces rows of targetColumns.length values, already of the target columns' types. */
  readonly source: LogicalPlan;
  /** append: log table; upsert: primary-key table (partial update); nothing: ON CONFLICT DO NOTHING. */
  readonly onConflict: 'append' | 'upsert' | 'nothing' | 'update';
  /**
   * ON CONFLICT DO UPDATE: expressions over [existing row..., excluded row...] giving the new value
   * of each table column, and the optional WHERE that must hold for the update to happen.
   */
  readonly conflictUpdate: { readonly newRow: readonly BoundExpr[]; readonly where: BoundExpr | null } | null;
  /** RETURNING expressions over the table's scan row layout. */
  readonly returning: { readonly exprs: readonly BoundExpr[]; readonly columns: readonly OutputColumn[] } | null;
}

export type CopyFormatOptions = CopyOptions;

export interface BoundCopyFrom {
  readonly kind: 'CopyFrom';
  readonly table: TableDef;
  readonly partition: PartitionDef | null;
  readonly targetColumns: readonly number[];
  readonly options: CopyFormatOptions;
}

export interface BoundCopyTo {
  readonly kind: 'CopyTo';
  readonly plan: LogicalPlan;
  readonly columns: readonly OutputColumn[];
  readonly options: CopyFormatOptions;
}

export interface BoundDelete {
  readonly kind: 'Delete';
  readonly table: TableDef;
  /** Current rows to delete, in the table's scan row layout. */
  readonly rows: LogicalPlan;
}

export interface BoundUpdate {
  readonly kind: 'Update';
  readonly table: TableDef;
  /** Current rows to update, in the table's scan row layout. */
  readonly rows: LogicalPlan;
  /** The new row: one expression per table column over the old scan row. */
  readonly newRow: readonly BoundExpr[];
}

export interface BoundExplain {
  readonly kind: 'Explain';
  readonly lines: readonly string[];
}

export interface BoundTruncate {
  readonly kind: 'Truncate';
  readonly tables: readonly TableDef[];
}

export interface BoundCreateTable {
  readonly kind: 'CreateTable';
  readonly schemaName: string;
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly schema: TableSchema;
}

export interface BoundCreatePartition {
  readonly kind: 'CreatePartition';
  readonly schemaName: string;
  readonly name: string;
  readonly parentOid: number;
  readonly values: readonly string[];
  readonly ifNotExists: boolean;
}

export interface BoundCreateMaterializedView {
  readonly kind: 'CreateMaterializedView';
  readonly schemaName: string;
  readonly name: string;
  readonly ifNotExists: boolean;
  /** The table that holds the view's rows: the query's columns, keyed as the view plan says. */
  readonly schema: TableSchema;
  readonly definition: string;
  readonly inputs: readonly number[];
  /** The table the view also writes its columns to, as partial updates. */
  readonly target: number | null;
  /** The query as bound (not optimized). */
  readonly query: BoundQuery;
}

export interface BoundDropTables {
  readonly kind: 'DropTables';
  /** DROP MATERIALIZED VIEW rather than DROP TABLE. */
  readonly views?: boolean;
  /** Tables (or partitions, named by their own name) to drop; unknown names were checked already. */
  readonly targets: readonly { readonly tableOid: number; readonly partitionId: number | null }[];
}

export interface BoundCreateIndex {
  readonly kind: 'CreateIndex';
  readonly tableOid: number;
  /** null: chosen as PostgreSQL does (`t_col_idx`, then `t_col_idx1`, ...). */
  readonly name: string | null;
  /** Indexed column names, in key order. */
  readonly columns: readonly string[];
  readonly ifNotExists: boolean;
}

export interface BoundDropIndexes {
  readonly kind: 'DropIndexes';
  /** Indexes to drop; unknown names were checked already. */
  readonly targets: readonly { readonly tableOid: number; readonly indexOid: number }[];
}

export interface BoundAddColumn {
  readonly kind: 'AddColumn';
  readonly tableOid: number;
  readonly column: Omit<ColumnSchema, 'id'>;
  readonly ifNotExists: boolean;
}

export interface BoundCreateSchema { readonly kind: 'CreateSchema'; readonly name: string; readonly ifNotExists: boolean }
export interface BoundDropSchemas {
  readonly kind: 'DropSchemas'; readonly names: readonly string[]; readonly missingOk: boolean; readonly cascade: boolean;
}
export interface BoundCreateDatabase { readonly kind: 'CreateDatabase'; readonly name: string }
export interface BoundDropDatabase { readonly kind: 'DropDatabase'; readonly name: string; readonly missingOk: boolean }

export interface BoundSet {
  readonly kind: 'Set';
  readonly name: string;
  /** null means RESET (back to the default). */
  readonly value: string | null;
  readonly local: boolean;
}
export interface BoundResetAll { readonly kind: 'ResetAll' }
export interface BoundShow { readonly kind: 'Show'; readonly name: string }

export interface BoundTransaction {
  readonly kind: 'Transaction';
  readonly action: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo';
  readonly savepoint?: string;
}

export interface BoundDiscard { readonly kind: 'Discard'; readonly what: 'all' | 'plans' | 'temp' | 'sequences' }
export interface BoundNoOp { readonly kind: 'NoOp'; readonly tag: string }

/** Where a subscription starts reading its inputs' changes. */
export type SubscribeStart =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  /** The first commit at or after this time (µs since 1970). */
  | { readonly kind: 'timestamp'; readonly micros: bigint }
  /** Right after the position a progress row reported. */
  | { readonly kind: 'token'; readonly token: string };

export interface SubscribeOptions {
  /** Emit the query's result at the start point first, as inserts. */
  readonly snapshot: boolean;
  readonly start: SubscribeStart;
  /** Emit `progress` rows carrying a resume token. */
  readonly progress: boolean;
}

/** A continuous query: its changes, streamed as rows, a cursor's rows or COPY data. */
export interface BoundSubscribe {
  readonly kind: 'Subscribe';
  /** The query as bound, before batch optimizations (the streaming planner has its own). */
  readonly query: BoundQuery;
  readonly options: SubscribeOptions;
  /** COPY (SUBSCRIBE ...) TO STDOUT: the COPY format. */
  readonly copy: CopyFormatOptions | null;
  /** Output: _change_type, _commit_timestamp, the query's columns[, _resume_token]. */
  readonly columns: readonly OutputColumn[];
}

export interface BoundDeclareCursor {
  readonly kind: 'DeclareCursor';
  readonly name: string;
  /** WITH HOLD: the cursor outlives the transaction block. */
  readonly hold: boolean;
  readonly query: BoundQuery | BoundSubscribe;
}

export interface BoundFetch {
  readonly kind: 'Fetch';
  readonly name: string;
  /** Rows wanted; null = ALL. */
  readonly count: number | null;
  /** MOVE: advance without returning rows. */
  readonly move: boolean;
  /** How long a FETCH on a continuous query waits for its first row; null = until canceled. */
  readonly timeoutMs: number | null;
}

export interface BoundClosePortal { readonly kind: 'ClosePortal'; readonly name: string | null }

export type BoundStatement =
  | BoundQuery
  | BoundSubscribe
  | BoundDeclareCursor
  | BoundFetch
  | BoundClosePortal
  | BoundInsert
  | BoundCopyFrom
  | BoundCopyTo
  | BoundTruncate
  | BoundExplain
  | BoundDelete
  | BoundUpdate
  | BoundCreateTable
  | BoundCreatePartition
  | BoundDropTables
  | BoundCreateMaterializedView
  | BoundAddColumn
  | BoundCreateIndex
  | BoundDropIndexes
  | BoundCreateSchema
  | BoundDropSchemas
  | BoundCreateDatabase
  | BoundDropDatabase
  | BoundSet
  | BoundResetAll
  | BoundShow
  | BoundTransaction
  | BoundDiscard
  | BoundNoOp;

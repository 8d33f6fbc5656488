// Executes writes: evaluates an INSERT's rows, checks them, routes them to tablets (creating
// automatic partitions), and commits them through the commit pipeline — at once, or at COMMIT
// when the session is in a transaction block.

import type { PartitionDef, TableDef } from '../common/catalog-model.js';
import { SqlError, SqlState } from '../common/errors.js';
import { limits } from '../common/limits.js';
import type { Value } from '../common/types.js';
import { compileExpr } from '../exec/expr/compile.js';
import type { ExecContext } from '../exec/batch/operator.js';
import { buildOperator } from '../exec/batch/build.js';
import type { BoundDelete, BoundInsert, BoundUpdate } from '../sql/bound-statement.js';
import type { Prepare, TabletCommit } from '../storage/commit/commit-pipeline.js';
import type { BucketTablet, TableStorage } from '../storage/table-storage.js';
import type { Catalog } from './catalog.js';
import { WriteRouter } from './write-router.js';
import { autoPartitionName } from './auto-partitions.js';

/** Rows bound for one tablet. */
export interface TabletWrite {
  readonly table: TableDef;
  readonly tablet: BucketTablet;
  readonly kind: 'append' | 'upsert' | 'nothing' | 'delete' | 'update' | 'retract';
  /** Full table rows (for deletes, the rows whose keys are deleted). */
  readonly rows: Value[][];
  /** ON CONFLICT DO UPDATE: the new row for an existing one and the proposed one (null: no update). */
  readonly merge?: (existing: readonly Value[], proposed: readonly Value[]) => Value[] | null;
  /** For a partial upsert: the table columns the statement named; for a retract, the columns it sets to NULL. */
  readonly columns: readonly number[] | null;
}

export interface WriteServices {
  readonly catalog: Catalog;
  readonly storage: TableStorage;
}

export interface PlannedInsert {
  readonly writes: TabletWrite[];
  readonly count: number;
  readonly returning: Value[][] | null;
}

export async function planInsert(services: WriteServices, statement: BoundInsert, context: ExecContext): Promise<PlannedInsert> {
  const rows: Value[][] = [];
  for await (const batch of buildOperator(statement.source).execute(context)) {
    for (const source of batch) rows.push(source);
    if (rows.length > limits.statementWriteRowsMax) throw tooManyRows();
  }
  const full = widenRows(statement.table, statement.targetColumns, rows);
  const merge = statement.conflictUpdate === null ? undefined : conflictMerge(statement.conflictUpdate, context);
  const writes = await planRows(services, { ...statement, rows: full, ...(merge === undefined ? {} : { merge }) });
  const returning = statement.returning === null ? null : evaluateReturning(statement, full, context);
  return { writes, count: full.length, returning };
}

/**
 * UPDATE and DELETE: the matching current rows become deletes, and for UPDATE upserts of the new
 * rows (a changed primary key deletes the old key and writes the new one).
 */
export async function planModify(services: WriteServices, statement: BoundUpdate | BoundDelete, context: ExecContext):
  Promise<{ writes: TabletWrite[]; count: number }> {
  const table = statement.table;
  const width = table.schema.columns.length;
  const oldRows: Value[][] = [];
  for await (const batch of buildOperator(statement.rows).execute(context)) {
    for (const row of batch) oldRows.push(row);
    if (oldRows.length > limits.statementWriteRowsMax) throw tooManyRows();
  }
  const base = { table, partition: null, targetColumns: table.schema.columns.map((_, i) => i) };
  if (statement.kind === 'Delete') {
    const writes = await planRows(services, { ...base, onConflict: 'delete', rows: oldRows.map((row) => row.slice(0, width)) });
    return { writes, count: oldRows.length };
  }
  const compiled = statement.newRow.map((expr) => compileExpr(expr, context.functions));
  const keyIndexes = table.schema.primaryKey.map((name) => table.schema.columns.findIndex((column) => column.name === name));
  const deletes: Value[][] = [];
  const upserts: Value[][] = [];
  for (const row of oldRows) {
    const next = compiled.map((expr) => expr(row, context.params));
    if (keyIndexes.some((index) => !valuesEqual(row[index] ?? null, next[index] ?? null))) deletes.push(row.slice(0, width));
    upserts.push(next);
  }
  const writes = [
    ...(deletes.length > 0 ? await planRows(services, { ...base, onConflict: 'delete', rows: deletes }) : []),
    ...await planRows(services, { ...base, onConflict: 'upsert', rows: upserts }),
  ];
  return { writes, count: oldRows.length };
}

function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return String(a) === String(b);
}

function conflictMerge(update: NonNullable<BoundInsert['conflictUpdate']>, context: ExecContext): NonNullable<TabletWrite['merge']> {
  const newRow = update.newRow.map((expr) => compileExpr(expr, context.functions));
  const where = update.where === null ? null : compileExpr(update.where, context.functions);
  return (existing, proposed) => {
    const both = [...existing, ...proposed];
    if (where !== null && where(both, context.params) !== true) return null;
    return newRow.map((expr) => expr(both, context.params));
  };
}

export function tooManyRows(): SqlError {
  return new SqlError(SqlState.programLimitExceeded, `a statement may write at most ${limits.statementWriteRowsMax} rows`);
}

/** Rows of the statement's target columns as full table rows (other columns NULL). */
export function widenRows(table: TableDef, targetColumns: readonly number[], rows: readonly Value[][]): Value[][] {
  const width = table.schema.columns.length;
  if (targetColumns.length === width && targetColumns.every((column, i) => column === i)) return rows as Value[][];
  return rows.map((source) => {
    const row: Value[] = new Array(width).fill(null);
    targetColumns.forEach((column, i) => { row[column] = source[i] ?? null; });
    return row;
  });
}

export interface RowsToWrite {
  readonly table: TableDef;
  readonly partition: PartitionDef | null;
  readonly targetColumns: readonly number[];
  /** 'retract': take back a partial update of `targetColumns` (see KvWrite). */
  readonly onConflict: 'append' | 'upsert' | 'nothing' | 'delete' | 'update' | 'retract';
  readonly merge?: TabletWrite['merge'];
  /** Full table rows. */
  readonly rows: Value[][];
}

/** Checks rows and routes them to tablets. */
export async function planRows(services: WriteServices, write: RowsToWrite): Promise<TabletWrite[]> {
  const { table, rows } = write;
  const width = table.schema.columns.length;
  if (write.onConflict !== 'delete' && write.onConflict !== 'retract') checkNotNull(table, rows, write.targetColumns, write.onConflict !== 'append');
  const current = currentTable(services.catalog, table);
  if (write.partition !== null) checkPartition(current, write.partition, rows);
  const router = new WriteRouter(current);
  const partitions = await resolvePartitions(services, current, router, rows);
  const partial = write.onConflict === 'retract' ? write.targetColumns
    : write.onConflict === 'upsert' && write.targetColumns.length < width ? write.targetColumns : null;
  return router.route(rows, partitions).map((group): TabletWrite => {
    const tablet = services.storage.bucketsOf(current, group.partition)[group.bucket];
    if (tablet === undefined) throw new SqlError(SqlState.internalError, `tablet for bucket ${group.bucket} of "${current.name}" is not open`);
    return { table: current, tablet, kind: write.onConflict, rows: group.rows, columns: partial, ...(write.merge === undefined ? {} : { merge: write.merge }) };
  });
}

export function currentTable(catalog: Catalog, table: TableDef): TableDef {
  const object = catalog.object(table.oid);
  if (object?.kind !== 'table') throw new SqlError(SqlState.undefinedTable, `relation "${table.name}" does not exist`);
  return object;
}

export function checkNotNull(table: TableDef, rows: readonly Value[][], targets: readonly number[], isPrimaryKeyTable: boolean): void {
  // A partial update of a primary-key table may leave out columns an existing row already has.
  const checked = table.schema.columns.flatMap((column, index) =>
    column.nullable || (isPrimaryKeyTable && !targets.includes(index) && !table.schema.primaryKey.includes(column.name)) ? [] : [index]);
  if (checked.length === 0) return;
  let firstNull = -1;
  for (const row of rows) {
    for (const index of checked) {
      if (row[index] === null && (firstNull < 0 || index < firstNull)) firstNull = index;
    }
  }
  if (firstNull >= 0) throw notNullViolation(table, firstNull);
}

/** The error of a NULL in NOT NULL column `index` of `table`. */
export function notNullViolation(table: TableDef, index: number): SqlError {
  const name = table.schema.columns[index]?.name ?? '';
  return new SqlError(SqlState.notNullViolation, `null value in column "${name}" of relation "${table.name}" violates not-null constraint`,
    { table: table.name, column: name });
}

function checkPartition(table: TableDef, partition: PartitionDef, rows: readonly Value[][]): void {
  const router = new WriteRouter(table);
  const wanted = partition.values.join('\u0000');
  if (rows.some((row) => router.partitionValues(row).join('\u0000') !== wanted)) {
    throw new SqlError('23514', `new row for relation "${partition.name}" violates partition constraint`);
  }
}

/** The partition of every row; automatic partitions are created on first use. */
async function resolvePartitions(services: WriteServices, table: TableDef, router: WriteRouter, rows: readonly Value[][]):
  Promise<Map<string, PartitionDef | null>> {
  const result = new Map<string, PartitionDef | null>();
  if (table.schema.partitionKey.length === 0) return result;
  for (const row of rows) {
    const values = router.partitionValues(row);
    const key = values.join('\u0000');
    if (result.has(key)) continue;
    let partition = currentTable(services.catalog, table).partitions.find((candidate) => candidate.values.join('\u0000') === key);
    if (partition === undefined) partition = await createAutomaticPartition(services, table, values);
    result.set(key, partition);
  }
  return result;
}

async function createAutomaticPartition(services: WriteServices, table: TableDef, values: readonly string[]): Promise<PartitionDef> {
  const shown = `(${table.schema.partitionKey.join(', ')}) = (${values.join(', ')})`;
  if (table.schema.options.autoPartition === undefined) {
    throw new SqlError('23514', `no partition of relation "${table.name}" found for row`,
      { detail: `Partition key of the failing row contains ${shown}.`, table: table.name });
  }
  const name = autoPartitionName(table, values.join('_'));
  const partition = await services.catalog.change((edit) => {
    const latest = currentTable(services.catalog, table);
    const existing = latest.partitions.find((candidate) => candidate.values.join('\u0000') === values.join('\u0000'));
    if (existing !== undefined) return existing;
    const created: PartitionDef = {
      id: edit.allocateOid(), name, values, createdAtMs: Date.now(),
      tabletIds: Array.from({ length: latest.schema.options.buckets }, () => edit.allocateOid()),
    };
    edit.put.push({ ...latest, partitions: [...latest.partitions, created] });
    return created;
  });
  await services.storage.openTable(currentTable(services.catalog, table));
  return partition;
}

function evaluateReturning(statement: BoundInsert, rows: readonly Value[][], context: ExecContext): Value[][] {
  const exprs = (statement.returning?.exprs ?? []).map((expr) => compileExpr(expr, context.functions));
  return rows.map((row) => {
    const scanRow = [...row, null, null, null];
    return exprs.map((expr) => expr(scanRow, context.params));
  });
}

/**
 * Commits writes as one atomic commit; resolves once durable, with the number of rows that
 * ON CONFLICT DO NOTHING writes actually inserted. `via`: 'exclusive' from exclusive work (see
 * CommitPipeline.commitInside); 'maintenance' for a view's own writes, which are never held back
 * (see CommitPipeline.hold).
 */
export async function commitWrites(storage: TableStorage, writes: readonly TabletWrite[], via: 'statement' | 'exclusive' | 'maintenance' = 'statement'):
  Promise<number> {
  const inserted = { count: 0 };
  if (writes.every((write) => write.rows.length === 0)) return 0;
  const pipeline = storage.pipeline;
  const commit = via === 'exclusive' ? (prepare: Prepare) => pipeline.commitInside(prepare)
    : (prepare: Prepare) => pipeline.commit(prepare, { unthrottled: via === 'maintenance' });
  await commit(async () => {
    const parts: TabletCommit[] = [];
    try {
      for (const group of groupByTablet(writes)) parts.push(await prepareTablet(storage, group, inserted));
    } catch (error) {
      for (const part of parts) await part.discard?.();
      throw error;
    }
    return parts;
  });
  return inserted.count;
}

function groupByTablet(writes: readonly TabletWrite[]): TabletWrite[][] {
  const groups = new Map<number, TabletWrite[]>();
  for (const write of writes) {
    const group = groups.get(write.tablet.tabletId) ?? [];
    group.push(write);
    groups.set(write.tablet.tabletId, group);
  }
  return [...groups.values()];
}

async function prepareTablet(storage: TableStorage, writes: readonly TabletWrite[], inserted: { count: number }): Promise<TabletCommit> {
  const first = writes[0];
  if (first === undefined) throw new SqlError(SqlState.internalError, 'empty tablet write');
  const tablet = first.tablet;
  if (first.table.schema.primaryKey.length > 0) {
    return storage.prepareKvCommit(first.table, tablet, writes, first.kind === 'nothing' ? inserted : undefined);
  }
  const width = first.table.schema.columns.length;
  const columns = transpose(writes, width);
  return {
    log: tablet.log,
    batch: { rowCount: columns[0]?.length ?? writes.reduce((sum, write) => sum + write.rows.length, 0), columns },
    afterDurable: async (lastOffset) => { tablet.visibleEndOffset = lastOffset + 1n; },
  };
}

/** The rows of all `writes` as `width` columns, in one pass over the rows. */
function transpose(writes: readonly TabletWrite[], width: number): Value[][] {
  const rowCount = writes.reduce((sum, write) => sum + write.rows.length, 0);
  const columns: Value[][] = Array.from({ length: width }, () => new Array<Value>(rowCount));
  let at = 0;
  for (const write of writes) {
    for (const row of write.rows) {
      for (let column = 0; column < width; column++) (columns[column] as Value[])[at] = row[column] ?? null;
      at++;
    }
  }
  return columns;
}

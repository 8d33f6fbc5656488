// COPY FROM STDIN into an unpartitioned primary-key table, naming every column, outside a
// transaction block: rows are checked (NOT NULL), routed to their buckets and encoded at once into
// each bucket's KV load (kv-load.ts): packed keys and rows and insert records for the log. A bulk
// load thus holds bytes rather than millions of live rows until CopyDone, when the loads are
// committed as one statement: a load of ascending keys into an empty tablet as it is, any other as
// the same rows' upserts (duplicate keys are successive upserts), with the changelog of each.
// While the load can still be taken as it is, a bucket's sealed chunks are also written to the log
// ahead of the commit once they pass limits.copyStageFromBytes (log-stage.ts): the commit then
// renames them into segments instead of appending them. Nothing is visible before the commit, and
// a failure or an abort leaves nothing behind. A table of one
// bucket whose columns the load reads from text, named in table order, takes text and csv rows as
// they are read (fieldRows): as their fields' bytes, never made Values, when they are in the shapes
// the load parses; else as Values, added in order with them. Other COPYs into primary-key tables
// gather their rows and write them like an INSERT.

import { internalError } from '../common/errors.js';
import { limits } from '../common/limits.js';
import type { Value } from '../common/types.js';
import type { CopyInSink } from '../pgwire/session.js';
import type { BoundCopyFrom } from '../sql/bound-statement.js';
import type { TabletCommit } from '../storage/commit/commit-pipeline.js';
import type { KvLoad, LoadChunk } from '../storage/kv/kv-load.js';
import type { KvTablet } from '../storage/kv/kv-tablet.js';
import type { LogStage } from '../storage/log/log-stage.js';
import { checkNotNull, currentTable, notNullViolation, tooManyRows, widenRows, type WriteServices } from './write-executor.js';
import { WriteRouter } from './write-router.js';

const noPartitions = new Map<string, null>();

/** Whether COPY FROM into `bound` takes this sink (in a transaction block it never does). */
export function pkCopyApplies(bound: BoundCopyFrom): boolean {
  const schema = bound.table.schema;
  return schema.primaryKey.length > 0 && schema.partitionKey.length === 0 && bound.partition === null
    && bound.targetColumns.length === schema.columns.length;
}

export class PkCopySink implements CopyInSink {
  private readonly router: WriteRouter;
  /** Per bucket: its load, started on the bucket's KV tablet. */
  private loads: KvLoad[];
  /** Per bucket: the stage its sealed chunks' log batches go to, while they may (see staged). */
  private stages: LogStage[];
  /** Per bucket: sealed chunks not staged yet, their log bytes, and whether chunks still go to the stage. */
  private readonly unstaged: LoadChunk[][];
  private readonly unstagedBytes: number[];
  private readonly staging: boolean[];
  private rowCount = 0;
  /** Columns that must not be NULL. */
  private readonly notNull: readonly number[];
  /** Rows handed over as Values through fieldRows, not yet added (they are added in batches, in order). */
  private pendingRows: Value[][] = [];
  readonly fieldRows?: { writeFields(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean; writeValues(row: Value[]): void };

  constructor(private readonly services: WriteServices, private readonly bound: BoundCopyFrom) {
    const table = bound.table;
    this.router = new WriteRouter(table);
    const tablets = services.storage.bucketsOf(table, null);
    this.loads = tablets.map((tablet) => {
      if (tablet.kv === null) throw internalError(`tablet ${tablet.tabletId} of "${table.name}" has no KV tablet`);
      return tablet.kv.startLoad();
    });
    if (this.loads.length !== table.schema.options.buckets) throw internalError(`tablets of "${table.name}" are not open`);
    this.stages = tablets.map((tablet) => tablet.log.stage());
    this.unstaged = tablets.map(() => []);
    this.unstagedBytes = tablets.map(() => 0);
    this.staging = tablets.map(() => true);
    this.loads.forEach((load, bucket) => {
      const kv = tablets[bucket]!.kv!;
      load.onSeal = (chunk) => this.sealed(bucket, kv, load, chunk);
    });
    this.notNull = table.schema.columns.flatMap((column, index) => (column.nullable ? [] : [index]));
    // Rows of one bucket, named in table order, of types a load reads from text: taken as they are read.
    const load = this.loads[0];
    if (this.loads.length === 1 && load !== undefined && load.takesFields && bound.targetColumns.every((column, index) => column === index)) {
      this.fieldRows = {
        writeFields: (line, starts, ends, nulls) => this.addFields(load, line, starts, ends, nulls),
        writeValues: (row) => {
          this.pendingRows.push(row);
          if (this.pendingRows.length >= limits.rowsPerBatchMax) this.addPendingRows();
        },
      };
    }
  }

  /** A row as its fields' bytes (see CopyInSink.fieldRows), checked for NOT NULL as rows are. */
  private addFields(load: KvLoad, line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean {
    for (const column of this.notNull) if (nulls[column] !== 0) throw notNullViolation(this.bound.table, column);
    if (this.rowCount + this.pendingRows.length + 1 > limits.statementWriteRowsMax) throw tooManyRows();
    if (this.pendingRows.length > 0) this.addPendingRows();
    if (!load.addFields(line, starts, ends, nulls)) return false;
    this.rowCount++;
    return true;
  }

  /**
   * A chunk of `bucket` sealed: staged, with the chunks sealed before it, once they pass
   * copyStageFromBytes, while the tablet would take the load as it is (the commit checks again).
   */
  private sealed(bucket: number, kv: KvTablet, load: KvLoad, chunk: LoadChunk): void {
    if (!this.staging[bucket]) return;
    const unstaged = this.unstaged[bucket]!;
    unstaged.push(chunk);
    this.unstagedBytes[bucket]! += chunk.log.byteLength;
    if (this.unstagedBytes[bucket]! < limits.copyStageFromBytes) return;
    const stage = this.stages[bucket]!;
    if (!kv.loadsAsItIs(load)) {
      this.staging[bucket] = false;
      return;
    }
    while (unstaged.length > 0 && stage.accepts(unstaged[0]!.log)) stage.add(unstaged.shift()!.log);
    this.unstagedBytes[bucket] = 0;
    if (unstaged.length > 0) this.staging[bucket] = false;
    unstaged.length = 0;
  }

  private addPendingRows(): void {
    const rows = this.pendingRows;
    this.pendingRows = [];
    this.addRows(rows);
  }

  async writeRows(batch: Value[][]): Promise<void> {
    this.addRows(batch);
  }

  private addRows(batch: Value[][]): void {
    const { table, targetColumns } = this.bound;
    if (this.rowCount + batch.length > limits.statementWriteRowsMax) throw tooManyRows();
    const rows = widenRows(table, targetColumns, batch);
    checkNotNull(table, rows, targetColumns, true);
    const loads = this.loads;
    if (loads.length === 1) loads[0]!.add(rows);
    else for (const group of this.router.route(rows, noPartitions)) loads[group.bucket]!.add(group.rows);
    this.rowCount += batch.length;
  }

  async finish(): Promise<string> {
    if (this.pendingRows.length > 0) this.addPendingRows();
    const stages = this.stages;
    this.stages = [];
    try {
      return await this.commit(stages);
    } finally {
      for (const stage of stages) await stage.discard();
    }
  }

  private async commit(stages: readonly LogStage[]): Promise<string> {
    const count = this.rowCount;
    const loads = this.loads;
    this.loads = [];
    for (const load of loads) load.onSeal = null;
    for (const stage of stages) await stage.settled();
    if (count > 0) {
      const { catalog, storage } = this.services;
      const current = currentTable(catalog, this.bound.table);
      const tablets = storage.bucketsOf(current, null);
      const chunks = loads.map((load) => load.finish());
      await storage.pipeline.commit(async () => {
        const parts: TabletCommit[] = [];
        try {
          for (let bucket = 0; bucket < loads.length; bucket++) {
            const tablet = tablets[bucket];
            if (tablet === undefined) throw internalError(`tablet for bucket ${bucket} of "${current.name}" is not open`);
            const stage = stages[bucket];
            if (loads[bucket]!.rowCount > 0) {
              parts.push(...await storage.prepareKvLoad(current, tablet, loads[bucket]!, chunks[bucket]!, stage !== undefined && stage.rowCount > 0 ? stage : undefined));
            }
          }
        } catch (error) {
          for (const part of parts) await part.discard?.();
          throw error;
        }
        return parts;
      });
    }
    return `COPY ${count}`;
  }

  async abort(): Promise<void> {
    for (const load of this.loads) load.onSeal = null;
    this.loads = [];
    this.pendingRows = [];
    const stages = this.stages;
    this.stages = [];
    for (const stage of stages) await stage.discard();
  }
}

// COPY FROM STDIN into an unpartitioned primary-key table, naming every column, outside a
// transaction block: each batch of rows the decoder hands over is checked (NOT NULL), routed to its
// buckets and encoded at once into each bucket's KV load (kv-load.ts): packed keys and rows and
// insert records for the log. A bulk load thus holds bytes rather than millions of live rows until
// CopyDone, when the loads are committed as one statement: a load of ascending keys into an empty
// tablet as it is, any other as the same rows' upserts (duplicate keys are successive upserts), with
// the changelog of each. Nothing is visible before the commit, and a failure or an abort writes
// nothing. Other COPYs into primary-key tables gather their rows and write them like an INSERT.

import { internalError } from '../common/errors.js';
import { limits } from '../common/limits.js';
import type { Value } from '../common/types.js';
import type { CopyInSink } from '../pgwire/session.js';
import type { BoundCopyFrom } from '../sql/bound-statement.js';
import type { TabletCommit } from '../storage/commit/commit-pipeline.js';
import type { KvLoad } from '../storage/kv/kv-load.js';
import { checkNotNull, currentTable, tooManyRows, widenRows, type WriteServices } from './write-executor.js';
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
  private rowCount = 0;

  constructor(private readonly services: WriteServices, private readonly bound: BoundCopyFrom) {
    const table = bound.table;
    this.router = new WriteRouter(table);
    this.loads = services.storage.bucketsOf(table, null).map((tablet) => {
      if (tablet.kv === null) throw internalError(`tablet ${tablet.tabletId} of "${table.name}" has no KV tablet`);
      return tablet.kv.startLoad();
    });
    if (this.loads.length !== table.schema.options.buckets) throw internalError(`tablets of "${table.name}" are not open`);
  }

  async writeRows(batch: Value[][]): Promise<void> {
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
    const count = this.rowCount;
    const loads = this.loads;
    this.loads = [];
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
            if (loads[bucket]!.rowCount > 0) parts.push(...await storage.prepareKvLoad(current, tablet, loads[bucket]!, chunks[bucket]!));
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
    this.loads = [];
  }
}

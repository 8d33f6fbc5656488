// COPY FROM STDIN into an unpartitioned primary-key table, naming every column, outside a
// transaction block: rows are checked (NOT NULL), routed to their buckets and encoded at once into
// each bucket's KV load (kv-load.ts): packed keys and rows and insert records for the log. A bulk
// load thus holds bytes rather than millions of live rows until CopyDone, when the loads are
// committed as one statement: a load of ascending keys into an empty tablet as it is, any other as
// the same rows' upserts (duplicate keys are successive upserts), with the changelog of each.
// Nothing is visible before the commit, and a failure or an abort writes nothing. A table of one
// bucket whose columns the load reads from text, named in table order, takes text and csv rows as
// they are read (fieldRows): as their fields' bytes, never made Values, when they are in the shapes
// the load parses; else as Values, added in order with them. Other COPYs into primary-key tables
// gather their rows and write them like an INSERT. The rows are added to the loads by a
// PkCopyBuild (copy-build.ts), here or, for a COPY that takes fields, on a COPY worker, whose
// loads' chunks come back to be committed here.

import { internalError } from '../common/errors.js';
import type { Value } from '../common/types.js';
import type { CopyInSink } from '../pgwire/session.js';
import type { BoundCopyFrom } from '../sql/bound-statement.js';
import type { TabletCommit } from '../storage/commit/commit-pipeline.js';
import type { KvLoad, LoadChunk, LoadSummary } from '../storage/kv/kv-load.js';
import { PkCopyBuild, PkCopyOutputs, codecSpec, pkTakesFields, type CopyBuildMessage, type CopyBuildSpec, type FieldRows } from './copy-build.js';
import { currentTable, type WriteServices } from './write-executor.js';

/** Whether COPY FROM into `bound` takes this sink (in a transaction block it never does). */
export function pkCopyApplies(bound: BoundCopyFrom): boolean {
  const schema = bound.table.schema;
  return schema.primaryKey.length > 0 && schema.partitionKey.length === 0 && bound.partition === null
    && bound.targetColumns.length === schema.columns.length;
}

export class PkCopySink implements CopyInSink {
  private build: PkCopyBuild | null;
  /** The loads' chunks and summaries made on a worker. */
  private readonly outputs: PkCopyOutputs | null = null;
  readonly fieldRows?: FieldRows;
  readonly offThread?: { readonly spec: CopyBuildSpec; receive(message: unknown): void };

  constructor(private readonly services: WriteServices, private readonly bound: BoundCopyFrom) {
    const table = bound.table;
    const loads = services.storage.bucketsOf(table, null).map((tablet) => {
      if (tablet.kv === null) throw internalError(`tablet ${tablet.tabletId} of "${table.name}" has no KV tablet`);
      return tablet.kv.startLoad();
    });
    if (loads.length !== table.schema.options.buckets) throw internalError(`tablets of "${table.name}" are not open`);
    this.build = new PkCopyBuild(table, bound.targetColumns, loads);
    if (this.build.fieldRows !== undefined) this.fieldRows = this.build.fieldRows;
    if (pkTakesFields(loads, bound.targetColumns)) {
      const outputs = new PkCopyOutputs(loads[0]!.logTypes, loads.map((load) => load.codec));
      this.outputs = outputs;
      this.offThread = {
        spec: { kind: 'pk', table, targetColumns: bound.targetColumns, codecs: loads.map((load) => codecSpec(load.codec)) },
        receive: (message) => outputs.receive(message as CopyBuildMessage),
      };
    }
  }

  async writeRows(batch: Value[][]): Promise<void> {
    this.build?.writeRows(batch);
  }

  async finish(): Promise<string> {
    const build = this.build;
    if (build === null) throw internalError('COPY finished twice');
    this.build = null;
    build.flush();
    const remote = this.outputs?.summaries ?? null;
    // The rows were built here (their loads) or on a worker (its loads' summaries and chunks).
    const loads: readonly LoadSummary[] = remote ?? build.loads;
    const chunks: readonly (readonly LoadChunk[])[] = remote !== null ? this.outputs!.chunks : build.loads.map((load: KvLoad) => load.finish());
    const count = loads.reduce((sum, load) => sum + load.rowCount, 0);
    if (count > 0) {
      const { catalog, storage } = this.services;
      const current = currentTable(catalog, this.bound.table);
      const tablets = storage.bucketsOf(current, null);
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
    this.build = null;
  }
}

// COPY FROM STDIN into an unpartitioned log table outside a transaction block: each batch of rows
// the decoder hands over is checked (NOT NULL), routed to its buckets and encoded for the log at
// once, and each bucket's encoded parts are joined into chunks of one log batch. A bulk load thus
// holds column buffers rather than millions of live rows until CopyDone (rows die young, before
// the garbage collector would copy them), when the chunks are committed as one statement, exactly
// as the rows would have been. Nothing is visible before the commit, and a failure or an abort
// writes nothing. A table without a bucket key (or of one bucket) whose columns FieldColumns reads
// from text, named in table order, takes text and csv rows as they are read (fieldRows): as their
// fields' bytes, parsed straight into each bucket's column builders, never made Values, when they
// are in the shapes the builders parse; else as Values, added in order with them. Other COPYs
// gather their rows and write them like an INSERT (session.ts). The rows are built into chunks
// by a LogCopyBuild (copy-build.ts), here or, for a COPY that takes fields, on a COPY worker.

import { internalError } from '../common/errors.js';
import type { Value } from '../common/types.js';
import type { CopyInSink } from '../pgwire/session.js';
import type { BoundCopyFrom } from '../sql/bound-statement.js';
import type { TabletCommit } from '../storage/commit/commit-pipeline.js';
import type { ColumnarBatch } from '../storage/log/columnar-batch.js';
import type { EncodedBatch } from '../storage/log/encoded-batch.js';
import { LogCopyBuild, logBuildsOffThread, receiveLogOutput, type CopyBuildMessage, type CopyBuildSpec, type FieldRows } from './copy-build.js';
import { currentTable, type WriteServices } from './write-executor.js';

/** Whether COPY FROM into `bound` takes this sink (in a transaction block it never does). */
export function logCopyApplies(bound: BoundCopyFrom): boolean {
  const schema = bound.table.schema;
  return schema.primaryKey.length === 0 && schema.partitionKey.length === 0 && bound.partition === null;
}

export class LogCopySink implements CopyInSink {
  private readonly build: LogCopyBuild;
  /** Per bucket: the chunks joined so far (here or on a worker). */
  private chunks: EncodedBatch[][];
  /** Rows in the chunks. */
  private chunkRows = 0;
  readonly fieldRows?: FieldRows;
  readonly offThread?: { readonly spec: CopyBuildSpec; receive(message: unknown): void };

  constructor(private readonly services: WriteServices, private readonly bound: BoundCopyFrom) {
    const { table, targetColumns } = bound;
    this.chunks = Array.from({ length: table.schema.options.buckets }, () => []);
    const chunk = (bucket: number, batch: EncodedBatch): void => {
      this.chunks[bucket]!.push(batch);
      this.chunkRows += batch.rowCount;
    };
    this.build = new LogCopyBuild(table, targetColumns, chunk);
    if (this.build.fieldRows !== undefined) this.fieldRows = this.build.fieldRows;
    if (logBuildsOffThread(table, targetColumns)) {
      this.offThread = {
        spec: { kind: 'log', table, targetColumns },
        receive: (message) => receiveLogOutput(message as CopyBuildMessage, this.build.types, chunk),
      };
    }
  }

  async writeRows(batch: Value[][]): Promise<void> {
    this.build.writeRows(batch);
  }

  async finish(): Promise<string> {
    this.build.finish();
    const count = this.chunkRows;
    if (count > 0) {
      const { catalog, storage } = this.services;
      const current = currentTable(catalog, this.bound.table);
      const tablets = storage.bucketsOf(current, null);
      const width = current.schema.columns.length;
      const parts: TabletCommit[] = [];
      this.chunks.forEach((chunks, bucket) => {
        const tablet = tablets[bucket];
        if (tablet === undefined) throw internalError(`tablet for bucket ${bucket} of "${current.name}" is not open`);
        for (const chunk of chunks) {
          parts.push({
            log: tablet.log,
            batch: chunk.types.length === width ? chunk : widened(chunk, width),
            afterDurable: async (lastOffset) => { tablet.visibleEndOffset = lastOffset + 1n; },
          });
        }
      });
      this.drop();
      await storage.pipeline.commit(async () => parts);
    }
    return `COPY ${count}`;
  }

  async abort(): Promise<void> {
    this.drop();
  }

  private drop(): void {
    this.build.drop();
    this.chunks = this.chunks.map(() => []);
  }
}

/**
 * A chunk encoded before the table's columns changed (ADD COLUMN during the COPY): its values
 * under the current width, later columns NULL, as rows gathered for an INSERT would be written.
 */
function widened(chunk: EncodedBatch, width: number): ColumnarBatch {
  const columns: Value[][] = [];
  for (let column = 0; column < width; column++) {
    columns.push(column < chunk.columns.length ? [...chunk.columns[column]!] : new Array<Value>(chunk.rowCount).fill(null));
  }
  return { rowCount: chunk.rowCount, columns };
}

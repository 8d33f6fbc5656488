// COPY FROM STDIN into an unpartitioned log table outside a transaction block: each batch of rows
// the decoder hands over is checked (NOT NULL), routed to its buckets and encoded for the log at
// once, and each bucket's encoded parts are joined into chunks of one log batch. A bulk load thus
// holds column buffers rather than millions of live rows until CopyDone (rows die young, before
// the garbage collector would copy them), when the chunks are committed as one statement, exactly
// as the rows would have been. Nothing is visible before the commit, and a failure or an abort
// writes nothing. Other COPYs gather their rows and write them like an INSERT (session.ts).
// Invariant: each bucket holds fewer than chunkRows rows in parts not yet joined.

import { internalError } from '../common/errors.js';
import { limits } from '../common/limits.js';
import type { DataType, Value } from '../common/types.js';
import type { CopyInSink } from '../pgwire/session.js';
import type { BoundCopyFrom } from '../sql/bound-statement.js';
import type { TabletCommit } from '../storage/commit/commit-pipeline.js';
import type { ColumnarBatch } from '../storage/log/columnar-batch.js';
import { EncodedBatch } from '../storage/log/encoded-batch.js';
import { checkNotNull, currentTable, tooManyRows, widenRows, type WriteServices } from './write-executor.js';
import { WriteRouter } from './write-router.js';

/** Rows from which a bucket's parts are joined into a chunk (one log batch). */
const chunkRows = limits.commitAppendRecordsMax;

const noPartitions = new Map<string, null>();

/** Whether COPY FROM into `bound` takes this sink (in a transaction block it never does). */
export function logCopyApplies(bound: BoundCopyFrom): boolean {
  const schema = bound.table.schema;
  return schema.primaryKey.length === 0 && schema.partitionKey.length === 0 && bound.partition === null;
}

export class LogCopySink implements CopyInSink {
  private readonly router: WriteRouter;
  private readonly types: readonly DataType[];
  /** Per bucket: encoded parts not yet joined (and their rows), and the chunks joined so far. */
  private parts: EncodedBatch[][];
  private partRows: number[];
  private chunks: EncodedBatch[][];
  private rowCount = 0;

  constructor(private readonly services: WriteServices, private readonly bound: BoundCopyFrom) {
    const table = bound.table;
    this.router = new WriteRouter(table);
    this.types = table.schema.columns.map((column) => column.type);
    this.parts = Array.from({ length: table.schema.options.buckets }, () => []);
    this.partRows = this.parts.map(() => 0);
    this.chunks = Array.from({ length: table.schema.options.buckets }, () => []);
  }

  async writeRows(batch: Value[][]): Promise<void> {
    const { table, targetColumns } = this.bound;
    if (this.rowCount + batch.length > limits.statementWriteRowsMax) throw tooManyRows();
    const rows = widenRows(table, targetColumns, batch);
    checkNotNull(table, rows, targetColumns, false);
    for (const group of this.router.route(rows, noPartitions)) {
      const columns = this.types.map((_, column) => group.rows.map((row) => row[column] ?? null));
      this.parts[group.bucket]!.push(EncodedBatch.encode(this.types, columns, group.rows.length));
      this.partRows[group.bucket]! += group.rows.length;
      if (this.partRows[group.bucket]! >= chunkRows) this.join(group.bucket);
    }
    this.rowCount += batch.length;
  }

  async finish(): Promise<string> {
    for (let bucket = 0; bucket < this.parts.length; bucket++) if (this.partRows[bucket]! > 0) this.join(bucket);
    const count = this.rowCount;
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

  /** Joins the parts of `bucket` into one chunk. */
  private join(bucket: number): void {
    this.chunks[bucket]!.push(EncodedBatch.concat(this.parts[bucket]!));
    this.parts[bucket] = [];
    this.partRows[bucket] = 0;
  }

  private drop(): void {
    this.parts = this.parts.map(() => []);
    this.partRows = this.parts.map(() => 0);
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

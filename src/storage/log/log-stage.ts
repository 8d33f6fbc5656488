// A bulk load's log batches for one log tablet, written ahead of the load's commit into staged
// files beside the tablet's segments (`<name>.staged`), so that the commit does not have to write
// them: at commit the tablet gives each frame its offsets and commit in its header (a few hundred
// bytes per batch), makes the files durable and renames them into its sequence of segments
// (LogTablet.appendStaged). Until then nothing reads them. A load that fails or is aborted deletes
// them, and a tablet deletes any it finds when it opens (a load that never committed).
// Frames are written in the background as batches are added, in order, and synced every
// stagedSyncBytes meanwhile, so the commit finds little left to sync.
// Invariants: the files hold whole frames in the order added, back to back from byte 0; a file
// holds at most segmentBytes (or a single frame) and fewer than 2^32 records; chunks[i] is the
// batch of the i-th frame over all files; after take() or discard() nothing is added.

import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { internalError, SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { DataType, Value } from '../../common/types.js';
import { ipcRecordBatchMetadata } from './arrow-ipc.js';
import { frameParts } from './batch-frame.js';
import { encodedByteLength } from './column-codec.js';
import type { ColumnarBatch } from './columnar-batch.js';
import { EncodedBatch } from './encoded-batch.js';
import { partsAfter } from './segment.js';

/** Bytes written to a staged file between two background syncs of it. */
const stagedSyncBytes = 16 * 1024 * 1024;

/** The ending of a staged file's name (a tablet deletes files so named when it opens). */
export const stagedFileSuffix = '.staged';

let stagedFiles = 0;

/** One frame of a staged file: where it lies and its first part, whose header the commit fills in. */
export interface StagedFrame {
  readonly position: number;
  readonly frameLength: number;
  readonly recordCount: number;
  /** The frame's header and IPC metadata as written (frameParts' first part). */
  readonly head: Uint8Array;
}

export interface StagedFile {
  readonly path: string;
  /** Open from the first write on (null until then, or if opening failed). */
  handle: FileHandle | null;
  size: number;
  records: number;
  readonly frames: StagedFrame[];
}

export class LogStage implements ColumnarBatch {
  readonly chunks: EncodedBatch[] = [];
  rowCount = 0;
  private readonly files: StagedFile[] = [];
  private writes: Promise<void> = Promise.resolve();
  private readonly syncs: Promise<void>[] = [];
  private failure: unknown = undefined;
  private unsynced = 0;
  private state: 'open' | 'taken' | 'discarded' = 'open';

  constructor(
    /** What the stage is for: the tablet that made it (LogTablet.stage). */
    readonly owner: object,
    private readonly dir: string,
    private readonly schemaId: number,
    private readonly types: readonly DataType[],
    private readonly segmentBytes: number,
  ) {}

  /** Frames added, over all files (the batches the commit appends). */
  get frameCount(): number {
    return this.chunks.length;
  }

  /** The rows of every chunk, decoded (only for readers that want Values; the log takes the files). */
  get columns(): readonly (readonly Value[])[] {
    return this.chunks.length === 0 ? this.types.map(() => []) : EncodedBatch.concat(this.chunks).columns;
  }

  /** Whether `batch` can be added: the stage is open and the batch is encoded for the schema it writes. */
  accepts(batch: EncodedBatch): boolean {
    return this.state === 'open' && this.failure === undefined && batch.encodesAs(this.types)
      && batch.rowCount > 0 && batch.rowCount <= limits.logBatchRecordsMax;
  }

  /** Frames `batch` and queues its write at the end of the staged files. */
  add(batch: EncodedBatch): void {
    if (!this.accepts(batch)) throw internalError('a batch the log stage does not accept was added to it');
    const encoded = batch.encoded;
    let bodyLength = 0;
    for (const column of encoded) bodyLength += encodedByteLength(column);
    // Placeholders: the commit writes the frame's offsets and commit into its header.
    const frame = frameParts(
      { baseOffset: 0n, commitTimestampMs: 0, commitSequence: 0n, recordCount: batch.rowCount, schemaId: this.schemaId, groupBatches: 0 },
      encoded,
      ipcRecordBatchMetadata(batch.rowCount, encoded, bodyLength),
    );
    let file = this.files[this.files.length - 1];
    if (file === undefined || (file.size > 0 && file.size + frame.byteLength > this.segmentBytes)
      || file.records + batch.rowCount > 0xffffffff) {
      file = { path: join(this.dir, `${process.pid}-${++stagedFiles}${stagedFileSuffix}`), handle: null, size: 0, records: 0, frames: [] };
      this.files.push(file);
    }
    const position = file.size;
    file.frames.push({ position, frameLength: frame.byteLength, recordCount: batch.rowCount, head: frame.parts[0]! });
    file.size += frame.byteLength;
    file.records += batch.rowCount;
    this.chunks.push(batch);
    this.rowCount += batch.rowCount;
    const target = file;
    this.writes = this.writes.then(async () => {
      if (this.failure !== undefined || this.state === 'discarded') return;
      try {
        target.handle ??= await open(target.path, 'w+');
        let written = 0;
        let remaining = frame.parts;
        while (written < frame.byteLength) {
          const { bytesWritten } = await target.handle.writev(remaining as Uint8Array[], position + written);
          written += bytesWritten;
          if (written < frame.byteLength) remaining = partsAfter(frame.parts, written);
        }
        this.unsynced += frame.byteLength;
        if (this.unsynced >= stagedSyncBytes) {
          this.unsynced = 0;
          this.syncs.push(target.handle.datasync().catch((error: unknown) => { this.failure ??= error; }));
        }
      } catch (error) {
        this.failure ??= error;
      }
    });
  }

  /** Resolves once every frame added is written; throws 58030 if a write failed. */
  async settled(): Promise<void> {
    await this.writes;
    await Promise.all(this.syncs);
    if (this.failure !== undefined) throw stagedWriteError(this.failure);
  }

  /**
   * The staged files, every frame written (not yet synced), for the tablet to commit; the stage is
   * spent. Throws 58030 if a write failed (the caller then discards the stage).
   */
  async take(): Promise<readonly StagedFile[]> {
    if (this.state !== 'open') throw internalError(`log stage ${this.state === 'taken' ? 'committed' : 'discarded'} twice`);
    await this.settled();
    if (this.files.some((file) => file.handle === null)) throw internalError('a staged log file was never opened');
    this.state = 'taken';
    return this.files;
  }

  /** Deletes the staged files (nothing, once the tablet has taken them). */
  async discard(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'discarded';
    await this.writes;
    await Promise.all(this.syncs);
    for (const file of this.files) {
      await file.handle?.close().catch(() => undefined);
      await rm(file.path, { force: true });
    }
  }
}

function stagedWriteError(cause: unknown): SqlError {
  return new SqlError(SqlState.ioError, `could not write a staged log file: ${cause instanceof Error ? cause.message : String(cause)}`);
}

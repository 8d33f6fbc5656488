// Orders and makes durable every write of the server. A commit runs in two stages:
//   1. sequencing (one commit at a time): it gets the next commit sequence, its tablets' changes are
//      prepared and appended to their log tablets, tagged with that sequence;
//   2. durability (shared by every commit appended meanwhile — group commit): one round fsyncs all
//      dirty log tablets, then advances the commit watermark to the highest sequence appended before
//      the round began, and only then applies KV changes and acknowledges the commits, in order.
// Because appends happen strictly in sequence order, the durable commits are always a prefix of the
// sequence, and recovery removes every log batch above the watermark.

import { SqlError, SqlState, asSqlError } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { ColumnarBatch } from '../log/columnar-batch.js';
import type { LogTablet } from '../log/log-tablet.js';
import type { CommitWatermark } from './commit-watermark.js';

/** The part of one commit that goes to one log tablet. */
export interface TabletCommit {
  readonly log: LogTablet;
  readonly batch: ColumnarBatch;
  /** Runs once the batch is durable, with its last offset (KV tablets apply their changes here). */
  afterDurable?(lastOffset: bigint): Promise<void>;
  /** Runs if the commit fails before its batch was appended, or its batch is empty. */
  discard?(): Promise<void> | void;
}

export interface CommitInfo {
  readonly sequence: bigint;
  readonly timestampMs: number;
}

interface Appended {
  readonly info: CommitInfo;
  readonly parts: readonly { readonly part: TabletCommit; readonly lastOffset: bigint }[];
  resolve(info: CommitInfo): void;
  reject(error: SqlError): void;
}

/** A large write goes to the log as several batches of one commit (same sequence). */
function chunksOf(batch: ColumnarBatch): ColumnarBatch[] {
  const size = limits.commitAppendRecordsMax;
  if (batch.rowCount <= size) return [batch];
  const chunks: ColumnarBatch[] = [];
  for (let start = 0; start < batch.rowCount; start += size) {
    const end = Math.min(batch.rowCount, start + size);
    chunks.push({ rowCount: end - start, columns: batch.columns.map((column) => column.slice(start, end)) });
  }
  return chunks;
}

export class CommitPipeline {
  private sequencing: Promise<unknown> = Promise.resolve();
  private nextSequence: bigint;
  private lastTimestampMs = 0;
  private waiting: Appended[] = [];
  private dirty = new Set<LogTablet>();
  private roundRunning = false;
  private failure: SqlError | undefined;

  constructor(private readonly watermark: CommitWatermark) {
    this.nextSequence = watermark.sequence + 1n;
  }

  /** Highest durable commit sequence. */
  get durableSequence(): bigint {
    return this.watermark.sequence;
  }

  /**
   * Commits the parts `prepare` produces for the sequence it is given. `prepare` runs while no other
   * commit is being sequenced, so it may read state that earlier commits left (KV pre-write buffers).
   * Resolves once the commit is durable and applied.
   */
  commit(prepare: (info: CommitInfo) => Promise<readonly TabletCommit[]>): Promise<CommitInfo> {
    return new Promise<CommitInfo>((resolve, reject) => {
      const run = async (): Promise<void> => {
        if (this.failure) throw this.failure;
        const info: CommitInfo = { sequence: this.nextSequence, timestampMs: this.nextTimestamp() };
        const parts = await prepare(info);
        const appended = await this.appendAll(info, parts);
        if (appended.length === 0) {
          resolve(info);
          return;
        }
        this.nextSequence++;
        this.waiting.push({ info, parts: appended, resolve, reject });
        this.scheduleRound();
      };
      const step = this.sequencing.then(run);
      this.sequencing = step.catch(() => undefined);
      step.catch((error: unknown) => reject(asSqlError(error)));
    });
  }

  /** Commit timestamps never go backwards, even if the clock does. */
  private nextTimestamp(): number {
    this.lastTimestampMs = Math.max(this.lastTimestampMs, Date.now());
    return this.lastTimestampMs;
  }

  private async appendAll(info: CommitInfo, parts: readonly TabletCommit[]): Promise<{ part: TabletCommit; lastOffset: bigint }[]> {
    const nonEmpty = parts.filter((part) => part.batch.rowCount > 0);
    for (const part of parts) if (part.batch.rowCount === 0) await part.discard?.();
    const appended: { part: TabletCommit; lastOffset: bigint }[] = [];
    try {
      for (const part of nonEmpty) {
        let lastOffset = -1n;
        for (const chunk of chunksOf(part.batch)) {
          const result = await part.log.append(chunk, { commitTimestampMs: info.timestampMs, commitSequence: info.sequence });
          lastOffset = result.lastOffset;
        }
        appended.push({ part, lastOffset });
        this.dirty.add(part.log);
      }
    } catch (error) {
      // A half-appended commit cannot be taken back while later commits may follow it in the same
      // tablets; stop committing so recovery cuts it at the next start.
      this.fail(new SqlError(SqlState.ioError, `log append failed; the server must restart: ${asSqlError(error).message}`));
      for (const part of nonEmpty.slice(appended.length)) await Promise.resolve(part.discard?.()).catch(() => undefined);
      throw this.failure;
    }
    return appended;
  }

  private scheduleRound(): void {
    if (this.roundRunning) return;
    this.roundRunning = true;
    setImmediate(() => void this.runRounds());
  }

  /** Durability rounds until nothing waits: fsync dirty tablets, advance the watermark, apply, acknowledge. */
  private async runRounds(): Promise<void> {
    while (this.waiting.length > 0 && this.failure === undefined) {
      const commits = this.waiting;
      const tablets = [...this.dirty];
      this.waiting = [];
      this.dirty = new Set();
      const last = commits[commits.length - 1];
      try {
        await Promise.all(tablets.map((tablet) => tablet.sync()));
        if (last !== undefined) await this.watermark.advance(last.info.sequence, last.info.timestampMs);
      } catch (error) {
        this.fail(new SqlError(SqlState.ioError, `fsync failed; the server must restart: ${asSqlError(error).message}`));
        for (const commit of commits) commit.reject(this.failure ?? asSqlError(error));
        break;
      }
      for (const commit of commits) await this.finish(commit);
    }
    for (const commit of this.waiting.splice(0)) commit.reject(this.failure ?? new SqlError(SqlState.ioError, 'commit failed'));
    this.roundRunning = false;
  }

  private async finish(commit: Appended): Promise<void> {
    try {
      for (const { part, lastOffset } of commit.parts) await part.afterDurable?.(lastOffset);
      commit.resolve(commit.info);
    } catch (error) {
      this.fail(new SqlError(SqlState.ioError, `applying a durable commit failed; the server must restart: ${asSqlError(error).message}`));
      commit.reject(this.failure ?? asSqlError(error));
    }
  }

  private fail(error: SqlError): void {
    this.failure ??= error;
  }

  /**
   * Runs `work` with no commit in flight: after every earlier commit is durable and applied and
   * before any later one is sequenced (TRUNCATE).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.failure) throw this.failure;
      await this.roundsIdle();
      return work();
    };
    const step = this.sequencing.then(run);
    this.sequencing = step.catch(() => undefined);
    return step;
  }

  private async roundsIdle(): Promise<void> {
    while (this.roundRunning || this.waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  /** Waits for every commit already submitted to finish. */
  async drain(): Promise<void> {
    await this.sequencing;
    await this.roundsIdle();
  }
}

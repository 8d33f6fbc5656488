// Orders and makes durable every write of the server. Commits run in two stages:
//   1. sequencing (one group at a time): the commits waiting to be sequenced form a group that gets
//      the next commit sequence; each commit's parts are prepared in turn (a KV tablet sees the
//      commits before it), the group's parts for one log tablet are merged into one batch, and the
//      batches are appended, tagged with the group's sequence and with how many batches the group
//      appended in all (groupBatches);
//   2. durability (shared by every group appended meanwhile): one round fsyncs all dirty log
//      tablets, records the commit watermark (not fsynced: one fsync per round), and only then
//      applies KV changes and acknowledges the commits, in order.
// A group is atomic as a whole: its commits were concurrent, and all of them are acknowledged
// after the same round. Because appends happen strictly in sequence order, the durable groups are
// always a prefix of the sequence. Recovery (table-storage.ts) keeps the groups above the watermark
// whose batches are all present, up to the first one that is not, and cuts the rest; before a
// tablet is truncated or deleted the watermark is fsynced, so no group relies on a batch that is
// gone. Once a group is applied, listeners hear of it with the batches it appended (continuous
// queries tail the log from there); between two groups' applies lies a consistent point, where
// readers may take a snapshot of every tablet at once.

import { SqlError, SqlState, asSqlError } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { ColumnarBatch } from '../log/columnar-batch.js';
import { EncodedBatch } from '../log/encoded-batch.js';
import { LogStage } from '../log/log-stage.js';
import type { LogTablet } from '../log/log-tablet.js';
import type { CommitWatermark } from './commit-watermark.js';

/** The part of one commit that goes to one log tablet. */
export interface TabletCommit {
  readonly log: LogTablet;
  /** A LogStage (made by `log`) is appended as the batches it staged. */
  readonly batch: ColumnarBatch;
  /** Runs once the batch is durable, with the offset of its last record (KV tablets apply here). */
  afterDurable?(lastOffset: bigint): Promise<void>;
  /** Runs if the commit fails before its batch was appended, or its batch is empty. */
  discard?(): Promise<void> | void;
}

export interface CommitInfo {
  readonly sequence: bigint;
  readonly timestampMs: number;
}

/** One batch a commit group appended to a log tablet. */
export interface AppendedBatch {
  readonly log: LogTablet;
  readonly baseOffset: bigint;
  readonly batch: ColumnarBatch;
}

/** Hears of every commit group once it is durable and applied, in sequence order. */
export type CommitListener = (info: CommitInfo, batches: readonly AppendedBatch[]) => void;

/**
 * Runs after a group is applied and before the next one is: what it reads of the KV tablets is
 * exactly as of that group (materialized views look up their other inputs here). It must not wait
 * for a commit of its own: it may submit commits, which are sequenced later.
 */
export type ApplyHook = (info: CommitInfo, batches: readonly AppendedBatch[]) => Promise<void>;

export type Prepare = (info: CommitInfo) => Promise<readonly TabletCommit[]>;

interface Request {
  readonly prepare: Prepare | null;
  /** Work that runs with no commit in flight (TRUNCATE). */
  readonly exclusive: (() => Promise<unknown>) | null;
  resolve(value: unknown): void;
  reject(error: SqlError): void;
}

interface AppendedPart { readonly part: TabletCommit; readonly lastOffset: bigint }

interface Member {
  readonly request: Request;
  readonly parts: AppendedPart[];
}

interface AppendedGroup {
  readonly info: CommitInfo;
  readonly members: readonly Member[];
  readonly batches: readonly AppendedBatch[];
}

/** A large write goes to the log as several batches of one commit (same sequence). */
function chunksOf(batch: ColumnarBatch): ColumnarBatch[] {
  const size = limits.commitAppendRecordsMax;
  if (batch.rowCount <= size || batch instanceof EncodedBatch) return [batch];
  const chunks: ColumnarBatch[] = [];
  for (let start = 0; start < batch.rowCount; start += size) {
    const end = Math.min(batch.rowCount, start + size);
    chunks.push({ rowCount: end - start, columns: batch.columns.map((column) => column.slice(start, end)) });
  }
  return chunks;
}

function concatBatches(batches: readonly ColumnarBatch[]): ColumnarBatch {
  if (batches.length === 1 && batches[0] !== undefined) return batches[0];
  const width = batches[0]?.columns.length ?? 0;
  const columns: Value[][] = [];
  for (let c = 0; c < width; c++) columns.push(batches.flatMap((batch) => batch.columns[c] ?? []));
  return { rowCount: batches.reduce((sum, batch) => sum + batch.rowCount, 0), columns };
}

/**
 * The batches one tablet's parts of a group go to the log as: merged, then cut into chunks. Parts
 * already encoded or staged (bulk loads) go as they are, each its own batch or batches, in order.
 */
function tabletBatches(entries: readonly { part: TabletCommit }[]): ColumnarBatch[] {
  if (entries.some(({ part }) => part.batch instanceof EncodedBatch || part.batch instanceof LogStage)) {
    return entries.flatMap(({ part }) => (part.batch instanceof LogStage ? [part.batch] : chunksOf(part.batch)));
  }
  const width = entries[0]?.part.batch.columns.length;
  const sameWidth = entries.every(({ part }) => part.batch.columns.length === width);
  const batches = sameWidth ? [concatBatches(entries.map(({ part }) => part.batch))] : entries.map(({ part }) => part.batch);
  return batches.flatMap(chunksOf);
}

export class CommitPipeline {
  private queue: Request[] = [];
  private sequencerRunning = false;
  private nextSequence: bigint;
  private lastTimestampMs = 0;
  private waiting: AppendedGroup[] = [];
  private dirty = new Set<LogTablet>();
  private roundRunning = false;
  private failure: SqlError | undefined;
  /** A group's KV changes are being applied: no consistent point until it is done. */
  private applying = false;
  private readonly pointWaiters: (() => void)[] = [];
  private readonly listeners = new Set<CommitListener>();
  private readonly hooks = new Set<ApplyHook>();
  private lastApplied: CommitInfo;
  /** Who holds new commits back (materialized views behind on their writes), and the wait they share. */
  private readonly holders = new Set<object>();
  private admission: { promise: Promise<void>; open: () => void } | null = null;

  constructor(private readonly watermark: CommitWatermark) {
    this.nextSequence = watermark.sequence + 1n;
    this.lastApplied = { sequence: watermark.sequence, timestampMs: watermark.timestampMs };
  }

  /** The last commit group applied and visible to readers. */
  get appliedCommit(): CommitInfo {
    return this.lastApplied;
  }

  addListener(listener: CommitListener): void {
    this.listeners.add(listener);
  }

  removeListener(listener: CommitListener): void {
    this.listeners.delete(listener);
  }

  addApplyHook(hook: ApplyHook): void {
    this.hooks.add(hook);
  }

  removeApplyHook(hook: ApplyHook): void {
    this.hooks.delete(hook);
  }

  /**
   * Runs `read` synchronously at a consistent point: every group up to `appliedCommit` is wholly
   * applied and none after it has started applying, in every tablet. Readers start their RocksDB
   * iterators (which take their snapshot when created) and note visible offsets inside `read`.
   */
  atConsistentPoint<T>(read: (applied: CommitInfo) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        try { resolve(read(this.lastApplied)); } catch (error) { reject(error); }
      };
      if (this.applying) this.pointWaiters.push(run);
      else run();
    });
  }

  /** Highest durable commit sequence. */
  get durableSequence(): bigint {
    return this.watermark.sequence;
  }

  /**
   * Commits the parts `prepare` produces for the sequence it is given. `prepare` runs while no other
   * commit is being prepared, so it may read state that earlier commits left (KV pre-write buffers);
   * if it throws, only this commit fails. Resolves once the commit is durable and applied.
   */
  async commit(prepare: Prepare, options: { readonly unthrottled?: boolean } = {}): Promise<CommitInfo> {
    while (this.admission !== null && options.unthrottled !== true) await this.admission.promise;
    return new Promise<CommitInfo>((resolve, reject) => {
      this.queue.push({ prepare, exclusive: null, resolve: resolve as (value: unknown) => void, reject });
      this.kick();
    });
  }

  /**
   * Holds back commits that start from now on (not `unthrottled` ones) until every holder lets go:
   * how a materialized view whose writes fall behind slows its sources down to its pace, so what
   * it has still to write stays bounded.
   */
  hold(holder: object): void {
    this.holders.add(holder);
    if (this.admission !== null) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => { open = resolve; });
    this.admission = { promise, open };
  }

  release(holder: object): void {
    if (!this.holders.delete(holder) || this.holders.size > 0 || this.admission === null) return;
    const { open } = this.admission;
    this.admission = null;
    open();
  }

  /**
   * For `exclusive` work only: commits `prepare`'s parts at once, as the next group, while the
   * commits queued behind the work keep waiting (a materialized view writing its first rows).
   */
  commitInside(prepare: Prepare): Promise<CommitInfo> {
    return new Promise<CommitInfo>((resolve, reject) => {
      void this.sequenceGroup([{ prepare, exclusive: null, resolve: resolve as (value: unknown) => void, reject }]);
    });
  }

  /**
   * Runs `work` with no commit in flight: after every earlier commit is durable and applied and
   * before any later one is sequenced (TRUNCATE).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ prepare: null, exclusive: work, resolve: resolve as (value: unknown) => void, reject });
      this.kick();
    });
  }

  /**
   * Starts the sequencer if idle. It starts after the current I/O phase, so that commits arriving
   * on several connections at once form one group.
   */
  private kick(): void {
    if (this.sequencerRunning) return;
    this.sequencerRunning = true;
    setImmediate(() => {
      void this.sequence().finally(() => {
        this.sequencerRunning = false;
        if (this.queue.length > 0) this.kick();
      });
    });
  }

  /** Takes waiting requests as groups (an exclusive request runs alone) until none wait. */
  private async sequence(): Promise<void> {
    while (this.queue.length > 0) {
      const first = this.queue[0] as Request;
      if (this.failure !== undefined) {
        for (const request of this.queue.splice(0)) request.reject(this.failure);
        return;
      }
      if (first.exclusive !== null) {
        this.queue.shift();
        await this.runExclusive(first, first.exclusive);
        continue;
      }
      const end = this.queue.findIndex((request) => request.exclusive !== null);
      const group = this.queue.splice(0, end < 0 ? this.queue.length : end);
      await this.sequenceGroup(group);
    }
  }

  private async runExclusive(request: Request, work: () => Promise<unknown>): Promise<void> {
    try {
      await this.roundsIdle();
      await this.watermark.sync();
      request.resolve(await work());
    } catch (error) {
      request.reject(asSqlError(error));
    }
  }

  private async sequenceGroup(requests: readonly Request[]): Promise<void> {
    const info: CommitInfo = { sequence: this.nextSequence, timestampMs: this.nextTimestamp() };
    const prepared: { request: Request; parts: readonly TabletCommit[] }[] = [];
    for (const request of requests) {
      try {
        prepared.push({ request, parts: await (request.prepare as Prepare)(info) });
      } catch (error) {
        request.reject(asSqlError(error));
      }
    }
    let members: Member[];
    let batches: AppendedBatch[];
    try {
      ({ members, batches } = await this.appendGroup(info, prepared));
    } catch (error) {
      for (const { request } of prepared) request.reject(this.failure ?? asSqlError(error));
      return;
    }
    const durable = members.filter((member) => member.parts.length > 0);
    for (const member of members) if (member.parts.length === 0) member.request.resolve(info);
    if (durable.length === 0) return;
    this.nextSequence++;
    this.waiting.push({ info, members: durable, batches });
    this.scheduleRound();
  }

  /** Commit timestamps never go backwards, even if the clock does. */
  private nextTimestamp(): number {
    this.lastTimestampMs = Math.max(this.lastTimestampMs, Date.now());
    return this.lastTimestampMs;
  }

  /** Appends the group's parts, one merged batch (or a few chunks) per log tablet. */
  private async appendGroup(info: CommitInfo, prepared: readonly { request: Request; parts: readonly TabletCommit[] }[]):
    Promise<{ members: Member[]; batches: AppendedBatch[] }> {
    const members: Member[] = prepared.map(({ request }) => ({ request, parts: [] }));
    const appended: AppendedBatch[] = [];
    const byTablet = new Map<LogTablet, { member: Member; part: TabletCommit }[]>();
    for (const [index, { parts }] of prepared.entries()) {
      for (const part of parts) {
        if (part.batch.rowCount === 0) {
          await part.discard?.();
          continue;
        }
        const entries = byTablet.get(part.log) ?? [];
        entries.push({ member: members[index] as Member, part });
        byTablet.set(part.log, entries);
      }
    }
    const plans = [...byTablet].map(([log, entries]) => ({ log, entries, batches: tabletBatches(entries) }));
    let groupBatches = 0;
    for (const plan of plans) for (const batch of plan.batches) groupBatches += batch instanceof LogStage ? batch.frameCount : 1;
    try {
      for (const plan of plans) await this.appendTablet(info, plan.log, plan.entries, plan.batches, groupBatches, appended);
    } catch (error) {
      // A half-appended group cannot be taken back while later groups may follow it in the same
      // tablets; stop committing so recovery cuts it at the next start.
      this.fail(new SqlError(SqlState.ioError, `log append failed; the server must restart: ${asSqlError(error).message}`));
      throw this.failure;
    }
    return { members, batches: appended };
  }

  private async appendTablet(info: CommitInfo, log: LogTablet, entries: readonly { member: Member; part: TabletCommit }[],
    batches: readonly ColumnarBatch[], groupBatches: number, appended: AppendedBatch[]): Promise<void> {
    let firstOffset: bigint | undefined;
    const meta = { commitTimestampMs: info.timestampMs, commitSequence: info.sequence, groupBatches };
    for (const chunk of batches) {
      if (chunk instanceof LogStage) {
        const baseOffsets = await log.appendStaged(chunk, meta);
        firstOffset ??= baseOffsets[0];
        baseOffsets.forEach((baseOffset, index) => appended.push({ log, baseOffset, batch: chunk.chunks[index]! }));
        continue;
      }
      const result = await log.append(chunk, meta);
      firstOffset ??= result.baseOffset;
      appended.push({ log, baseOffset: result.baseOffset, batch: chunk });
    }
    let next = firstOffset ?? 0n;
    for (const { member, part } of entries) {
      next += BigInt(part.batch.rowCount);
      member.parts.push({ part, lastOffset: next - 1n });
    }
    this.dirty.add(log);
  }

  private scheduleRound(): void {
    if (this.roundRunning) return;
    this.roundRunning = true;
    setImmediate(() => void this.runRounds());
  }

  /** Durability rounds until nothing waits: fsync dirty tablets, advance the watermark, apply, acknowledge. */
  private async runRounds(): Promise<void> {
    while (this.waiting.length > 0 && this.failure === undefined) {
      const groups = this.waiting;
      const tablets = [...this.dirty];
      this.waiting = [];
      this.dirty = new Set();
      const last = groups[groups.length - 1];
      try {
        await Promise.all(tablets.map((tablet) => tablet.sync()));
        if (last !== undefined) await this.watermark.advance(last.info.sequence, last.info.timestampMs, false);
      } catch (error) {
        this.fail(new SqlError(SqlState.ioError, `fsync failed; the server must restart: ${asSqlError(error).message}`));
        for (const group of groups) for (const member of group.members) member.request.reject(this.failure ?? asSqlError(error));
        break;
      }
      for (const group of groups) {
        this.applying = true;
        await this.finish(group);
        this.applying = false;
        this.lastApplied = group.info;
        for (const listener of this.listeners) listener(group.info, group.batches);
        for (const waiter of this.pointWaiters.splice(0)) waiter();
        await this.runHooks(group);
      }
    }
    for (const group of this.waiting.splice(0)) {
      for (const member of group.members) member.request.reject(this.failure ?? new SqlError(SqlState.ioError, 'commit failed'));
    }
    this.applying = false;
    for (const waiter of this.pointWaiters.splice(0)) waiter();
    this.roundRunning = false;
  }

  /**
   * Applies a durable group's KV changes and acknowledges its commits, in order. A commit's parts
   * are all started before any is awaited: a KV tablet applies them in the order started, filling
   * one part's RocksDB batch while the part before is written.
   */
  private async finish(group: AppendedGroup): Promise<void> {
    for (const member of group.members) {
      try {
        const applies: Promise<void>[] = [];
        for (const { part, lastOffset } of member.parts) if (part.afterDurable !== undefined) applies.push(part.afterDurable(lastOffset));
        await Promise.all(applies);
        member.request.resolve(group.info);
      } catch (error) {
        this.fail(new SqlError(SqlState.ioError, `applying a durable commit failed; the server must restart: ${asSqlError(error).message}`));
        member.request.reject(this.failure ?? asSqlError(error));
      }
    }
  }

  private async runHooks(group: AppendedGroup): Promise<void> {
    for (const hook of this.hooks) {
      try {
        await hook(group.info, group.batches);
      } catch (error) {
        console.error(`sluice: a commit hook failed at commit ${group.info.sequence}: ${asSqlError(error).message}`);
      }
    }
  }

  private fail(error: SqlError): void {
    this.failure ??= error;
  }

  private async roundsIdle(): Promise<void> {
    while (this.roundRunning || this.waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  /** Waits for every commit already submitted to finish, and makes the watermark durable. */
  async drain(): Promise<void> {
    while (this.sequencerRunning || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await this.roundsIdle();
    await this.watermark.sync();
  }

  /** After recovery: the last commit kept in the log is the last applied one; sequences go on from it. */
  recovered(last: CommitInfo): void {
    this.nextSequence = last.sequence + 1n;
    this.lastApplied = last;
    this.lastTimestampMs = Math.max(this.lastTimestampMs, last.timestampMs);
  }
}

// A continuous query as a row cursor: first the snapshot (the query's result at a consistent
// point, as inserts), then the changes of every later commit in commit order, each commit's
// changes together and netted. Output row: _change_type, _commit_timestamp, the query's columns
// [, _resume_token].
//
// Consistency: the start point is taken at a commit pipeline's consistent point, where the KV
// iterators of a primary-key table's snapshot are created and every bucket's visible log end is
// noted; changes are then read from exactly those offsets, so the snapshot and the changes have no
// gap and no overlap. Commits are ordered across buckets by their commit sequence.
//
// Bounds: rows are produced only when the client asks for them, one commit (or one bounded part
// of a large commit) at a time; a client that does not read costs its position and nothing more.
// Reading is shared through the commit feed; a subscription behind the feed's ring reads the log.

import type { PartitionDef, TableDef } from '../../common/catalog-model.js';
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { FunctionContext } from '../../functions/function.js';
import { consolidate, labelChunk } from '../../exec/stream/consolidate.js';
import type { ChangeChunk, LabeledChange } from '../../exec/stream/change-chunk.js';
import { StreamPipeline } from '../../exec/stream/pipeline.js';
import type { StreamPlan } from '../../exec/stream/stream-plan.js';
import type { RowCursor } from '../../pgwire/session.js';
import type { SubscribeOptions } from '../../sql/bound-statement.js';
import { changeTypeNames, type BucketTablet, type TableStorage } from '../../storage/table-storage.js';
import { canceledError } from '../row-cursor.js';
import type { CommitFeed, TailBatch } from './commit-feed.js';
import { decodeResumeToken, encodeResumeToken } from './resume-token.js';
import { TabletFollower } from './tablet-follower.js';

/** What sluice_catalog.subscriptions shows of a subscription. */
export interface SubscriptionStatus {
  readonly processId: number;
  readonly table: TableDef;
  /** Records committed to the table's buckets that the subscription has not read yet. */
  readonly recordsBehind: bigint;
  /** Rows produced and waiting for the client to read them. */
  readonly rowsQueued: number;
  readonly rowsSent: number;
  readonly startedAtMs: number;
}

export interface SubscriptionContext {
  readonly processId: number;
  /** Called once the subscription is closed (it is then dropped from the server's registry). */
  readonly closed?: (subscription: Subscription) => void;
  readonly storage: TableStorage;
  readonly feed: CommitFeed;
  /** The table's current definition (partitions come and go), or undefined once it is dropped. */
  readonly table: () => TableDef | undefined;
  readonly functions: FunctionContext;
  readonly params: readonly Value[];
}

/** Up to `maxRows` rows; `suspend`: no more are ready now (the next call would wait). */
export interface FetchResult { readonly rows: Value[][]; readonly done: false; readonly suspend: boolean }

interface CommitPart {
  readonly sequence: bigint;
  readonly timestampMs: number;
  readonly batches: readonly { readonly tablet: BucketTablet; readonly batch: TailBatch }[];
  /** The commit's last part: no more batches of this sequence remain. */
  readonly complete: boolean;
}

const microsPerMs = 1000n;

export class Subscription implements RowCursor {
  private readonly pipeline: StreamPipeline;
  private readonly followers = new Map<number, TabletFollower>();
  private queue: Value[][] = [];
  private queueIndex = 0;
  private initial: AsyncGenerator<ChangeChunk> | null = null;
  /** KV iterators of the snapshot, ended on close even if never read. */
  private kvScans: KvScan[] = [];
  private initialTimestamp: bigint | null = null;
  /** Whether the current commit was split into parts (then its parts are not netted). */
  private partial = false;
  private unreportedProgress = false;
  private returned = 0;
  private closed = false;
  private readonly startedAtMs = Date.now();

  private constructor(private readonly context: SubscriptionContext, private readonly plan: StreamPlan,
    private readonly options: SubscribeOptions, private readonly width: number) {
    this.pipeline = new StreamPipeline(plan, context.functions, context.params);
  }

  /** Sets up the start point (and the snapshot to send first); errors here fail the statement. */
  static async open(context: SubscriptionContext, plan: StreamPlan, options: SubscribeOptions, width: number): Promise<Subscription> {
    const subscription = new Subscription(context, plan, options, width);
    try {
      await subscription.start();
    } catch (error) {
      await subscription.close();
      throw error;
    }
    return subscription;
  }

  private get table(): TableDef {
    const table = this.context.table();
    if (table === undefined) throw new SqlError(SqlState.undefinedTable, `relation "${this.plan.source.table.name}" was dropped`);
    return table;
  }

  private tablets(): BucketTablet[] {
    const table = this.table;
    const wanted = this.plan.source.partition;
    if (wanted === null) return this.context.storage.allTablets(table);
    const partition: PartitionDef | undefined = table.partitions.find((candidate) => candidate.id === wanted.id);
    return partition === undefined ? [] : this.context.storage.bucketsOf(table, partition);
  }

  private get readsKv(): boolean {
    return this.plan.source.table.schema.primaryKey.length > 0 && !this.plan.source.changelog;
  }

  private async start(): Promise<void> {
    const tablets = this.tablets();
    const start = this.options.start;
    const needState = this.options.snapshot || this.pipeline.stateful;
    let requested: Map<number, bigint> | null = null;
    if (start.kind === 'earliest') requested = new Map(tablets.map((tablet) => [tablet.tabletId, tablet.log.startOffset]));
    else if (start.kind === 'token') requested = decodeResumeToken(start.token, this.plan.source.table.oid);
    else if (start.kind === 'timestamp') {
      const ms = Number(start.micros / microsPerMs);
      requested = new Map();
      for (const tablet of tablets) requested.set(tablet.tabletId, await tablet.log.offsetForTimestamp(ms));
    }
    const kvSnapshot = requested === null && needState && this.readsKv;
    const point = await this.context.storage.pipeline.atConsistentPoint((applied) => ({
      applied,
      ends: new Map(tablets.map((tablet) => [tablet.tabletId, tablet.visibleEndOffset])),
      scans: kvSnapshot ? tablets.map((tablet) => startScan(tablet)) : [],
    }));
    const positions = new Map<number, bigint>();
    for (const tablet of tablets) {
      const end = point.ends.get(tablet.tabletId) ?? tablet.log.startOffset;
      const wanted = requested === null ? end : requested.get(tablet.tabletId) ?? tablet.log.startOffset;
      positions.set(tablet.tabletId, wanted < end ? wanted : end);
    }
    this.kvScans = point.scans;
    if (kvSnapshot) this.initial = kvChunks(point.scans);
    else if (needState) this.initial = this.replay(tablets, positions);
    this.initialTimestamp = requested === null ? BigInt(point.applied.timestampMs) * microsPerMs : null;
    for (const tablet of tablets) {
      this.followers.set(tablet.tabletId, new TabletFollower(tablet, positions.get(tablet.tabletId)!, this.context.feed));
    }
    this.unreportedProgress = this.options.progress;
  }

  /** Source changes from each bucket's log start up to `positions` (the state at a past point). */
  private async *replay(tablets: readonly BucketTablet[], positions: ReadonlyMap<number, bigint>): AsyncGenerator<ChangeChunk> {
    for (const tablet of tablets) {
      const end = positions.get(tablet.tabletId) ?? tablet.log.startOffset;
      for await (const batch of tablet.log.read(tablet.log.startOffset, { toOffset: end })) {
        yield this.decode(tablet, {
          baseOffset: batch.baseOffset, rowCount: batch.recordCount, columns: batch.columns,
          sequence: batch.commitSequence, timestampMs: batch.commitTimestampMs,
        });
      }
    }
  }

  async next(maxRows: number, signal: AbortSignal): Promise<FetchResult> {
    return this.fetch(maxRows, signal, null);
  }

  /**
   * Up to `maxRows` rows, waiting for at least one — or until `timeoutMs` passes (then none).
   * Returns the rows ready without waiting for more.
   */
  async fetch(maxRows: number, signal: AbortSignal, timeoutMs: number | null): Promise<FetchResult> {
    const wanted = Math.max(1, maxRows);
    const deadline = timeoutMs === null ? null : Date.now() + timeoutMs;
    for (;;) {
      if (this.closed) throw new SqlError(SqlState.invalidCursorState, 'the subscription is closed');
      if (signal.aborted) throw canceledError();
      const changed = this.context.feed.changed();
      while (this.queued() < wanted) {
        if (!(await this.produce())) break;
        if (signal.aborted) throw canceledError();
      }
      if (this.queued() > 0) return this.take(wanted);
      const waitMs = deadline === null ? null : deadline - Date.now();
      if (waitMs !== null && waitMs <= 0) return { rows: [], done: false, suspend: true };
      await waitFor(changed, signal, waitMs);
    }
  }

  private queued(): number {
    return this.queue.length - this.queueIndex;
  }

  private take(maxRows: number): FetchResult {
    const end = Math.min(this.queue.length, this.queueIndex + maxRows);
    const rows = this.queue.slice(this.queueIndex, end);
    this.queueIndex = end;
    if (this.queueIndex >= this.queue.length) {
      this.queue = [];
      this.queueIndex = 0;
    }
    this.returned += rows.length;
    return { rows, done: false, suspend: this.queued() === 0 };
  }

  /** One step of work: a snapshot chunk, or a commit (part). False when nothing is ready. */
  private async produce(): Promise<boolean> {
    if (this.initial !== null) return this.produceInitial(this.initial);
    const part = await this.nextPart();
    if (part === null) {
      if (!this.unreportedProgress) return false;
      this.unreportedProgress = false;
      this.emitProgress(BigInt(this.context.feed.applied.timestampMs) * microsPerMs);
      return true;
    }
    const chunk = concatChunks(part.batches.map(({ tablet, batch }) => this.decode(tablet, batch)));
    const timestamp = BigInt(part.timestampMs) * microsPerMs;
    const netted = part.complete && !this.partial;
    this.partial = !part.complete;
    let changes: LabeledChange[];
    if (this.pipeline.stateful) {
      this.pipeline.push(chunk);
      changes = part.complete ? consolidate(this.pipeline.flush(), this.plan.outputKey) : [];
    } else {
      const output = this.pipeline.push(chunk);
      changes = netted && this.readsKv ? consolidate(output, this.plan.outputKey) : labelChunk(output);
    }
    this.emit(changes, timestamp);
    if (this.options.progress && part.complete) this.unreportedProgress = true;
    return true;
  }

  private async produceInitial(initial: AsyncGenerator<ChangeChunk>): Promise<boolean> {
    const timestamp = this.initialTimestamp;
    if (!this.options.snapshot) {
      // Without a snapshot the state is still needed (a GROUP BY), but nothing is sent.
      for await (const chunk of initial) this.pipeline.load(chunk);
      this.initial = null;
      return true;
    }
    if (this.pipeline.stateful) {
      for await (const chunk of initial) this.pipeline.load(chunk);
      this.initial = null;
      this.emit(labelChunk(this.pipeline.current()), timestamp);
      return true;
    }
    if (!this.readsKv || this.options.start.kind === 'latest') {
      const next = await initial.next();
      if (next.done === true) this.initial = null;
      else this.emit(labelChunk(this.pipeline.push(next.value)), timestamp);
      return true;
    }
    // A primary-key table's state at a past point: its changelog up to there, netted.
    const parts: ChangeChunk[] = [];
    for await (const chunk of initial) parts.push(this.pipeline.push(chunk));
    this.initial = null;
    this.emit(consolidate(concatChunks(parts), null), timestamp);
    return true;
  }

  /** Drops the rows already handed out, before more are queued. */
  private compact(): void {
    if (this.queueIndex === 0) return;
    this.queue = this.queue.slice(this.queueIndex);
    this.queueIndex = 0;
  }

  private emit(changes: readonly LabeledChange[], timestamp: bigint | null): void {
    this.compact();
    const progress = this.options.progress;
    for (const change of changes) {
      const row: Value[] = [change.kind, timestamp, ...change.row];
      if (progress) row.push(null);
      this.queue.push(row);
    }
  }

  private emitProgress(timestamp: bigint): void {
    this.compact();
    const positions = new Map<number, bigint>();
    for (const [tabletId, follower] of this.followers) positions.set(tabletId, follower.position);
    const row: Value[] = ['progress', timestamp, ...new Array<Value>(this.width).fill(null), encodeResumeToken(this.plan.source.table.oid, positions)];
    this.queue.push(row);
  }

  /** Follows new buckets (partitions created since) and forgets dropped ones. */
  private refreshFollowers(): void {
    const current = this.tablets();
    const ids = new Set(current.map((tablet) => tablet.tabletId));
    for (const [id, follower] of this.followers) {
      if (ids.has(id)) continue;
      follower.close();
      this.followers.delete(id);
    }
    for (const tablet of current) {
      if (!this.followers.has(tablet.tabletId)) this.followers.set(tablet.tabletId, new TabletFollower(tablet, tablet.log.startOffset, this.context.feed));
    }
  }

  /** The next applied commit's batches across buckets (up to a bound), or null if none is ready. */
  private async nextPart(): Promise<CommitPart | null> {
    this.refreshFollowers();
    const applied = this.context.feed.applied;
    const followers = [...this.followers.values()];
    const heads = await Promise.all(followers.map((follower) => follower.peek(applied.sequence)));
    let sequence: bigint | undefined;
    let timestampMs = 0;
    for (const head of heads) {
      if (head !== undefined && (sequence === undefined || head.sequence < sequence)) {
        sequence = head.sequence;
        timestampMs = head.timestampMs;
      }
    }
    if (sequence === undefined) return null;
    const batches: { tablet: BucketTablet; batch: TailBatch }[] = [];
    let records = 0;
    let complete = true;
    for (let index = 0; index < followers.length; index++) {
      const follower = followers[index]!;
      let head = heads[index];
      while (head !== undefined && head.sequence === sequence) {
        if (records >= limits.subscriptionCommitRecordsMax) {
          complete = false;
          break;
        }
        follower.take(head);
        batches.push({ tablet: follower.tablet, batch: head });
        records += head.rowCount;
        head = await follower.peek(applied.sequence);
      }
    }
    return { sequence, timestampMs, batches, complete };
  }

  /** A log batch as changes of scan rows (see table-binder.ts for the layouts). */
  private decode(tablet: BucketTablet, batch: TailBatch): ChangeChunk {
    const source = this.plan.source;
    const width = source.table.schema.columns.length;
    const count = batch.rowCount;
    const rows = new Array<Value[]>(count);
    const diffs = new Array<number>(count);
    const columns = batch.columns;
    const timestamp = BigInt(batch.timestampMs) * microsPerMs;
    const keyed = source.table.schema.primaryKey.length > 0;
    const first = keyed ? 1 : 0;
    for (let i = 0; i < count; i++) {
      const code = keyed ? Number(columns[0]![i]) : 0;
      if (source.changelog) {
        const row: Value[] = [changeTypeNames[code] ?? 'insert', batch.baseOffset + BigInt(i), timestamp];
        for (let c = 0; c < width; c++) row.push(columns[c + first]?.[i] ?? null);
        row.push(tablet.bucket);
        rows[i] = row;
        diffs[i] = 1;
        continue;
      }
      const row = new Array<Value>(width + 3);
      for (let c = 0; c < width; c++) row[c] = columns[c + first]?.[i] ?? null;
      row[width] = tablet.bucket;
      row[width + 1] = keyed ? null : batch.baseOffset + BigInt(i);
      row[width + 2] = keyed ? null : timestamp;
      rows[i] = row;
      diffs[i] = code === 0 || code === 2 ? 1 : -1;
    }
    return { rows, diffs };
  }

  commandTag(): string {
    return `SUBSCRIBE ${this.returned}`;
  }

  status(): SubscriptionStatus {
    let behind = 0n;
    for (const follower of this.followers.values()) {
      const end = follower.tablet.visibleEndOffset;
      if (end > follower.position) behind += end - follower.position;
    }
    return {
      processId: this.context.processId, table: this.plan.source.table, recordsBehind: behind,
      rowsQueued: this.queued(), rowsSent: this.returned, startedAtMs: this.startedAtMs,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.context.closed?.(this);
    for (const follower of this.followers.values()) follower.close();
    this.followers.clear();
    this.queue = [];
    const initial = this.initial;
    this.initial = null;
    await initial?.return(undefined);
    for (const scan of this.kvScans) await scan.rows.return(undefined);
    this.kvScans = [];
  }
}

function concatChunks(chunks: readonly ChangeChunk[]): ChangeChunk {
  if (chunks.length === 1) return chunks[0]!;
  const rows: Value[][] = [];
  const diffs: number[] = [];
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.rows.length; i++) {
      rows.push(chunk.rows[i]!);
      diffs.push(chunk.diffs[i]!);
    }
  }
  return { rows, diffs };
}

interface KvScan {
  readonly tablet: BucketTablet;
  readonly rows: AsyncGenerator<Value[][]>;
  /** The first chunk, asked for when the scan was created (a RocksDB iterator takes its snapshot then). */
  readonly first: Promise<IteratorResult<Value[][]>>;
}

function startScan(tablet: BucketTablet): KvScan {
  const rows = tablet.kv!.scan();
  const first = rows.next();
  first.catch(() => undefined);
  return { tablet, rows, first };
}

/** Current rows from KV iterators created at the start point, as inserts of scan rows. */
async function* kvChunks(scans: readonly KvScan[]): AsyncGenerator<ChangeChunk> {
  for (const { tablet, rows, first } of scans) {
    let result = await first;
    while (result.done !== true) {
      const batch = result.value;
      for (const row of batch) row.push(tablet.bucket, null, null);
      yield { rows: batch, diffs: batch.map(() => 1) };
      result = await rows.next();
    }
  }
}

/** Resolves when `changed` does, the signal aborts (rejects) or `waitMs` passes. */
function waitFor(changed: Promise<void>, signal: AbortSignal, waitMs: number | null): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => { cleanup(); reject(canceledError()); };
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) { reject(canceledError()); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    if (waitMs !== null) timer = setTimeout(() => { cleanup(); resolve(); }, waitMs);
    changed.then(() => { cleanup(); resolve(); }, () => { cleanup(); resolve(); });
  });
}

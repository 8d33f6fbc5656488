// Shares the work of tailing the log among subscriptions. The commit pipeline tells the feed of
// every applied commit with the batches it appended; for each log tablet some subscription
// follows, the feed keeps the most recent of those batches in memory (a bounded ring), so
// subscriptions that keep up read new changes without touching the disk, however many there are.
// A subscription that falls behind the ring reads the log tablet itself, at its own pace.
// Waiting for the next commit is one shared promise, renewed at each commit.

import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { AppendedBatch, CommitInfo, CommitPipeline } from '../../storage/commit/commit-pipeline.js';
import type { LogTablet } from '../../storage/log/log-tablet.js';

/** Records of one log batch (or part of one), as a subscription reads them. */
export interface TailBatch {
  readonly baseOffset: bigint;
  readonly rowCount: number;
  /** One array per log column, in the order of the log schema the batch was written with. */
  readonly columns: readonly (readonly Value[])[];
  readonly sequence: bigint;
  readonly timestampMs: number;
}

interface Ring {
  readonly batches: TailBatch[];
  records: number;
  followers: number;
}

export class CommitFeed {
  private readonly rings = new Map<LogTablet, Ring>();
  private wake!: () => void;
  private nextCommit!: Promise<void>;
  private readonly listener = (info: CommitInfo, batches: readonly AppendedBatch[]): void => this.committed(info, batches);

  constructor(private readonly pipeline: CommitPipeline) {
    this.renew();
    pipeline.addListener(this.listener);
  }

  private renew(): void {
    this.nextCommit = new Promise<void>((resolve) => { this.wake = resolve; });
  }

  /** The last commit applied: batches with a higher sequence are not visible yet. */
  get applied(): CommitInfo {
    return this.pipeline.appliedCommit;
  }

  /** Resolves at the next applied commit. Take it before looking for changes, so none is missed. */
  changed(): Promise<void> {
    return this.nextCommit;
  }

  follow(log: LogTablet): void {
    const ring = this.rings.get(log);
    if (ring !== undefined) ring.followers++;
    else this.rings.set(log, { batches: [], records: 0, followers: 1 });
  }

  unfollow(log: LogTablet): void {
    const ring = this.rings.get(log);
    if (ring === undefined) return;
    if (--ring.followers <= 0) this.rings.delete(log);
  }

  /** First offset the ring holds for `log`, or undefined when it holds nothing. */
  ringStart(log: LogTablet): bigint | undefined {
    return this.rings.get(log)?.batches[0]?.baseOffset;
  }

  /** The records from `offset` on of the ring batch holding it, or undefined if the ring does not. */
  fromRing(log: LogTablet, offset: bigint): TailBatch | undefined {
    const batches = this.rings.get(log)?.batches;
    if (batches === undefined || batches.length === 0) return undefined;
    for (let index = batches.length - 1; index >= 0; index--) {
      const batch = batches[index]!;
      if (batch.baseOffset > offset) continue;
      const skip = Number(offset - batch.baseOffset);
      if (skip >= batch.rowCount) return undefined;
      return skip === 0 ? batch : sliceBatch(batch, skip);
    }
    return undefined;
  }

  private committed(info: CommitInfo, batches: readonly AppendedBatch[]): void {
    for (const appended of batches) {
      const ring = this.rings.get(appended.log);
      if (ring === undefined) continue;
      ring.batches.push({
        baseOffset: appended.baseOffset, rowCount: appended.batch.rowCount, columns: appended.batch.columns,
        sequence: info.sequence, timestampMs: info.timestampMs,
      });
      ring.records += appended.batch.rowCount;
      while (ring.batches.length > 1 && ring.records > limits.subscriptionTailRecordsMax) {
        ring.records -= ring.batches.shift()!.rowCount;
      }
    }
    const wake = this.wake;
    this.renew();
    wake();
  }

  close(): void {
    this.pipeline.removeListener(this.listener);
    this.rings.clear();
    this.wake();
  }
}

export function sliceBatch(batch: TailBatch, skip: number): TailBatch {
  return {
    ...batch, baseOffset: batch.baseOffset + BigInt(skip), rowCount: batch.rowCount - skip,
    columns: batch.columns.map((column) => column.slice(skip)),
  };
}

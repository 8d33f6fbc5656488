// Follows one bucket's log from a position: the next batch comes from the commit feed's ring when
// the ring holds it, else from the log tablet on disk (a bounded read-ahead). Only batches of
// applied commits are handed out; a batch of a commit still being applied waits for it.

import { limits } from '../../common/limits.js';
import type { BucketTablet } from '../../storage/table-storage.js';
import type { CommitFeed, TailBatch } from './commit-feed.js';

export class TabletFollower {
  private readAhead: TailBatch[] = [];
  private closed = false;

  constructor(readonly tablet: BucketTablet, public position: bigint, private readonly feed: CommitFeed) {
    feed.follow(tablet.log);
  }

  /** The next batch at `position`, if its commit is applied (sequence ≤ `applied`). */
  async peek(applied: bigint): Promise<TailBatch | undefined> {
    let head = this.readAhead[0] ?? this.feed.fromRing(this.tablet.log, this.position);
    if (head === undefined && this.position < this.tablet.visibleEndOffset) {
      await this.readDisk();
      head = this.readAhead[0];
    }
    return head !== undefined && head.sequence <= applied ? head : undefined;
  }

  /** Moves past `batch`, which peek returned. */
  take(batch: TailBatch): void {
    if (this.readAhead[0] === batch) this.readAhead.shift();
    this.position = batch.baseOffset + BigInt(batch.rowCount);
  }

  private async readDisk(): Promise<void> {
    const log = this.tablet.log;
    const ringStart = this.feed.ringStart(log);
    let end = this.tablet.visibleEndOffset;
    if (ringStart !== undefined && ringStart > this.position && ringStart < end) end = ringStart;
    if (this.position < log.startOffset) this.position = log.startOffset;
    for await (const batch of log.read(this.position, { toOffset: end, maxBytes: limits.subscriptionReadBytesMax })) {
      this.readAhead.push({
        baseOffset: batch.baseOffset, rowCount: batch.recordCount, columns: batch.columns,
        sequence: batch.commitSequence, timestampMs: batch.commitTimestampMs,
      });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.readAhead = [];
    this.feed.unfollow(this.tablet.log);
  }
}

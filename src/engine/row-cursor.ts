// Adapts a batch operator's stream to the wire layer's pull interface: `next(max)` hands out up to
// `max` rows, keeping the rest of the current batch for the next call (portals with row limits).

import { SqlError, SqlState } from '../common/errors.js';
import type { Value } from '../common/types.js';
import type { RowCursor } from '../pgwire/session.js';

export function canceledError(): SqlError {
  return new SqlError(SqlState.queryCanceled, 'canceling statement due to user request');
}

const settled = Promise.resolve();

export class BatchRowCursor implements RowCursor {
  readonly bounded = true;
  private pending: Value[][] = [];
  private pendingIndex = 0;
  private finished = false;
  private returned = 0;

  constructor(private readonly batches: AsyncGenerator<Value[][]>, private readonly tag: (rows: number) => string) {}

  async next(maxRows: number, signal: AbortSignal): Promise<{ rows: Value[][]; done: boolean }> {
    const rows: Value[][] = [];
    while (rows.length < maxRows) {
      if (this.pendingIndex < this.pending.length) {
        const take = Math.min(maxRows - rows.length, this.pending.length - this.pendingIndex);
        for (let i = 0; i < take; i++) rows.push(this.pending[this.pendingIndex + i] as Value[]);
        this.pendingIndex += take;
        continue;
      }
      if (this.finished) break;
      if (signal.aborted) throw canceledError();
      const next = await this.batches.next();
      if (next.done) {
        this.finished = true;
        break;
      }
      this.pending = next.value;
      this.pendingIndex = 0;
    }
    this.returned += rows.length;
    return { rows, done: this.finished && this.pendingIndex >= this.pending.length };
  }

  commandTag(): string {
    return this.tag(this.returned);
  }

  close(): Promise<void> {
    const exhausted = this.finished;
    this.finished = true;
    this.pending = [];
    // A generator that ran to its end has nothing to release.
    if (exhausted) return settled;
    return this.batches.return(undefined).then(() => undefined);
  }
}

/** A cursor over rows already computed (SHOW, small catalog answers). */
export function staticCursor(rows: Value[][], tag: (rows: number) => string): RowCursor {
  async function* once(): AsyncGenerator<Value[][]> {
    if (rows.length > 0) yield rows;
  }
  return new BatchRowCursor(once(), tag);
}

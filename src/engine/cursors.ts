// A session's named cursors (DECLARE / FETCH / MOVE / CLOSE). A cursor over a batch query reads
// its rows as FETCH asks; a cursor over SUBSCRIBE waits, on FETCH, for at least one change or the
// timeout. Cursors declared in a transaction block without WITH HOLD close when it ends; a
// subscription cursor may also live outside a block, as if declared WITH HOLD.

import { SqlError, SqlState } from '../common/errors.js';
import { limits } from '../common/limits.js';
import type { Value } from '../common/types.js';
import type { ColumnDescription, RowCursor } from '../pgwire/session.js';
import type { Subscription } from './subscribe/subscription.js';

export interface NamedCursor {
  readonly name: string;
  readonly columns: readonly ColumnDescription[];
  readonly rows: RowCursor;
  /** Set for SUBSCRIBE cursors. */
  readonly subscription: Subscription | null;
  /** Closes at the end of the transaction block it was declared in. */
  readonly closesWithBlock: boolean;
  /** Aborts the cursor's batch operators when it closes. */
  readonly controller: AbortController;
}

export class SessionCursors {
  private readonly cursors = new Map<string, NamedCursor>();

  get(name: string): NamedCursor {
    const cursor = this.cursors.get(name);
    if (cursor === undefined) throw new SqlError(SqlState.undefinedCursor, `cursor "${name}" does not exist`);
    return cursor;
  }

  add(cursor: NamedCursor): void {
    if (this.cursors.has(cursor.name)) throw new SqlError(SqlState.duplicateCursor, `cursor "${cursor.name}" already exists`);
    this.cursors.set(cursor.name, cursor);
  }

  async close(name: string | null): Promise<void> {
    const closing = name === null ? [...this.cursors.values()] : [this.get(name)];
    for (const cursor of closing) await this.closeOne(cursor);
  }

  /** End of a transaction block: cursors bound to it close. */
  async endBlock(): Promise<void> {
    for (const cursor of [...this.cursors.values()]) if (cursor.closesWithBlock) await this.closeOne(cursor);
  }

  private async closeOne(cursor: NamedCursor): Promise<void> {
    this.cursors.delete(cursor.name);
    cursor.controller.abort(new SqlError(SqlState.queryCanceled, `cursor "${cursor.name}" was closed`));
    await cursor.rows.close().catch(() => undefined);
  }

  /**
   * The rows of FETCH (or MOVE) as a cursor the wire layer pulls from: up to `count` rows of a
   * batch cursor (null: all that remain); for a subscription, the changes ready after waiting for
   * at least one (at most `timeoutMs`), up to `count` (null: up to subscriptionOutputRowsMax).
   */
  fetch(cursor: NamedCursor, count: number | null, timeoutMs: number | null, tag: string): RowCursor {
    return cursor.subscription !== null
      ? new SubscriptionFetch(cursor.subscription, count ?? limits.subscriptionOutputRowsMax, timeoutMs, tag)
      : new BatchFetch(cursor.rows, count, tag);
  }
}

class BatchFetch implements RowCursor {
  private returned = 0;
  private finished = false;
  constructor(private readonly rows: RowCursor, private readonly count: number | null, private readonly tag: string) {}

  async next(maxRows: number, signal: AbortSignal): Promise<{ rows: Value[][]; done: boolean }> {
    const remaining = this.count === null ? maxRows : Math.min(maxRows, this.count - this.returned);
    if (this.finished || remaining <= 0) return { rows: [], done: true };
    const result = await this.rows.next(remaining, signal);
    this.returned += result.rows.length;
    this.finished = result.done;
    return { rows: result.rows, done: result.done || (this.count !== null && this.returned >= this.count) };
  }

  commandTag(): string { return `${this.tag} ${this.returned}`; }
  async close(): Promise<void> { /* the named cursor stays open */ }
}

class SubscriptionFetch implements RowCursor {
  private returned = 0;
  private fetched = false;
  constructor(private readonly subscription: Subscription, private readonly count: number, private readonly timeoutMs: number | null,
    private readonly tag: string) {}

  async next(maxRows: number, signal: AbortSignal): Promise<{ rows: Value[][]; done: boolean }> {
    if (this.fetched || this.returned >= this.count) return { rows: [], done: true };
    const wanted = Math.min(maxRows, this.count - this.returned);
    // The first call waits; later calls take only what is ready.
    const result = await this.subscription.fetch(wanted, signal, this.fetched || this.returned > 0 ? 0 : this.timeoutMs);
    this.returned += result.rows.length;
    if (result.suspend || this.returned >= this.count) this.fetched = true;
    return { rows: result.rows, done: this.fetched };
  }

  commandTag(): string { return `${this.tag} ${this.returned}`; }
  async close(): Promise<void> { /* the named cursor stays open */ }
}

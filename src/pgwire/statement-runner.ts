// Turns a StatementOutcome into backend messages: rows pulled from a cursor in bounded batches,
// COPY FROM STDIN fed from CopyData messages, COPY TO STDOUT streamed as CopyData. Shared by the
// simple and extended query protocols. Invariants: every wait on the engine or the client is cut
// short by the statement's AbortSignal; buffered output is flushed whenever the next wait may be
// long, so rows of a continuous query reach the client as they come; cursors (COPY TO's too) are
// closed and COPY sinks finished or aborted on every path. COPY data formats live in copy/.

import { SqlError, SqlState, asSqlError } from '../common/errors.js';
import { limits } from '../common/limits.js';
import type { Value } from '../common/types.js';
import { CopyDecoder } from './copy/copy-decoder.js';
import { CopyEncoder } from './copy/copy-encoder.js';
import {
  writeCommandComplete, writeCopyDone, writeCopyInResponse, writeCopyOutResponse, writeDataRows,
  writeEmptyQueryResponse, writeNoticeResponse,
} from './backend-encoder.js';
import { protocolViolation } from './message-reader.js';
import type { ColumnDescription, CopyInSink, CopyOptions, RowCursor, Session, StatementOutcome } from './session.js';
import type { SocketChannel } from './socket-channel.js';
import type { ValueWriter } from './value-codec.js';

export function canceledByUser(): SqlError {
  return new SqlError(SqlState.queryCanceled, 'canceling statement due to user request');
}

export function connectionLost(): SqlError {
  return new SqlError('08006', 'connection to client lost', { severity: 'FATAL' });
}

/** The error a failed statement reports: an abort's own reason wins over what the engine threw for it. */
export function statementError(thrown: unknown, signal: AbortSignal | undefined): SqlError {
  if (thrown instanceof SqlError) return thrown;
  if (signal?.aborted) return asSqlError(signal.reason);
  return asSqlError(thrown);
}

/**
 * Abort handlers of the waits on each signal. A signal gets one 'abort' listener of its own that
 * calls them: adding and removing an EventTarget listener for every wait of every statement (a
 * connection reuses its signal until something aborts it) costs more than a point lookup's work.
 */
const abortWaiters = new WeakMap<AbortSignal, Set<() => void>>();

function waitersOf(signal: AbortSignal): Set<() => void> {
  let waiters = abortWaiters.get(signal);
  if (waiters === undefined) {
    const created = new Set<() => void>();
    signal.addEventListener('abort', () => {
      for (const waiter of [...created]) waiter();
      created.clear();
    }, { once: true });
    abortWaiters.set(signal, created);
    waiters = created;
  }
  return waiters;
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(asSqlError(signal.reason));
      promise.catch(() => undefined);
      return;
    }
    const waiters = waitersOf(signal);
    const onAbort = (): void => reject(asSqlError(signal.reason));
    waiters.add(onAbort);
    promise.then(
      (value) => { waiters.delete(onAbort); resolve(value); },
      (thrown: unknown) => { waiters.delete(onAbort); reject(thrown); },
    );
  });
}

/** What a statement's output needs: the channel to write to and the session for notices. */
export class OutputContext {
  constructor(readonly channel: SocketChannel, readonly session: Session) {}

  /** The session's current time zone, for timestamptz text. */
  timeZone(): string {
    return this.session.parameterStatus().get('TimeZone') ?? 'UTC';
  }

  sendNotices(): void {
    for (const notice of this.session.takeNotices()) writeNoticeResponse(this.channel.out, notice);
  }

  /**
   * Awaits `pending`; if it is not ready at once, first sends what is buffered (the wait may be
   * long). With `holdOutput` (a batch read, whose wait is short) the output stays buffered, so a
   * lookup's BindComplete and row leave in one write, as PostgreSQL's do.
   */
  async awaitFlushing<T>(pending: Promise<T>, signal: AbortSignal, holdOutput = false): Promise<T> {
    const guarded = untilAborted(pending, signal);
    if (holdOutput) {
      if (this.channel.out.length >= limits.sendChunkBytesMax) await this.channel.flush(signal);
      return guarded;
    }
    let settled = false;
    guarded.then(() => { settled = true; }, () => { settled = true; });
    if (this.channel.out.length >= limits.sendChunkBytesMax) await this.channel.flush(signal);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!settled) await this.channel.flush(signal);
    return guarded;
  }
}

export type RowsResult = { readonly done: true; readonly tag: string } | { readonly done: false };

/** Sends up to `maxRows` rows (0 = all) as DataRows; done means the cursor is exhausted. */
export async function sendRows(
  context: OutputContext, cursor: RowCursor, writers: readonly ValueWriter[], maxRows: number, signal: AbortSignal,
): Promise<RowsResult> {
  let sent = 0;
  for (;;) {
    const wanted = maxRows <= 0 ? limits.rowsPerBatchMax : Math.min(limits.rowsPerBatchMax, maxRows - sent);
    // A batch read (bounded) keeps the output buffered: no flush to decide on, so no wrapper around the wait.
    const pending = cursor.next(wanted, signal);
    const batch: { rows: Value[][]; done: boolean; suspend?: boolean } = cursor.bounded === true && context.channel.out.length < limits.sendChunkBytesMax
      ? await untilAborted(pending, signal) : await context.awaitFlushing(pending, signal, cursor.bounded === true);
    context.sendNotices();
    writeDataRows(context.channel.out, batch.rows, writers);
    sent += batch.rows.length;
    if (batch.done) return { done: true, tag: cursor.commandTag() };
    if (maxRows > 0 && (sent >= maxRows || (batch.suspend === true && sent > 0))) return { done: false };
  }
}

/** Sends everything of an outcome that has no rows (command, empty, COPY); returns the tag sent, if any. */
export async function sendNonRowOutcome(
  context: OutputContext, outcome: Exclude<StatementOutcome, { kind: 'rows' }>, signal: AbortSignal,
): Promise<string | null> {
  const out = context.channel.out;
  let tag: string;
  switch (outcome.kind) {
    case 'empty':
      writeEmptyQueryResponse(out);
      return null;
    case 'command':
      tag = outcome.tag;
      break;
    case 'copyIn':
      tag = await receiveCopyData(context, outcome.columns, outcome.options, outcome.sink, signal, outcome.relationName);
      break;
    case 'copyOut':
      tag = await sendCopyData(context, outcome.columns, outcome.options, outcome.cursor, signal);
      break;
  }
  writeCommandComplete(out, tag);
  return tag;
}

function copyFormat(options: CopyOptions): 'text' | 'binary' {
  return options.format === 'binary' ? 'binary' : 'text';
}

/**
 * COPY FROM STDIN: CopyData decoded into rows for the sink until CopyDone (finish) or CopyFail,
 * a decoding error or a lost connection (abort). Flush and Sync are ignored meanwhile, as in
 * PostgreSQL; after an error the connection discards the rest of the copy stream.
 */
async function receiveCopyData(
  context: OutputContext, columns: readonly ColumnDescription[], options: CopyOptions, sink: CopyInSink, signal: AbortSignal,
  relationName: string | undefined,
): Promise<string> {
  try {
    const decoder = new CopyDecoder(columns, options, context.timeZone(), relationName);
    writeCopyInResponse(context.channel.out, copyFormat(options), columns.length);
    await context.channel.flush(signal);
    for (;;) {
      const message = await context.channel.nextMessage(signal);
      if (message === null) throw connectionLost();
      switch (message.type) {
        case 'copyData':
          decoder.push(message.data);
          await writeDecodedRows(decoder, sink, signal);
          break;
        case 'copyDone':
          decoder.end();
          await writeDecodedRows(decoder, sink, signal);
          return await untilAborted(sink.finish(), signal);
        case 'copyFail': throw new SqlError(SqlState.queryCanceled, `COPY from stdin failed: ${message.message}`);
        case 'flush': case 'sync': break;
        default: throw protocolViolation(`unexpected message type "${message.type}" during COPY from stdin`);
      }
    }
  } catch (thrown) {
    const error = statementError(thrown, signal);
    await sink.abort(error.message).catch(() => undefined);
    throw error;
  }
}

/** Hands the sink every batch the decoder can produce from the input it holds. */
async function writeDecodedRows(decoder: CopyDecoder, sink: CopyInSink, signal: AbortSignal): Promise<void> {
  for (let rows = decoder.takeRows(sink.fieldRows); rows.length > 0; rows = decoder.takeRows(sink.fieldRows)) {
    await untilAborted(sink.writeRows(rows), signal);
  }
}

/** COPY TO STDOUT: the cursor's rows in bounded batches, one CopyData per row, then CopyDone. */
async function sendCopyData(
  context: OutputContext, columns: readonly ColumnDescription[], options: CopyOptions, cursor: RowCursor, signal: AbortSignal,
): Promise<string> {
  try {
    const out = context.channel.out;
    const encoder = new CopyEncoder(columns, options, context.timeZone());
    writeCopyOutResponse(out, copyFormat(options), columns.length);
    encoder.writeStart(out);
    for (;;) {
      const batch: { rows: Value[][]; done: boolean } = await context.awaitFlushing(cursor.next(limits.rowsPerBatchMax, signal), signal);
      context.sendNotices();
      encoder.writeRows(out, batch.rows);
      if (batch.done) break;
    }
    encoder.writeEnd(out);
    writeCopyDone(out);
    return cursor.commandTag();
  } finally {
    await cursor.close().catch(() => undefined);
  }
}

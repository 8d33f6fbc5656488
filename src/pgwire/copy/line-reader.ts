// Splits COPY FROM text and csv input into lines, as PostgreSQL 15's CopyReadLineText does. The
// first line ending fixes the newline style (LF, CR or CRLF) and every later one must match; in
// text format a backslash protects the next byte (a newline too), and `\.` followed by a newline
// ends the data (the bytes before it on that line are its last line); in csv format newlines inside
// quotes belong to the field and `\.` ends the data only alone on a line. The reader resumes where
// it stopped when more input arrives, so input split anywhere is scanned once; in a chunk without
// any byte but the newline that needs attention, the scan is a native search for the newline.
// Invariant: every byte it looks at is already in the queue (lookahead waits for input or its end).

import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { ByteQueue, ByteSlice } from './byte-queue.js';

const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const backslash = 0x5c;
const period = 0x2e;

type NewlineStyle = 'unknown' | 'lf' | 'cr' | 'crlf';

/**
 * 'line': a line is in `LineReader.line`; 'more': more input is needed before the next line is
 * known; 'end': end of data (the end-of-copy marker or the end of input), later input is ignored.
 */
export type LineResult = 'line' | 'more' | 'end';

export interface LineSyntax {
  readonly csv: boolean;
  readonly quote: number;
  readonly escape: number;
}

/** A line-level error; the decoder adds the line number (the line itself is not shown, as PostgreSQL). */
export class LineError extends SqlError {}

export class LineReader {
  /** Number of the line being read (1-based, counting newlines inside csv quotes, as PostgreSQL). */
  lineNumber = 0;
  /** The line the last 'line' result stands for, without its newline (valid until the next call). */
  readonly line: ByteSlice = { bytes: Buffer.alloc(0), start: 0, end: 0, plainAscii: true, unmarked: false };
  private lineStarted = false;
  private finished = false;
  private scanned = 0;
  private inQuote = false;
  private lastWasEscape = false;
  private newline: NewlineStyle = 'unknown';
  private readonly special = new Uint8Array(256);
  private readonly syntax: LineSyntax;

  constructor(private readonly queue: ByteQueue, syntax: LineSyntax) {
    // An escape equal to the quote needs no tracking: the quote alone toggles (a doubled one twice).
    this.syntax = syntax.escape === syntax.quote ? { ...syntax, escape: -1 } : syntax;
    this.special[lineFeed] = 1;
    this.special[carriageReturn] = 1;
    this.special[backslash] = 1;
    if (syntax.csv) {
      this.special[syntax.quote] = 1;
      if (syntax.escape >= 0) this.special[syntax.escape] = 1;
    }
    const markers: number[] = [];
    this.special.forEach((isSpecial, byte) => {
      if (isSpecial === 1 && byte !== lineFeed) markers.push(byte);
    });
    queue.watchFor(markers);
  }

  /** True once the end-of-copy marker has been seen: later input is not data. */
  get atEnd(): boolean {
    return this.finished;
  }

  /** The next complete line; `inputEnded` says no more input will come (CopyDone). */
  next(inputEnded: boolean): LineResult {
    if (this.finished) return 'end';
    if (!this.lineStarted) {
      if (this.queue.length === 0) return inputEnded ? this.finish() : 'more';
      this.lineStarted = true;
      this.lineNumber++;
    }
    for (;;) {
      this.skipOrdinaryBytes();
      if (this.scanned > limits.copyRowBytesMax) throw lineTooLong();
      if (this.scanned >= this.queue.length) {
        if (!inputEnded) return 'more';
        return this.emit(this.queue.length, 0);
      }
      const result = this.handleSpecialByte(inputEnded);
      if (result !== null) return result;
    }
  }

  /** Advances over bytes that need no attention, a chunk at a time. */
  private skipOrdinaryBytes(): void {
    const queue = this.queue;
    const special = this.special;
    while (this.scanned < queue.length) {
      const bytes = queue.chunkAt(this.scanned);
      const offset = queue.offsetOf(this.scanned);
      let at = offset;
      const end = Math.min(bytes.length, offset + queue.length - this.scanned);
      if (queue.chunkMarked()) {
        while (at < end && special[bytes[at] as number] === 0) at++;
      } else {
        // Only a newline can stop the scan in this chunk: search for it natively.
        const newline = bytes.indexOf(lineFeed, at);
        at = newline < 0 || newline >= end ? end : newline;
      }
      this.scanned += at - offset;
      if (at < end) return;
    }
  }

  /** Handles the byte at `scanned`, which may end the line; null means keep scanning. */
  private handleSpecialByte(inputEnded: boolean): LineResult | null {
    const at = this.scanned;
    const byte = this.queue.byteAt(at);
    const csv = this.syntax.csv;
    const needsLookahead = byte === backslash || (byte === carriageReturn && (csv || this.newline === 'unknown' || this.newline === 'crlf'));
    if (needsLookahead && !inputEnded && at + 1 >= this.queue.length) return 'more';
    if (byte === backslash && (!csv || at === 0)) {
      const marker = this.endMarker(at, inputEnded);
      if (marker !== null) return marker;
    }
    if (csv) this.trackQuotes(byte);
    if (byte === carriageReturn && (!csv || !this.inQuote)) return this.carriageReturn(at);
    if (byte === lineFeed && (!csv || !this.inQuote)) {
      if (this.newline === 'cr' || this.newline === 'crlf') throw strayNewline(csv, 'newline');
      this.newline = 'lf';
      return this.emit(at, 1);
    }
    // In text format a backslash protects the next byte, whatever it is.
    this.scanned += byte === backslash && !csv ? 2 : 1;
    if (this.scanned > this.queue.length) this.scanned = this.queue.length;
    return null;
  }

  private trackQuotes(byte: number): void {
    const { quote, escape } = this.syntax;
    if (this.inQuote && byte === escape) this.lastWasEscape = !this.lastWasEscape;
    if (byte === quote && !this.lastWasEscape) this.inQuote = !this.inQuote;
    if (byte !== escape) this.lastWasEscape = false;
    if (this.inQuote && byte === (this.newline === 'lf' ? lineFeed : carriageReturn)) this.lineNumber++;
  }

  private carriageReturn(at: number): LineResult {
    if (this.newline === 'lf') throw strayNewline(this.syntax.csv, 'carriage return');
    if (this.newline === 'cr') return this.emit(at, 1);
    const next = at + 1 < this.queue.length ? this.queue.byteAt(at + 1) : 0;
    if (next === lineFeed) {
      this.newline = 'crlf';
      return this.emit(at, 2);
    }
    if (this.newline === 'crlf') throw strayNewline(this.syntax.csv, 'carriage return');
    this.newline = 'cr';
    return this.emit(at, 1);
  }

  /**
   * `\.` at `at`: the end-of-copy marker if a newline of the data's style follows. In text format
   * anything else after `\.` is an error; in csv it is data. Null: not a marker, scan on.
   */
  private endMarker(at: number, inputEnded: boolean): LineResult | null {
    const queue = this.queue;
    const csv = this.syntax.csv;
    if (at + 1 >= queue.length || queue.byteAt(at + 1) !== period) return null;
    const needed = this.newline === 'crlf' ? 4 : 3;
    if (!inputEnded && at + needed > queue.length) return 'more';
    const byteOrNul = (index: number): number => (index < queue.length ? queue.byteAt(index) : 0);
    let next = at + 2;
    if (this.newline === 'crlf') {
      const first = byteOrNul(next++);
      if (first === lineFeed) {
        if (csv) return null;
        throw markerError('end-of-copy marker does not match previous newline style');
      }
      if (first !== carriageReturn) {
        if (csv) return null;
        throw markerError('end-of-copy marker corrupt');
      }
    }
    const last = byteOrNul(next);
    if (last !== carriageReturn && last !== lineFeed) {
      if (csv) return null;
      throw markerError('end-of-copy marker corrupt');
    }
    const style = this.newline;
    if ((style === 'lf' && last !== lineFeed) || (style === 'crlf' && last !== lineFeed) || (style === 'cr' && last !== carriageReturn)) {
      throw markerError('end-of-copy marker does not match previous newline style');
    }
    queue.takeSlice(at, this.line);
    queue.clear();
    this.finished = true;
    this.resetLine();
    return at > 0 ? 'line' : 'end';
  }

  private emit(lineEnd: number, newlineBytes: number): LineResult {
    this.queue.takeSlice(lineEnd, this.line);
    this.queue.skip(newlineBytes);
    this.resetLine();
    return 'line';
  }

  private finish(): LineResult {
    this.finished = true;
    return 'end';
  }

  private resetLine(): void {
    this.lineStarted = false;
    this.scanned = 0;
    this.inQuote = false;
    this.lastWasEscape = false;
  }
}

function strayNewline(csv: boolean, what: 'newline' | 'carriage return'): LineError {
  const escaped = what === 'newline' ? '\\n' : '\\r';
  return new LineError(
    SqlState.badCopyFileFormat,
    csv ? `unquoted ${what} found in data` : `literal ${what} found in data`,
    { hint: csv ? `Use quoted CSV field to represent ${what}.` : `Use "${escaped}" to represent ${what}.` },
  );
}

function markerError(message: string): LineError {
  return new LineError(SqlState.badCopyFileFormat, message);
}

function lineTooLong(): LineError {
  return new LineError(SqlState.programLimitExceeded, `COPY line is too long (more than ${limits.copyRowBytesMax} bytes)`);
}

// Test fixtures for the wire layer: a small fixed-answer Session (statements are recognised by
// their text, not parsed as SQL) and a raw socket client that speaks frames and reads backend
// messages with node-postgres' own parser.

import { connect, type Socket } from 'node:net';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Decimal } from '../../src/common/decimal.js';
import { SqlError } from '../../src/common/errors.js';
import { Types, type DataType, type Value } from '../../src/common/types.js';
import type {
  ColumnDescription, CopyOptions, Notice, ParsedStatement, PreparedStatement, RowCursor, Session, SessionFactory, StartupInfo,
  StatementOutcome, TransactionStatus,
} from '../../src/pgwire/session.js';
import { PgServer } from '../../src/pgwire/server.js';

interface FixturePrepared extends PreparedStatement {
  readonly text: string;
}

function column(name: string, type: DataType): ColumnDescription {
  return { name, type, tableOid: 0, columnNumber: 0 };
}

/** Everything the fixture sessions did, for assertions. */
export class Journal {
  readonly executed: string[] = [];
  readonly startups: StartupInfo[] = [];
  readonly copied: string[] = [];
  copyBatches = 0;
  cursorsClosed = 0;
  rowsProduced = 0;
  sessionsClosed = 0;
  syncs = 0;
}

/** Rows 1..count as (n int4, label text), served `batch` rows at a time. */
function countingCursor(count: number, journal: Journal): RowCursor {
  let next = 1;
  return {
    async next(maxRows) {
      const rows: Value[][] = [];
      while (rows.length < maxRows && next <= count) rows.push([next, `row ${next++}`]);
      journal.rowsProduced += rows.length;
      return { rows, done: next > count };
    },
    commandTag: () => `SELECT ${next - 1}`,
    async close() { journal.cursorsClosed++; },
  };
}

/** A cursor that never produces a row; it rejects when its signal aborts. */
function blockingCursor(journal: Journal): RowCursor {
  return {
    next: (_maxRows, signal) => new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
    }),
    commandTag: () => 'SELECT 0',
    async close() { journal.cursorsClosed++; },
  };
}

function fixedCursor(rows: Value[][], journal: Journal): RowCursor {
  let done = false;
  return {
    async next() { done = true; return { rows, done: true }; },
    commandTag: () => `SELECT ${done ? rows.length : 0}`,
    async close() { journal.cursorsClosed++; },
  };
}

const typedColumns = [
  column('i4', Types.int4), column('i8', Types.int8), column('t', Types.text), column('b', Types.bool),
  column('f8', Types.float8), column('ts', Types.timestamptz), column('n', Types.numeric), column('by', Types.bytea),
];
const typedRow: Value[] = [
  -7, 9007199254740993n, 'héllo', true, 2.5, 946_684_800_000_000n, Decimal.parse('12345.678'), new Uint8Array([1, 2]),
];

/**
 * COPY statements of the fixture over (n int4, label text): `copy in [format]` and
 * `copy out [format] [row count]`, format being text (the default), csv, csv header or binary.
 */
const copyColumns = [column('n', Types.int4), column('label', Types.text)];

function copyWords(text: string): { format: string; count: number | undefined } {
  const words = text.split(' ').slice(2);
  const last = words.at(-1);
  const count = last !== undefined && /^\d+$/.test(last) ? Number(words.pop()) : undefined;
  return { format: words.join(' ') || 'text', count };
}

function copyOptions(format: string): CopyOptions {
  const csv = format.startsWith('csv');
  return {
    format: format === 'binary' ? 'binary' : csv ? 'csv' : 'text',
    delimiter: csv ? ',' : '\t', nullString: csv ? '' : '\\N', header: format.endsWith('header'), quote: '"', escape: '"',
  };
}

export class FixtureSession implements Session {
  transactionStatus: TransactionStatus = 'I';
  private notices: Notice[] = [];
  private readonly parameters = new Map([['server_version', '16.0'], ['TimeZone', 'UTC'], ['client_encoding', 'UTF8']]);

  constructor(private readonly journal: Journal) {}

  parameterStatus(): ReadonlyMap<string, string> {
    return this.parameters;
  }

  parse(text: string): ParsedStatement[] {
    const at = text.indexOf('syntax error');
    if (at >= 0) throw new SqlError('42601', 'syntax error at or near "syntax"', { position: at + 1 });
    return text.split(';').map((part) => part.trim()).map((part) => ({ text: part, isEmpty: part === '' }));
  }

  async prepare(statement: ParsedStatement, hints: readonly (DataType | null)[]): Promise<FixturePrepared> {
    const text = statement.text;
    if (text === 'select $1') return { text, parameterTypes: [hints[0] ?? Types.text], columns: [column('value', hints[0] ?? Types.text)] };
    if (text.startsWith('select rows') || text === 'sleep') return { text, parameterTypes: [], columns: [column('n', Types.int4), column('label', Types.text)] };
    if (text === 'types') return { text, parameterTypes: [], columns: typedColumns };
    if (text === 'unknown') throw new SqlError('42P01', 'relation "unknown" does not exist');
    return { text, parameterTypes: [], columns: null };
  }

  async execute(statement: PreparedStatement, parameters: readonly Value[]): Promise<StatementOutcome> {
    const text = (statement as FixturePrepared).text;
    this.journal.executed.push(text);
    if (this.transactionStatus === 'E' && text !== 'rollback') throw new SqlError('25P02', 'current transaction is aborted');
    return this.outcome(text, statement, parameters);
  }

  private outcome(text: string, statement: PreparedStatement, parameters: readonly Value[]): StatementOutcome {
    const rowColumns = statement.columns ?? [];
    if (text.startsWith('select rows')) return { kind: 'rows', columns: rowColumns, cursor: countingCursor(Number(text.slice(12)), this.journal) };
    if (text === 'select $1') return { kind: 'rows', columns: rowColumns, cursor: fixedCursor([[parameters[0] ?? null]], this.journal) };
    if (text === 'types') return { kind: 'rows', columns: rowColumns, cursor: fixedCursor([typedRow, typedRow.map(() => null)], this.journal) };
    if (text === 'sleep') return { kind: 'rows', columns: rowColumns, cursor: blockingCursor(this.journal) };
    if (text.startsWith('copy in')) return this.copyIn(text);
    if (text.startsWith('copy out')) return this.copyOut(text);
    return this.command(text);
  }

  private command(text: string): StatementOutcome {
    switch (text) {
      case 'begin': this.transactionStatus = 'T'; return { kind: 'command', tag: 'BEGIN' };
      case 'commit': case 'rollback': this.transactionStatus = 'I'; return { kind: 'command', tag: text.toUpperCase() };
      case 'fail': throw new SqlError('22012', 'division by zero');
      case 'notice':
        this.notices.push({ severity: 'NOTICE', code: '00000', message: 'hello from the engine' });
        return { kind: 'command', tag: 'DO' };
      case 'set tz': this.parameters.set('TimeZone', 'Europe/Paris'); return { kind: 'command', tag: 'SET' };
      default: return { kind: 'command', tag: text.toUpperCase() };
    }
  }

  private copyIn(text: string): StatementOutcome {
    const rows: Value[][] = [];
    const journal = this.journal;
    return {
      kind: 'copyIn', columns: copyColumns, options: copyOptions(copyWords(text).format),
      sink: {
        async writeRows(batch) { rows.push(...batch); journal.copyBatches++; },
        async finish() { journal.copied.push(rows.map((row) => row.join('|')).join(',')); return `COPY ${rows.length}`; },
        async abort(reason) { journal.copied.push(`aborted: ${reason}`); },
      },
    };
  }

  private copyOut(text: string): StatementOutcome {
    const { format, count } = copyWords(text);
    return { kind: 'copyOut', columns: copyColumns, options: copyOptions(format), cursor: countingCursor(count ?? 3, this.journal) };
  }

  statementFailed(): void {
    if (this.transactionStatus === 'T') this.transactionStatus = 'E';
  }

  async sync(): Promise<void> {
    this.journal.syncs++;
  }

  takeNotices(): Notice[] {
    const notices = this.notices;
    this.notices = [];
    return notices;
  }

  async close(): Promise<void> {
    this.journal.sessionsClosed++;
  }
}

export class FixtureFactory implements SessionFactory {
  readonly journal = new Journal();

  async open(startup: StartupInfo): Promise<Session> {
    this.journal.startups.push(startup);
    if (startup.database === 'missing') throw new SqlError('3D000', `database "${startup.database}" does not exist`);
    return new FixtureSession(this.journal);
  }
}

export async function startServer(connectionsMax?: number): Promise<{ server: PgServer; factory: FixtureFactory; port: number }> {
  const factory = new FixtureFactory();
  const server = new PgServer(factory, { host: '127.0.0.1', port: 0, ...(connectionsMax === undefined ? {} : { connectionsMax }) });
  const { port } = await server.listen();
  return { server, factory, port };
}

/** A socket client that sends raw frames and collects parsed backend messages. */
export class RawClient {
  readonly messages: BackendMessage[] = [];
  readonly raw: Buffer[] = [];
  private readonly parser = new Parser();
  private parsing = true;
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => { this.closed = true; this.notify(); });
  }

  static async connect(port: number, options: { parse?: boolean } = {}): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawClient(socket);
    client.parsing = options.parse ?? true;
    return client;
  }

  /** Connects and completes startup (through ReadyForQuery). */
  static async started(port: number): Promise<RawClient> {
    const client = await RawClient.connect(port);
    client.send(serialize.startup({ user: 'tester', database: 'db' }));
    await client.until('readyForQuery');
    client.messages.length = 0;
    return client;
  }

  startParsing(): void {
    this.parsing = true;
  }

  /** From now on only raw bytes are kept (node-postgres' parser decodes DataRow fields as UTF-8). */
  stopParsing(): void {
    this.parsing = false;
    this.raw.length = 0;
  }

  /** Backend frames split from the raw bytes received since stopParsing(). */
  frames(): { code: string; body: Buffer }[] {
    const bytes = Buffer.concat(this.raw);
    const frames: { code: string; body: Buffer }[] = [];
    for (let at = 0; at + 5 <= bytes.length;) {
      const end = at + 1 + bytes.readInt32BE(at + 1);
      if (end > bytes.length) break;
      frames.push({ code: String.fromCharCode(bytes[at] as number), body: bytes.subarray(at + 5, end) });
      at = end;
    }
    return frames;
  }

  /** Waits for a raw frame with this type byte. */
  async untilFrame(code: string, timeoutMs = 5000): Promise<{ code: string; body: Buffer }[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.frames().some((frame) => frame.code === code)) {
      if (this.closed || Date.now() > deadline) throw new Error(`no ${code} frame; got ${this.frames().map((frame) => frame.code).join('')}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
    return this.frames();
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  /** Waits for a message of this name (or the socket closing) and returns the messages so far. */
  async until(name: string, timeoutMs = 5000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.messages.some((message) => message.name === name)) {
      if (this.closed) throw new Error(`socket closed before ${name}; got ${this.names().join(',')}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${name}; got ${this.names().join(',')}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
    return this.messages;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for close');
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
  }

  names(): string[] {
    return this.messages.map((message) => message.name);
  }

  /** Returns and forgets the messages received so far. */
  take(): BackendMessage[] {
    return this.messages.splice(0);
  }

  private receive(chunk: Buffer): void {
    this.raw.push(chunk);
    if (this.parsing) this.parser.parse(chunk, (message) => this.messages.push(message));
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

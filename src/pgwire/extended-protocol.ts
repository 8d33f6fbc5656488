// The extended query protocol's state: prepared statements and portals of one connection, and the
// handlers for Parse, Bind, Describe, Execute and Close. Invariants: the unnamed statement is
// replaced by every Parse and the unnamed portal by every Bind; a portal runs session.execute on
// its first Execute only, later Executes continue its cursor; a closed or failed portal has
// released its cursor. Errors are thrown to the connection, which reports them and discards
// messages until Sync.

import { SqlError, SqlState } from '../common/errors.js';
import { limits } from '../common/limits.js';
import { typeFromOid, Types, type DataType, type Value } from '../common/types.js';
import {
  writeBindComplete, writeCloseComplete, writeCommandComplete, writeEmptyQueryResponse, writeNoData, writeParameterDescription,
  writeParseComplete, writePortalSuspended, writeRowDescription,
} from './backend-encoder.js';
import type { BindMessage } from './frontend-decoder.js';
import { MessageWriter } from './message-writer.js';
import { protocolViolation } from './message-reader.js';
import type { ColumnDescription, ParsedStatement, PreparedStatement, StatementOutcome } from './session.js';
import { sendNonRowOutcome, sendRows, untilAborted, type OutputContext } from './statement-runner.js';
import { decodeParameter, valueWriter, type FormatCode, type ValueWriter } from './value-codec.js';

/** What a portal's result columns are sent with, for one list of result formats and time zone. */
interface RowShape {
  readonly formats: readonly FormatCode[];
  readonly timeZone: string;
  readonly writers: readonly ValueWriter[];
  /** The RowDescription message, encoded once (Describe of a portal sends it on every execution). */
  readonly description: Buffer;
}

interface StatementEntry {
  /** Null for an empty query string, which runs without the engine (EmptyQueryResponse). */
  readonly parsed: ParsedStatement | null;
  readonly prepared: PreparedStatement;
  /** The last row shape bound (prepared statements are bound with the same formats again and again). */
  shape: RowShape | null;
}

class Portal {
  outcome: StatementOutcome | null = null;
  /** Set once the portal has run to completion: the CommandComplete tag, or null for an empty query. */
  completion: { readonly tag: string | null } | null = null;

  constructor(
    readonly statement: StatementEntry,
    readonly parameters: readonly Value[],
    readonly resultFormats: readonly FormatCode[],
    /** Writers and RowDescription for the prepared statement's columns in these formats. */
    readonly shape: RowShape,
  ) {}

  /** Releases the portal's cursor; a promise only if it has one to close. */
  close(): Promise<void> | undefined {
    const outcome = this.outcome;
    this.outcome = null;
    if (outcome?.kind === 'rows') return outcome.cursor.close().catch(() => undefined);
    return undefined;
  }
}

export class ExtendedProtocol {
  private readonly statements = new Map<string, StatementEntry>();
  private readonly portals = new Map<string, Portal>();

  constructor(private readonly context: OutputContext, private readonly timeZone: () => string) {}

  async parse(name: string, text: string, parameterTypeOids: readonly number[]): Promise<void> {
    if (name === '') this.statements.delete('');
    else if (this.statements.has(name)) throw new SqlError(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`);
    if (this.statements.size >= limits.preparedStatementsMax) throw tooMany('prepared statements', limits.preparedStatementsMax);
    if (parameterTypeOids.length > limits.parametersMax) throw tooMany('parameters', limits.parametersMax);
    const hints = parameterTypeOids.map(typeHint);
    const session = this.context.session;
    const statements = session.parse(text).filter((statement) => !statement.isEmpty);
    if (statements.length > 1) throw new SqlError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    const parsed = statements[0] ?? null;
    const prepared = parsed === null ? emptyPrepared(hints) : await session.prepare(parsed, hints);
    this.context.sendNotices();
    this.statements.set(name, { parsed, prepared, shape: null });
    writeParseComplete(this.context.channel.out);
  }

  /** A promise only when the unnamed portal it replaces still has a cursor to close. */
  bind(message: BindMessage): Promise<void> | undefined {
    const statement = this.statement(message.statement);
    if (message.portal === '') {
      const closing = this.closePortal('');
      if (closing !== undefined) return closing.then(() => this.bindPortal(message, statement));
    }
    this.bindPortal(message, statement);
    return undefined;
  }

  private bindPortal(message: BindMessage, statement: StatementEntry): void {
    if (message.portal !== '' && this.portals.has(message.portal)) throw new SqlError(SqlState.duplicateCursor, `portal "${message.portal}" already exists`);
    if (this.portals.size >= limits.portalsMax) throw tooMany('portals', limits.portalsMax);
    const parameters = this.decodeParameters(message, statement.prepared.parameterTypes);
    const columns = statement.prepared.columns ?? [];
    const resultFormats = expandFormats(message.resultFormats, columns.length, 'result formats', `query has ${columns.length} columns`);
    const shape = this.rowShape(statement, resultFormats);
    this.portals.set(message.portal, new Portal(statement, parameters, resultFormats, shape));
    writeBindComplete(this.context.channel.out);
  }

  /** The statement's row shape for these formats in the current time zone (the last one made, if it matches). */
  private rowShape(statement: StatementEntry, formats: readonly FormatCode[]): RowShape {
    const timeZone = this.timeZone();
    const known = statement.shape;
    if (known !== null && known.timeZone === timeZone && sameFormats(known.formats, formats)) return known;
    const columns = statement.prepared.columns ?? [];
    const writers = columnWriters(columns, formats, timeZone);
    const description = new MessageWriter(256);
    if (statement.prepared.columns === null) writeNoData(description);
    else writeRowDescription(description, columns, formats);
    const shape = { formats, timeZone, writers, description: description.take() };
    statement.shape = shape;
    return shape;
  }

  describeStatement(name: string): void {
    const { prepared } = this.statement(name);
    writeParameterDescription(this.context.channel.out, prepared.parameterTypes);
    this.writeRowShape(prepared.columns, []);
  }

  describePortal(name: string): void {
    this.context.channel.out.bytes(this.portal(name).shape.description);
  }

  /** Runs (or continues) a portal, sending at most `maxRows` rows (0 = all). */
  async execute(name: string, maxRows: number, signal: AbortSignal): Promise<void> {
    const portal = this.portal(name);
    try {
      await this.runPortal(portal, maxRows, signal);
    } catch (thrown) {
      await this.closePortal(name);
      throw thrown;
    }
  }

  async close(target: 'S' | 'P', name: string): Promise<void> {
    if (target === 'S') this.statements.delete(name);
    else await this.closePortal(name);
    writeCloseComplete(this.context.channel.out);
  }

  /** A simple Query replaces the unnamed statement and portal, as PostgreSQL's does. */
  async dropUnnamed(): Promise<void> {
    this.statements.delete('');
    await this.closePortal('');
  }

  /** Drops a portal; a promise only if it has a cursor to close. */
  closePortal(name: string): Promise<void> | undefined {
    const portal = this.portals.get(name);
    if (portal === undefined) return undefined;
    this.portals.delete(name);
    return portal.close();
  }

  /** Drops every portal (end of transaction, or the connection is gone); a promise only if cursors are closing. */
  closeAllPortals(): Promise<void> | undefined {
    if (this.portals.size === 0) return undefined;
    const closing: Promise<void>[] = [];
    for (const portal of this.portals.values()) {
      const pending = portal.close();
      if (pending !== undefined) closing.push(pending);
    }
    this.portals.clear();
    return closing.length === 0 ? undefined : Promise.all(closing).then(() => undefined);
  }

  private async runPortal(portal: Portal, maxRows: number, signal: AbortSignal): Promise<void> {
    const out = this.context.channel.out;
    if (portal.completion !== null) {
      // Executing a completed portal again repeats its completion; nothing runs twice.
      if (portal.completion.tag === null) writeEmptyQueryResponse(out);
      else writeCommandComplete(out, portal.completion.tag);
      return;
    }
    const outcome = portal.outcome ?? await this.start(portal, signal);
    if (outcome.kind !== 'rows') {
      portal.completion = { tag: await sendNonRowOutcome(this.context, outcome, signal) };
      return;
    }
    const writers = outcome.columns === portal.statement.prepared.columns ? portal.shape.writers
      : columnWriters(outcome.columns, portal.resultFormats, this.timeZone());
    const result = await sendRows(this.context, outcome.cursor, writers, maxRows, signal);
    if (!result.done) {
      writePortalSuspended(out);
      return;
    }
    writeCommandComplete(out, result.tag);
    portal.completion = { tag: result.tag };
    await portal.close();
  }

  private async start(portal: Portal, signal: AbortSignal): Promise<StatementOutcome> {
    const { parsed, prepared } = portal.statement;
    const outcome: StatementOutcome = parsed === null
      ? { kind: 'empty' }
      : await untilAborted(this.context.session.execute(prepared, portal.parameters, signal), signal);
    portal.outcome = outcome;
    this.context.sendNotices();
    return outcome;
  }

  private writeRowShape(columns: readonly ColumnDescription[] | null, formats: readonly FormatCode[]): void {
    if (columns === null) writeNoData(this.context.channel.out);
    else writeRowDescription(this.context.channel.out, columns, formats);
  }

  private decodeParameters(message: BindMessage, types: readonly DataType[]): Value[] {
    const count = message.parameters.length;
    if (count !== types.length) {
      const name = message.statement === '' ? '' : `"${message.statement}" `;
      throw protocolViolation(`bind message supplies ${count} parameters, but prepared statement ${name}requires ${types.length}`);
    }
    const codes = message.parameterFormats;
    // No format codes (all text) or one for all need no list of their own.
    const formats = codes.length <= 1 ? null : expandFormats(codes, count, 'parameter formats', `${count} parameters`);
    if (codes.length === 1) expandFormats(codes, 1, 'parameter formats', `${count} parameters`);
    const shared: FormatCode = codes.length === 1 ? codes[0] as FormatCode : 0;
    const timeZone = this.timeZone();
    const values = new Array<Value>(count);
    for (let index = 0; index < count; index++) {
      const format = formats === null ? shared : formats[index] ?? 0;
      values[index] = decodeBindParameter(types[index] ?? Types.unknown, format, message.parameters[index] ?? null, index, timeZone);
    }
    return values;
  }

  private statement(name: string): StatementEntry {
    const statement = this.statements.get(name);
    if (statement !== undefined) return statement;
    const what = name === '' ? 'unnamed prepared statement' : `prepared statement "${name}"`;
    throw new SqlError(SqlState.undefinedPreparedStatement, `${what} does not exist`);
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (portal !== undefined) return portal;
    throw new SqlError(SqlState.undefinedCursor, name === '' ? 'unnamed portal does not exist' : `portal "${name}" does not exist`);
  }
}

function typeHint(oid: number): DataType | null {
  if (oid === 0) return null;
  const type = typeFromOid(oid);
  if (type === undefined) throw new SqlError(SqlState.undefinedObject, `type with OID ${oid} does not exist`);
  return type;
}

function emptyPrepared(hints: readonly (DataType | null)[]): PreparedStatement {
  return { parameterTypes: hints.map((hint) => hint ?? Types.unknown), columns: null };
}

function tooMany(what: string, max: number): SqlError {
  return new SqlError(SqlState.programLimitExceeded, `too many ${what} (at most ${max})`);
}

/** Format codes as Bind sends them: none = all text, one = for all, else one per item. */
function expandFormats(codes: readonly number[], count: number, what: string, expectation: string): FormatCode[] {
  for (const code of codes) {
    if (code !== 0 && code !== 1) throw new SqlError(SqlState.invalidParameterValue, `unsupported format code: ${code}`);
  }
  if (codes.length === 0) return new Array<FormatCode>(count).fill(0);
  if (codes.length === 1) return new Array<FormatCode>(count).fill(codes[0] as FormatCode);
  if (codes.length !== count) throw protocolViolation(`bind message has ${codes.length} ${what} but ${expectation}`);
  return codes as FormatCode[];
}

function sameFormats(a: readonly FormatCode[], b: readonly FormatCode[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function columnWriters(columns: readonly ColumnDescription[], formats: readonly FormatCode[], timeZone: string): ValueWriter[] {
  return columns.map((column, index) => valueWriter(column.type, formats[index] ?? 0, timeZone, column.textOutput));
}

function decodeBindParameter(type: DataType, format: FormatCode, bytes: Buffer | null, index: number, timeZone: string): Value {
  try {
    return decodeParameter(type, format, bytes, timeZone);
  } catch (thrown) {
    if (!(thrown instanceof SqlError) || thrown.code !== SqlState.invalidBinaryRepresentation) throw thrown;
    throw new SqlError(thrown.code, `incorrect binary data format in bind parameter ${index + 1}`, { detail: thrown.message });
  }
}

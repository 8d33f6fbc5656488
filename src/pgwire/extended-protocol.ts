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
import { protocolViolation } from './message-reader.js';
import type { ColumnDescription, ParsedStatement, PreparedStatement, StatementOutcome } from './session.js';
import { sendNonRowOutcome, sendRows, untilAborted, type OutputContext } from './statement-runner.js';
import { decodeParameter, valueWriter, type FormatCode, type ValueWriter } from './value-codec.js';

interface StatementEntry {
  /** Null for an empty query string, which runs without the engine (EmptyQueryResponse). */
  readonly parsed: ParsedStatement | null;
  readonly prepared: PreparedStatement;
}

class Portal {
  outcome: StatementOutcome | null = null;
  /** Set once the portal has run to completion: the CommandComplete tag, or null for an empty query. */
  completion: { readonly tag: string | null } | null = null;

  constructor(
    readonly statement: StatementEntry,
    readonly parameters: readonly Value[],
    readonly resultFormats: readonly FormatCode[],
  ) {}

  async close(): Promise<void> {
    const outcome = this.outcome;
    this.outcome = null;
    if (outcome?.kind === 'rows') await outcome.cursor.close().catch(() => undefined);
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
    this.statements.set(name, { parsed, prepared });
    writeParseComplete(this.context.channel.out);
  }

  async bind(message: BindMessage): Promise<void> {
    const statement = this.statement(message.statement);
    if (message.portal === '') await this.closePortal('');
    else if (this.portals.has(message.portal)) throw new SqlError(SqlState.duplicateCursor, `portal "${message.portal}" already exists`);
    if (this.portals.size >= limits.portalsMax) throw tooMany('portals', limits.portalsMax);
    const parameters = this.decodeParameters(message, statement.prepared.parameterTypes);
    const columns = statement.prepared.columns ?? [];
    const resultFormats = expandFormats(message.resultFormats, columns.length, 'result formats', `query has ${columns.length} columns`);
    columnWriters(columns, resultFormats, this.timeZone());
    this.portals.set(message.portal, new Portal(statement, parameters, resultFormats));
    writeBindComplete(this.context.channel.out);
  }

  describeStatement(name: string): void {
    const { prepared } = this.statement(name);
    writeParameterDescription(this.context.channel.out, prepared.parameterTypes);
    this.writeRowShape(prepared.columns, []);
  }

  describePortal(name: string): void {
    const portal = this.portal(name);
    this.writeRowShape(portal.statement.prepared.columns, portal.resultFormats);
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

  async closePortal(name: string): Promise<void> {
    const portal = this.portals.get(name);
    if (portal === undefined) return;
    this.portals.delete(name);
    await portal.close();
  }

  /** Drops every portal (end of transaction, or the connection is gone). */
  async closeAllPortals(): Promise<void> {
    const portals = [...this.portals.values()];
    this.portals.clear();
    await Promise.all(portals.map((portal) => portal.close()));
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
    const writers = columnWriters(outcome.columns, portal.resultFormats, this.timeZone());
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
    const formats = expandFormats(message.parameterFormats, count, 'parameter formats', `${count} parameters`);
    const timeZone = this.timeZone();
    return message.parameters.map((bytes, index) => decodeBindParameter(types[index] ?? Types.unknown, formats[index] ?? 0, bytes, index, timeZone));
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

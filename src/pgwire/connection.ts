// The protocol state machine of one client connection: startup (SSL/GSS refusal, StartupMessage,
// session open), then the simple and extended query cycles until Terminate or the socket closes.
// Invariants: messages are handled one at a time in arrival order; each running statement has its
// own AbortController (cancel, shutdown and a lost socket abort it); an ERROR goes to the client and
// the connection lives on (extended mode then discards messages until Sync), a FATAL error is sent
// and the connection ends; the session is closed and every portal released exactly once.

import type { Socket } from 'node:net';
import { SqlError, SqlState, asSqlError } from '../common/errors.js';
import { limits } from '../common/limits.js';
import {
  refuseEncryptionByte, writeAuthenticationOk, writeBackendKeyData, writeCommandComplete, writeEmptyQueryResponse, writeErrorResponse,
  writeNegotiateProtocolVersion, writeParameterStatus, writeReadyForQuery, writeRowDescription,
} from './backend-encoder.js';
import { protocolVersion3, type FrontendMessage } from './frontend-decoder.js';
import { ExtendedProtocol } from './extended-protocol.js';
import { protocolViolation } from './message-reader.js';
import type { ParsedStatement, Session, SessionFactory } from './session.js';
import { SocketChannel } from './socket-channel.js';
import { parseStartupPacket } from './startup-options.js';
import {
  OutputContext, canceledByUser, connectionLost, sendNonRowOutcome, sendRows, statementError, untilAborted,
} from './statement-runner.js';
import { valueWriter } from './value-codec.js';

export interface BackendKey {
  readonly processId: number;
  readonly secretKey: number;
}

/** What a connection needs from its server. */
export interface ConnectionHooks {
  /** Called when a StartupMessage arrives; false refuses the connection (too many clients). */
  admit(): boolean;
  /** A CancelRequest arrived on this connection. */
  cancelRequest(processId: number, secretKey: number): void;
}

type StartupMessage = Extract<FrontendMessage, { type: 'startup' }>;

export class Connection {
  private readonly channel: SocketChannel;
  private running: AbortController | null = null;
  private spareController: AbortController | null = null;
  private extended: ExtendedProtocol | null = null;
  private ignoreTillSync = false;
  private readonly sentParameters = new Map<string, string>();
  private admittedFlag = false;
  private session: Session | null = null;
  /** Resolves once the connection has ended and its session is closed. */
  readonly finished: Promise<void>;

  constructor(socket: Socket, private readonly factory: SessionFactory, readonly key: BackendKey, private readonly hooks: ConnectionHooks) {
    this.channel = new SocketChannel(socket);
    this.channel.onClose(() => this.running?.abort(connectionLost()));
    this.finished = this.run();
  }

  /** True once the connection counts against connectionsMax. */
  get admitted(): boolean {
    return this.admittedFlag;
  }

  /** CancelRequest: aborts the running statement, if any. */
  cancelStatement(): void {
    this.running?.abort(canceledByUser());
  }

  /** Ends the connection with a FATAL error (server shutdown) and waits until it is gone. */
  async terminate(error: SqlError): Promise<void> {
    this.running?.abort(error);
    writeErrorResponse(this.channel.out, error, 'FATAL');
    await this.channel.end();
    await this.finished;
  }

  private async run(): Promise<void> {
    let session: Session | null = null;
    try {
      session = await this.startup();
      if (session !== null) await this.serve(session);
    } catch (thrown) {
      writeErrorResponse(this.channel.out, asSqlError(thrown), 'FATAL');
    } finally {
      await this.release(session);
    }
  }

  private async release(session: Session | null): Promise<void> {
    this.running?.abort(connectionLost());
    await this.extended?.closeAllPortals();
    await session?.close().catch(() => undefined);
    await this.channel.end().catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------
  // Startup

  private async startup(): Promise<Session | null> {
    const timer = setTimeout(() => this.channel.destroy(), limits.startupPhaseMsMax);
    try {
      for (;;) {
        const message = await this.channel.nextMessage();
        if (message === null) return null;
        if (message.type === 'startup') return await this.openSession(message);
        if (message.type === 'cancelRequest') {
          this.hooks.cancelRequest(message.processId, message.secretKey);
          return null;
        }
        if (message.type !== 'sslRequest' && message.type !== 'gssEncRequest') throw protocolViolation(`unexpected ${message.type} during startup`);
        this.channel.writeRaw(refuseEncryptionByte);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async openSession(message: StartupMessage): Promise<Session> {
    const startup = parseStartupPacket(message.protocolVersion, message.parameters);
    if (!this.hooks.admit()) throw new SqlError(SqlState.tooManyConnections, 'sorry, too many clients already', { severity: 'FATAL' });
    this.admittedFlag = true;
    const session = await this.factory.open(startup.info, this.key.processId);
    const out = this.channel.out;
    if (message.protocolVersion !== protocolVersion3 || startup.unrecognizedOptions.length > 0) {
      writeNegotiateProtocolVersion(out, 0, startup.unrecognizedOptions);
    }
    writeAuthenticationOk(out);
    this.sendParameterChanges(session);
    writeBackendKeyData(out, this.key.processId, this.key.secretKey);
    writeReadyForQuery(out, session.transactionStatus);
    await this.channel.flush();
    return session;
  }

  // -------------------------------------------------------------------------------------------
  // Message cycle

  private async serve(session: Session): Promise<void> {
    this.session = session;
    const context = new OutputContext(this.channel, session);
    const extended = new ExtendedProtocol(context, () => this.timeZone());
    this.extended = extended;
    for (;;) {
      // Messages already received are taken without a wait; steps that finish at once (Bind,
      // Describe, most Syncs) are not awaited: a promise per message costs more than the step.
      const message = this.channel.bufferedMessage() ?? await this.channel.nextMessage();
      if (message === null || message.type === 'terminate') return;
      if (this.ignoreTillSync && message.type !== 'sync') continue;
      const pending = this.dispatch(context, extended, message);
      if (pending !== undefined) await pending;
      if (!this.channel.isOpen) return;
    }
  }

  /** Handles one message; a promise only when the step has to wait. */
  private dispatch(context: OutputContext, extended: ExtendedProtocol, message: FrontendMessage): Promise<void> | undefined {
    switch (message.type) {
      case 'query': return this.simpleQuery(context, extended, message.text);
      case 'parse': return this.extendedStep(context, extended, () => extended.parse(message.name, message.text, message.parameterTypeOids));
      case 'bind': return this.extendedStep(context, extended, () => extended.bind(message));
      case 'describe':
        return this.extendedStep(context, extended, () => {
          if (message.target === 'S') extended.describeStatement(message.name);
          else extended.describePortal(message.name);
        });
      case 'execute':
        return this.extendedStep(context, extended, () => this.runStatement((signal) => extended.execute(message.portal, message.maxRows, signal)));
      case 'close': return this.extendedStep(context, extended, () => extended.close(message.target, message.name));
      case 'sync':
        this.ignoreTillSync = false;
        return this.endCycle(context, extended);
      case 'flush': return this.channel.flush();
      case 'copyData': case 'copyDone': case 'copyFail':
        return; // left over from a COPY that already failed; PostgreSQL ignores them too
      default:
        throw new SqlError(SqlState.protocolViolation, `unexpected message "${message.type}"`, { severity: 'FATAL' });
    }
  }

  /**
   * Runs one statement under an AbortController that cancel and shutdown can reach. A controller
   * is reused by later statements until something aborts it (creating one per statement costs
   * more than a small statement itself).
   */
  private async runStatement<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = this.spareController !== null && !this.spareController.signal.aborted
      ? this.spareController : new AbortController();
    this.spareController = controller;
    this.running = controller;
    try {
      return await body(controller.signal);
    } catch (thrown) {
      throw statementError(thrown, controller.signal);
    } finally {
      this.running = null;
    }
  }

  /** Runs one extended-protocol step; a failure is reported and the rest of the cycle discarded. */
  private extendedStep(context: OutputContext, extended: ExtendedProtocol, step: () => Promise<void> | void): Promise<void> | undefined {
    try {
      const pending = step();
      if (pending !== undefined) return pending.catch((thrown: unknown) => this.stepFailed(context, extended, thrown));
    } catch (thrown) {
      return this.stepFailed(context, extended, thrown);
    }
    return undefined;
  }

  private async stepFailed(context: OutputContext, extended: ExtendedProtocol, thrown: unknown): Promise<void> {
    this.reportError(context, thrown);
    this.ignoreTillSync = true;
    if (context.session.transactionStatus === 'E') await extended.closeAllPortals();
  }

  /** Sends a statement error as ErrorResponse; FATAL errors propagate and end the connection. */
  private reportError(context: OutputContext, thrown: unknown): void {
    const error = asSqlError(thrown);
    if (error.severity === 'FATAL') throw error;
    context.session.statementFailed(error);
    context.sendNotices();
    writeErrorResponse(this.channel.out, error);
  }

  /** Sync or the end of a simple query: commit point, parameter changes, ReadyForQuery. */
  private async endCycle(context: OutputContext, extended: ExtendedProtocol): Promise<void> {
    const session = context.session;
    try {
      const syncing = session.sync();
      if (syncing !== undefined) await syncing;
    } catch (thrown) {
      this.reportError(context, thrown);
    }
    context.sendNotices();
    if (session.transactionStatus !== 'T') {
      const closing = extended.closeAllPortals();
      if (closing !== undefined) await closing;
    }
    this.sendParameterChanges(session);
    writeReadyForQuery(this.channel.out, session.transactionStatus);
    const flushing = this.channel.flush();
    if (flushing !== undefined) await flushing;
  }

  // -------------------------------------------------------------------------------------------
  // Simple query

  private async simpleQuery(context: OutputContext, extended: ExtendedProtocol, text: string): Promise<void> {
    await extended.dropUnnamed();
    try {
      const statements = context.session.parse(text).filter((statement) => !statement.isEmpty);
      context.sendNotices();
      if (statements.length > limits.statementsPerQueryMax) {
        throw new SqlError(SqlState.programLimitExceeded, `too many statements in one query (at most ${limits.statementsPerQueryMax})`);
      }
      if (statements.length === 0) writeEmptyQueryResponse(this.channel.out);
      for (const statement of statements) await this.runStatement((signal) => this.runSimpleStatement(context, statement, signal));
    } catch (thrown) {
      this.reportError(context, thrown);
    }
    await this.endCycle(context, extended);
  }

  private async runSimpleStatement(context: OutputContext, statement: ParsedStatement, signal: AbortSignal): Promise<void> {
    const session = context.session;
    const prepared = await session.prepare(statement, []);
    context.sendNotices();
    const outcome = await untilAborted(session.execute(prepared, [], signal), signal);
    context.sendNotices();
    if (outcome.kind !== 'rows') {
      await sendNonRowOutcome(context, outcome, signal);
      return;
    }
    try {
      writeRowDescription(this.channel.out, outcome.columns, []);
      const writers = outcome.columns.map((column) => valueWriter(column.type, 0, this.timeZone(), column.textOutput));
      const result = await sendRows(context, outcome.cursor, writers, 0, signal);
      if (result.done) writeCommandComplete(this.channel.out, result.tag);
    } finally {
      await outcome.cursor.close().catch(() => undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Parameter status

  private sendParameterChanges(session: Session): void {
    for (const [name, value] of session.parameterStatus()) {
      if (this.sentParameters.get(name) === value) continue;
      this.sentParameters.set(name, value);
      writeParameterStatus(this.channel.out, name, value);
    }
  }

  /** The session's current time zone, for timestamptz text. */
  private timeZone(): string {
    return this.session?.parameterStatus().get('TimeZone') ?? 'UTC';
  }
}

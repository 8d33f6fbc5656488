// The port through which the wire layer talks to the engine. pgwire knows nothing of plans or
// storage: it hands statement text to a Session, gets back opaque statements and outcomes, and
// encodes the rows it is given. The engine implements this interface; the composition root wires
// the two together.

import type { SqlError } from '../common/errors.js';
import type { DataType, Value } from '../common/types.js';

export interface ColumnDescription {
  readonly name: string;
  readonly type: DataType;
  /** OID of the table the column comes from, or 0. */
  readonly tableOid: number;
  /** Attribute number of the column in that table, or 0. */
  readonly columnNumber: number;
  /**
   * Text output of a value when it depends on the server's state (regclass prints a relation's
   * name); absent for types whose text form the wire layer derives from the value alone.
   */
  readonly textOutput?: (value: Value) => string;
}

export interface Notice {
  readonly severity: 'WARNING' | 'NOTICE' | 'INFO' | 'DEBUG' | 'LOG';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

/** A statement parsed (syntax only) from query text. Opaque to pgwire. */
export interface ParsedStatement {
  /** The statement's own text, as it appears in the query string. */
  readonly text: string;
  /** True for an empty statement (the query string was only whitespace and comments). */
  readonly isEmpty: boolean;
}

/** A statement bound and type-checked, ready to execute with parameter values. */
export interface PreparedStatement {
  readonly parameterTypes: readonly DataType[];
  /** The row shape it returns, or null if it returns no rows (NoData). */
  readonly columns: readonly ColumnDescription[] | null;
}

/**
 * Pulls result rows. `next(max)` returns up to `max` rows; `done` means no more rows will come.
 * A continuous query's cursor waits for at least one row and returns the rows ready, with
 * `suspend` when no more are ready: an Execute with a row limit then ends with PortalSuspended.
 */
export interface RowCursor {
  /** Rows come from a finite read that never waits on new data (not a continuous query). */
  readonly bounded?: boolean;
  next(maxRows: number, signal: AbortSignal): Promise<{ rows: Value[][]; done: boolean; suspend?: boolean }>;
  /** CommandComplete tag once done, e.g. `SELECT 3`. Row count is the total the cursor returned. */
  commandTag(): string;
  close(): Promise<void>;
}

export type { CopyOptions } from '../common/copy-options.js';
import type { CopyOptions } from '../common/copy-options.js';

/**
 * Receives the rows of COPY ... FROM STDIN. The wire layer decodes the client's data in the
 * statement's format into rows of Values typed as `columns`, and hands them over in order.
 * Decoding errors are 22P02/22P04 with the line number; the sink is aborted and nothing is written.
 */
export interface CopyInSink {
  writeRows(rows: Value[][]): Promise<void>;
  /**
   * Optional: takes the rows of text and csv input as they are read, in input order, instead of
   * writeRows: a line of ASCII fields with no escape or quote to undo as the bytes of its fields
   * (field i, of column i of `columns`, is line[starts[i], ends[i]), NULL where nulls[i] is not 0;
   * read them at once, they are reused) if writeFields takes it, else as Values. Either may throw.
   */
  readonly fieldRows?: {
    writeFields(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean;
    writeValues(row: Value[]): void;
  };
  /** Called on CopyDone; returns the CommandComplete tag (`COPY n`). */
  finish(): Promise<string>;
  /** Called on CopyFail, a decoding error or a dropped connection: nothing written may become visible. */
  abort(reason: string): Promise<void>;
}

export type StatementOutcome =
  | { readonly kind: 'rows'; readonly columns: readonly ColumnDescription[]; readonly cursor: RowCursor }
  | { readonly kind: 'command'; readonly tag: string }
  /** `relationName`: the table COPY FROM writes, named in error contexts as PostgreSQL does (`COPY t, line 3`). */
  | { readonly kind: 'copyIn'; readonly columns: readonly ColumnDescription[]; readonly options: CopyOptions; readonly sink: CopyInSink; readonly relationName?: string }
  /** COPY ... TO STDOUT: the wire layer encodes the cursor's rows in the statement's format. */
  | { readonly kind: 'copyOut'; readonly columns: readonly ColumnDescription[]; readonly options: CopyOptions; readonly cursor: RowCursor }
  | { readonly kind: 'empty' };

export type TransactionStatus = 'I' | 'T' | 'E';

export interface StartupInfo {
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  /** Settings from the startup packet (including ones from `options=-c name=value`). */
  readonly settings: ReadonlyMap<string, string>;
}

export interface Session {
  /** Transaction status for the next ReadyForQuery. */
  readonly transactionStatus: TransactionStatus;
  /** ParameterStatus values to send after authentication and whenever one changes. */
  parameterStatus(): ReadonlyMap<string, string>;
  /** Parses query text into statements (syntax only). Throws SqlError 42601 with a position. */
  parse(text: string): ParsedStatement[];
  /** Binds one statement; `parameterTypeHints[i]` is the type the client declared for $i+1, if any. */
  prepare(statement: ParsedStatement, parameterTypeHints: readonly (DataType | null)[]): Promise<PreparedStatement>;
  /** Runs a prepared statement. Rows are pulled from the returned cursor; the signal aborts it. */
  execute(statement: PreparedStatement, parameters: readonly Value[], signal: AbortSignal): Promise<StatementOutcome>;
  /** Tells the session a statement failed, so an open transaction block becomes failed ('E'). */
  statementFailed(error: SqlError): void;
  /**
   * End of an extended-protocol message cycle (Sync): an implicit transaction commits here. A
   * promise only when there is something to wait for.
   */
  sync(): Promise<void> | undefined;
  /** Notices produced since the last call. */
  takeNotices(): Notice[];
  /** The connection is gone: roll back, release cursors. */
  close(): Promise<void>;
}

export interface SessionFactory {
  /** Opens a session for a startup packet; throws SqlError (e.g. 3D000) to refuse the connection. */
  open(startup: StartupInfo, processId: number): Promise<Session>;
}

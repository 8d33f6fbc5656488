// The one error type of Sluice. Every failure a client can see carries a SQLSTATE; the wire layer
// turns a SqlError into an ErrorResponse in exactly one place. Anything thrown that is not a
// SqlError is a bug and is reported as an internal error (XX000).

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface SqlErrorFields {
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character position in the statement text, as PostgreSQL reports it. */
  readonly position?: number;
  readonly severity?: Severity;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly constraint?: string;
  /** Where the error happened, as PostgreSQL's CONTEXT (e.g. `COPY t, line 3, column b: "x"`). */
  readonly context?: string;
}

export class SqlError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly position: number | undefined;
  readonly severity: Severity;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly constraint: string | undefined;
  readonly schema: string | undefined;
  readonly context: string | undefined;

  constructor(code: string, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.severity = fields.severity ?? 'ERROR';
    this.table = fields.table;
    this.column = fields.column;
    this.constraint = fields.constraint;
    this.schema = fields.schema;
    this.context = fields.context;
  }

  /** A copy of this error with a statement position attached (if it has none yet). */
  withPosition(position: number | undefined): SqlError {
    if (position === undefined || this.position !== undefined) return this;
    return new SqlError(this.code, this.message, { ...this.fieldsForCopy(), position });
  }

  /** A copy of this error with a CONTEXT line attached (if it has none yet). */
  withContext(context: string): SqlError {
    if (this.context !== undefined) return this;
    return new SqlError(this.code, this.message, { ...this.fieldsForCopy(), context });
  }

  private fieldsForCopy(): SqlErrorFields {
    return {
      detail: this.detail, hint: this.hint, severity: this.severity, table: this.table,
      column: this.column, constraint: this.constraint, schema: this.schema, context: this.context,
    };
  }
}

/** SQLSTATE codes used by Sluice, named as in PostgreSQL's errcodes.txt. */
export const SqlState = {
  successfulCompletion: '00000',
  warning: '01000',
  featureNotSupported: '0A000',
  invalidTransactionState: '25000',
  activeSqlTransaction: '25001',
  noActiveSqlTransaction: '25P01',
  inFailedSqlTransaction: '25P02',
  syntaxError: '42601',
  undefinedTable: '42P01',
  invalidName: '42602',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  indeterminateDatatype: '42P18',
  undefinedObject: '42704',
  undefinedSchema: '3F000',
  undefinedParameter: '42P02',
  duplicateTable: '42P07',
  duplicateColumn: '42701',
  duplicateSchema: '42P06',
  duplicateDatabase: '42P04',
  duplicateObject: '42710',
  ambiguousColumn: '42702',
  ambiguousFunction: '42725',
  ambiguousParameter: '42P08',
  datatypeMismatch: '42804',
  cannotCoerce: '42846',
  groupingError: '42803',
  windowingError: '42P20',
  invalidColumnReference: '42P10',
  invalidTableDefinition: '42P16',
  invalidColumnDefinition: '42611',
  invalidParameterValue: '22023',
  invalidTextRepresentation: '22P02',
  invalidBinaryRepresentation: '22P03',
  numericValueOutOfRange: '22003',
  stringDataRightTruncation: '22001',
  divisionByZero: '22012',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  invalidEscapeSequence: '22025',
  badCopyFileFormat: '22P04',
  characterNotInRepertoire: '22021',
  invalidRegularExpression: '2201B',
  nullValueNotAllowed: '22004',
  dataException: '22000',
  notNullViolation: '23502',
  uniqueViolation: '23505',
  cardinalityViolation: '21000',
  invalidCatalogName: '3D000',
  objectInUse: '55006',
  objectNotInPrerequisiteState: '55000',
  dependentObjectsStillExist: '2BP01',
  wrongObjectType: '42809',
  insufficientPrivilege: '42501',
  invalidPassword: '28P01',
  invalidAuthorizationSpecification: '28000',
  protocolViolation: '08P01',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  cantChangeRuntimeParam: '55P02',
  undefinedPreparedStatement: '26000',
  undefinedCursor: '34000',
  invalidCursorState: '24000',
  duplicateCursor: '42P03',
  duplicatePreparedStatement: '42P05',
  programLimitExceeded: '54000',
  tooManyConnections: '53300',
  outOfMemory: '53200',
  ioError: '58030',
  dataCorrupted: 'XX001',
  internalError: 'XX000',
} as const;

export function syntaxError(message: string, position?: number): SqlError {
  return new SqlError(SqlState.syntaxError, message, position === undefined ? {} : { position });
}

export function notSupported(what: string, hint?: string): SqlError {
  return new SqlError(SqlState.featureNotSupported, what, hint === undefined ? {} : { hint });
}

export function undefinedObject(code: string, message: string, position?: number): SqlError {
  return new SqlError(code, message, position === undefined ? {} : { position });
}

export function dataException(code: string, message: string, detail?: string): SqlError {
  return new SqlError(code, message, detail === undefined ? {} : { detail });
}

export function internalError(message: string): SqlError {
  return new SqlError(SqlState.internalError, `internal error (a bug in Sluice): ${message}`);
}

/** Any thrown value as a SqlError: SqlErrors pass through, everything else is an internal error. */
export function asSqlError(thrown: unknown): SqlError {
  if (thrown instanceof SqlError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return internalError(message);
}

/** Guards an invariant of Sluice's own code (never user input). */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw internalError(`assertion failed: ${message}`);
}

export function unreachable(value: never, what = 'value'): never {
  throw internalError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

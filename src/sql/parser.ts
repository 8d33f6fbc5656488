// The SQL front: PostgreSQL's own parser (libpg-query, compiled to WebAssembly) turns query text
// into statements. Syntax errors become SqlError 42601 with the 1-based character position psql
// uses to draw its caret. Parser node types stop at the binder.

import { loadModule, parseSync } from 'libpg-query';
import type { Node } from 'libpg-query';
import { SqlError, SqlState, syntaxError } from '../common/errors.js';
import { limits } from '../common/limits.js';

export type AstNode = Node;

export interface RawStatement {
  /** The whole query string the statement came from (AST locations are byte offsets into it). */
  readonly source: SourceText;
  /** This statement's own text. */
  readonly text: string;
  /** Character offsets of the statement in the query string. */
  readonly textStart: number;
  readonly textEnd: number;
  readonly ast: AstNode;
  /** What the extension front (extension-front.ts) took out of the text before parsing. */
  readonly extension?: StatementExtension;
}

/** An option of an extension statement: `name [= value]`. */
export interface ExtensionOption {
  readonly name: string;
  /** The value's text; null when the option was named without a value. */
  readonly value: string | null;
  /** 1-based character position of the option, for errors. */
  readonly position: number;
}

export interface StatementExtension {
  /** The statement's query was `SUBSCRIBE ...`, as a statement, a cursor's query or COPY's query. */
  readonly subscribe?: { readonly form: 'rows' | 'cursor' | 'copy'; readonly options: readonly ExtensionOption[] };
  /** `FETCH ... WITH (...)` options. */
  readonly fetchOptions?: readonly ExtensionOption[];
}

/** Query text with byte ↔ character position conversion (AST locations count bytes). */
export class SourceText {
  private bytes: Buffer | undefined;
  constructor(readonly text: string) {}

  private get utf8(): Buffer {
    this.bytes ??= Buffer.from(this.text, 'utf8');
    return this.bytes;
  }

  /** 1-based character position of a byte offset, as ErrorResponse's position field wants. */
  positionOfByte(byteOffset: number | undefined): number | undefined {
    if (byteOffset === undefined || byteOffset < 0) return undefined;
    if (this.utf8.length === this.text.length) return byteOffset + 1;
    return this.utf8.subarray(0, byteOffset).toString('utf8').length + 1;
  }

  /** Character offset of a byte offset. */
  charOffset(byteOffset: number): number {
    if (this.utf8.length === this.text.length) return byteOffset;
    return this.utf8.subarray(0, byteOffset).toString('utf8').length;
  }

  sliceBytes(start: number, end: number | undefined): string {
    if (this.utf8.length === this.text.length) return this.text.slice(start, end);
    return this.utf8.subarray(start, end).toString('utf8');
  }
}

let parserReady: Promise<void> | undefined;

/** Loads the parser's WebAssembly module; must complete before parseSql is called. */
export function initParser(): Promise<void> {
  parserReady ??= loadModule();
  return parserReady;
}

interface ParseOutput {
  stmts?: { stmt: AstNode; stmt_location?: number; stmt_len?: number }[];
}

interface ParserFailure {
  message: string;
  sqlDetails?: { cursorPosition?: number; message?: string };
}

/** Parses query text into statements. Empty text (or only comments) yields no statements. */
export function parseSql(text: string): RawStatement[] {
  if (text.trim() === '') return [];
  let output: ParseOutput;
  try {
    output = parseSync(text) as ParseOutput;
  } catch (thrown) {
    throw toSyntaxError(thrown as ParserFailure);
  }
  const source = new SourceText(text);
  const statements = output.stmts ?? [];
  if (statements.length > limits.statementsPerQueryMax) {
    throw new SqlError(SqlState.programLimitExceeded, `too many statements in one query (more than ${limits.statementsPerQueryMax})`);
  }
  return statements.map((entry) => {
    const start = entry.stmt_location ?? 0;
    const end = entry.stmt_len === undefined || entry.stmt_len === 0 ? undefined : start + entry.stmt_len;
    const textStart = source.charOffset(start);
    const textEnd = end === undefined ? text.length : source.charOffset(end);
    return { source, text: source.sliceBytes(start, end).trim(), textStart, textEnd, ast: entry.stmt };
  });
}

function toSyntaxError(failure: ParserFailure): SqlError {
  const message = failure.sqlDetails?.message ?? failure.message;
  const cursor = failure.sqlDetails?.cursorPosition;
  return syntaxError(message, cursor === undefined ? undefined : cursor + 1);
}

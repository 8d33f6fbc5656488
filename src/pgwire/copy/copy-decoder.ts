// COPY FROM STDIN data → rows of Values, in PostgreSQL's text, csv and binary formats. Fed the
// CopyData chunks as they come (split anywhere), it hands out rows in bounded batches; the caller
// alternates push() and takeRows() so no more than one chunk plus one unfinished row is buffered.
// Errors are PostgreSQL's, with its CONTEXT: `COPY, line 3, column b: "x"` for a bad value,
// `COPY, line 3: "1\t2\t3"` for a bad line, `COPY, line 3` where the line cannot be shown.
// Invariant: after an error or the end of data the decoder is spent (the caller aborts or finishes).

import { isAscii } from 'node:buffer';
import { SqlError, SqlState, asSqlError, assert } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import { bytesParserFor, type BytesParser } from '../../common/value-bytes.js';
import { parseText } from '../../common/value-text.js';
import type { ColumnDescription, CopyOptions } from '../session.js';
import { decodeParameter } from '../value-codec.js';
import { BinaryReader, BinaryTupleError } from './binary-reader.js';
import { ByteQueue } from './byte-queue.js';
import { FieldKind, LineFields, splitCsvFields, splitPlainFields, splitTextFields, type FieldSyntax } from './field-splitter.js';
import { LineError, LineReader } from './line-reader.js';
import { ShortTextCache } from './short-text-cache.js';
import { checkUtf8 } from '../utf8-check.js';

/** Longest value or line shown in an error's context (PostgreSQL's MAX_COPY_DATA_DISPLAY). */
const contextBytesMax = 100;

/**
 * Takes every row of a text or csv COPY as it is read, in input order (see CopyInSink.fieldRows):
 * a line of ASCII fields with nothing to undo, one per column, as the bytes of its fields (nulls[i]
 * is not 0 for NULL) if writeFields takes it, else as Values. Either may throw (the COPY fails).
 */
export interface FieldRowSink {
  writeFields(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean;
  writeValues(row: Value[]): void;
}

/** What nextRow returns for a line it handed to a FieldRowSink. */
const takenAsFields: Value[] = [];

export class CopyDecoder {
  private readonly queue = new ByteQueue();
  private readonly lines: LineReader | null;
  private readonly tuples: BinaryReader | null;
  private readonly fieldSyntax: FieldSyntax;
  private readonly fields = new LineFields();
  /** Per column: the fast path that parses a value straight from its bytes, if the type has one. */
  private readonly bytesParsers: readonly (BytesParser | undefined)[];
  /** Per column: the value is the field's text itself (text and unknown columns). */
  private readonly textIsValue: readonly boolean[];
  /** Per column: recent strings of short fields, for text columns. */
  private readonly textCaches: readonly (ShortTextCache | undefined)[];
  /** Every column is read from bytes (a fast parser or text): plain lines take plainLineValues. */
  private readonly plainLinesInOnePass: boolean;
  /** Input bytes of the row nextRow() returned last, for batch sizing. */
  private rowBytes = 0;
  private headerPending: boolean;
  private inputEnded = false;
  private done = false;

  /** `relationName`, when known, is shown in error contexts as PostgreSQL does (`COPY t, line 1`). */
  constructor(
    private readonly columns: readonly ColumnDescription[],
    private readonly options: CopyOptions,
    private readonly timeZone: string,
    private readonly relationName?: string,
  ) {
    const csv = options.format === 'csv';
    assert(singleByte(options.delimiter), 'COPY delimiter is a single one-byte character');
    assert(!csv || (singleByte(options.quote) && singleByte(options.escape)), 'COPY quote and escape are single one-byte characters');
    this.fieldSyntax = {
      delimiter: options.delimiter.charCodeAt(0),
      nullBytes: Buffer.from(options.nullString, 'utf8'),
      quote: csv ? options.quote.charCodeAt(0) : -1,
      escape: csv ? options.escape.charCodeAt(0) : -1,
    };
    if (options.format === 'binary') {
      this.lines = null;
      this.tuples = new BinaryReader(this.queue, columns.length);
    } else {
      this.lines = new LineReader(this.queue, { csv, quote: this.fieldSyntax.quote, escape: this.fieldSyntax.escape });
      this.tuples = null;
    }
    this.headerPending = options.header && options.format !== 'binary';
    this.bytesParsers = columns.map((column) => bytesParserFor(column.type));
    this.textIsValue = columns.map((column) => column.type.element === undefined && (column.type.name === 'text' || column.type.name === 'unknown'));
    this.textCaches = this.textIsValue.map((isText) => (isText ? new ShortTextCache() : undefined));
    this.plainLinesInOnePass = columns.length > 0 && columns.every((_, index) => this.bytesParsers[index] !== undefined || this.textCaches[index] !== undefined);
  }

  /** Queues one CopyData payload. Data after the end-of-copy marker is ignored, as PostgreSQL does. */
  push(chunk: Uint8Array): void {
    assert(!this.inputEnded, 'COPY data after CopyDone');
    if (this.lines?.atEnd === true) return;
    this.queue.push(chunk);
  }

  /** No more input will come (CopyDone): takeRows() now returns the last rows, then []. */
  end(): void {
    this.inputEnded = true;
  }

  /**
   * The next rows decoded from the input queued so far: at most rowsPerBatchMax rows and about
   * copyBatchBytesMax bytes of input. [] means more input is needed (or, after end(), all done).
   * With `fields`, the rows of text and csv input go to it as they are read instead (takeRows then
   * returns [] once it needs more input or, after end(), all is done).
   */
  takeRows(fields?: FieldRowSink): Value[][] {
    const rows: Value[][] = [];
    let bytes = 0;
    while (rows.length < limits.rowsPerBatchMax && bytes < limits.copyBatchBytesMax) {
      const row = this.nextRow(fields);
      if (row === null) break;
      if (row === takenAsFields) continue;
      rows.push(row);
      bytes += this.rowBytes;
    }
    return rows;
  }

  private nextRow(fields: FieldRowSink | undefined): Value[] | null {
    if (this.done) return null;
    try {
      return this.tuples !== null ? this.nextTuple(this.tuples) : this.nextLine(this.lines as LineReader, fields);
    } catch (thrown) {
      this.done = true;
      this.queue.clear();
      throw asSqlError(thrown);
    }
  }

  // -------------------------------------------------------------------------------------------
  // text and csv

  private nextLine(lines: LineReader, fields: FieldRowSink | undefined): Value[] | null {
    for (;;) {
      let result;
      try {
        result = lines.next(this.inputEnded);
      } catch (thrown) {
        throw thrown instanceof LineError ? thrown.withContext(this.where(lines.lineNumber)) : thrown;
      }
      if (result === 'more') return null;
      if (result === 'end') {
        this.done = this.inputEnded;
        return null;
      }
      if (this.headerPending) {
        this.headerPending = false;
        continue;
      }
      const { bytes, start, end, plainAscii, unmarked } = lines.line;
      this.rowBytes = end - start + 1;
      if (fields === undefined) return this.lineValues(bytes, start, end, plainAscii, unmarked, lines.lineNumber);
      if (!this.lineAsFields(fields, bytes, start, end, plainAscii, unmarked)) {
        fields.writeValues(this.lineValues(bytes, start, end, plainAscii, unmarked, lines.lineNumber));
      }
      return takenAsFields;
    }
  }

  /**
   * Hands a line of ASCII fields with nothing to undo (escapes, csv quotes other than one plain
   * enclosing pair), one per column, to `sink`; false if it is not such a line or the sink leaves it.
   */
  private lineAsFields(sink: FieldRowSink, line: Buffer, start: number, end: number, plainAscii: boolean, unmarked: boolean): boolean {
    const fields = this.fields;
    const columnCount = this.columns.length;
    if (columnCount === 0 || (!plainAscii && !isAscii(line.subarray(start, end)))) return false;
    this.splitFields(line, start, end, unmarked);
    if (fields.count !== columnCount) return false;
    if (!unmarked) for (let index = 0; index < columnCount; index++) if (fields.kinds[index] === FieldKind.rebuilt) return false;
    return sink.writeFields(line, fields.starts, fields.ends, fields.kinds);
  }

  /** `unmarked`: the line holds no byte its splitter needs to look at but the delimiter (no backslash, no csv quote). */
  private lineValues(line: Buffer, start: number, end: number, plainAscii: boolean, unmarked: boolean, lineNumber: number): Value[] {
    if (unmarked && plainAscii && this.plainLinesInOnePass) {
      const values = this.plainLineValues(line, start, end);
      if (values !== null) return values;
    }
    if (!plainAscii) {
      try {
        checkUtf8(line, start, end);
      } catch (thrown) {
        throw asSqlError(thrown).withContext(this.where(lineNumber));
      }
    }
    const lineContext = (): string => this.whereLine(lineNumber, line.toString('utf8', start, end));
    try {
      this.splitFields(line, start, end, unmarked);
    } catch (thrown) {
      throw asSqlError(thrown).withContext(lineContext());
    }
    const columns = this.columns;
    const fields = this.fields;
    const fieldCount = fields.count;
    if (fieldCount > columns.length) throw copyFormatError('extra data after last expected column').withContext(lineContext());
    const values: Value[] = new Array<Value>(columns.length);
    for (let index = 0; index < columns.length; index++) {
      if (index >= fieldCount) {
        throw copyFormatError(`missing data for column "${(columns[index] as ColumnDescription).name}"`).withContext(lineContext());
      }
      const kind = fields.kinds[index];
      if (kind === FieldKind.null) {
        values[index] = null;
      } else if (kind === FieldKind.bytes) {
        values[index] = this.fieldValue(index, line, fields.starts[index] as number, fields.ends[index] as number, plainAscii, lineNumber);
      } else {
        values[index] = this.parseField(columns[index] as ColumnDescription, fields.rebuilt[index] ?? '', lineNumber);
      }
    }
    return values;
  }

  /**
   * The values of a plain line (no byte but the delimiter to look at, plain ASCII) read in one pass:
   * each field parsed as soon as its end is found. Null when the line is not one this path takes as
   * it is (fields other than one per column, or a value its fast parser leaves to parseText): the
   * general path then decodes it, with its errors in its order. Whenever this path returns values,
   * they are the general path's.
   */
  private plainLineValues(line: Buffer, start: number, end: number): Value[] | null {
    const columnCount = this.columns.length;
    const { delimiter, nullBytes } = this.fieldSyntax;
    const values: Value[] = new Array<Value>(columnCount);
    let at = start;
    for (let index = 0; index < columnCount; index++) {
      const fieldStart = at;
      while (at < end && line[at] !== delimiter) at++;
      // Missing data before the last column, or extra data after it.
      if ((at === end) !== (index === columnCount - 1)) return null;
      if (at - fieldStart === nullBytes.length && isNullField(line, fieldStart, nullBytes)) {
        values[index] = null;
      } else {
        const parser = this.bytesParsers[index];
        if (parser === undefined) {
          values[index] = (this.textCaches[index] as ShortTextCache).text(line, fieldStart, at);
        } else {
          const value = parser(line, fieldStart, at);
          if (value === undefined) return null;
          values[index] = value;
        }
      }
      at++;
    }
    return values;
  }

  /** The value of column `index` written as line[start, end): from the bytes if it can, else through its text. */
  private fieldValue(index: number, line: Buffer, start: number, end: number, plainAscii: boolean, lineNumber: number): Value {
    const parser = this.bytesParsers[index];
    if (parser !== undefined) {
      const value = parser(line, start, end);
      if (value !== undefined) return value;
    }
    const cache = this.textCaches[index];
    if (plainAscii && cache !== undefined) return cache.text(line, start, end);
    const text = line.toString('utf8', start, end);
    if (this.textIsValue[index] === true) return text;
    return this.parseField(this.columns[index] as ColumnDescription, text, lineNumber);
  }

  private splitFields(line: Buffer, start: number, end: number, unmarked: boolean): void {
    if (this.columns.length === 0 && end === start) this.fields.reset();
    else if (unmarked) splitPlainFields(line, start, end, this.fieldSyntax, this.fields, this.columns.length);
    else if (this.options.format === 'csv') splitCsvFields(line, start, end, this.fieldSyntax, this.fields);
    else splitTextFields(line, start, end, this.fieldSyntax, this.fields);
  }

  private parseField(column: ColumnDescription, text: string, lineNumber: number): Value {
    try {
      return parseText(column.type, text, this.timeZone);
    } catch (thrown) {
      throw asSqlError(thrown).withContext(`${this.where(lineNumber)}, column ${column.name}: "${clip(text)}"`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // binary

  private nextTuple(tuples: BinaryReader): Value[] | null {
    let step;
    try {
      step = tuples.next(this.inputEnded);
    } catch (thrown) {
      if (!(thrown instanceof BinaryTupleError)) throw thrown;
      const column = thrown.field === undefined ? undefined : this.columns[thrown.field];
      const where = this.where(tuples.tupleNumber);
      throw thrown.withContext(column === undefined ? where : `${where}, column ${column.name}`);
    }
    if (step.kind === 'more') return null;
    if (step.kind === 'end') {
      this.done = this.inputEnded;
      return null;
    }
    this.rowBytes = step.bytes;
    return step.fields.map((bytes, index) => this.decodeBinaryField(index, bytes, tuples.tupleNumber));
  }

  private decodeBinaryField(index: number, bytes: Buffer | null, tupleNumber: number): Value {
    const column = this.columns[index] as ColumnDescription;
    try {
      return decodeParameter(column.type, 1, bytes, this.timeZone);
    } catch (thrown) {
      throw asSqlError(thrown).withContext(`${this.where(tupleNumber)}, column ${column.name}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // context

  private where(lineNumber: number): string {
    return this.relationName === undefined ? `COPY, line ${lineNumber}` : `COPY ${this.relationName}, line ${lineNumber}`;
  }

  private whereLine(lineNumber: number, line: string): string {
    return `${this.where(lineNumber)}: "${clip(line)}"`;
  }
}

/** Whether line[start, start + nullBytes.length) is the null string. */
function isNullField(line: Buffer, start: number, nullBytes: Buffer): boolean {
  for (let index = 0; index < nullBytes.length; index++) {
    if (line[start + index] !== nullBytes[index]) return false;
  }
  return true;
}

function singleByte(text: string): boolean {
  return text.length === 1 && text.charCodeAt(0) < 0x80;
}

function copyFormatError(message: string): SqlError {
  return new SqlError(SqlState.badCopyFileFormat, message);
}

/** At most contextBytesMax bytes of `text` (cut at a character boundary), then `...` if cut. */
function clip(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= contextBytesMax) return text;
  let end = contextBytesMax;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return `${bytes.toString('utf8', 0, end)}...`;
}

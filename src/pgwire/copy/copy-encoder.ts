// Rows → COPY TO STDOUT data in PostgreSQL's text, csv and binary formats, written as CopyData
// messages the way PostgreSQL 15 sends them: one message per row, the header line (HEADER) in a
// message of its own, the binary signature in front of the first row and the binary trailer last.
// Some clients (psycopg) read exactly one row per CopyData, so rows are never merged.
// Text escapes backslash, the delimiter and \b \f \n \r \t \v; csv quotes a field only when it holds
// the delimiter, the quote, CR or LF, equals the null string, or is `\.` alone on the line.

import { assert } from '../../common/errors.js';
import type { Value } from '../../common/types.js';
import { formatText } from '../../common/value-text.js';
import type { MessageWriter } from '../message-writer.js';
import type { ColumnDescription, CopyOptions } from '../session.js';
import { valueWriter, type NonNullValue, type ValueWriter } from '../value-codec.js';
import { binarySignature } from './binary-reader.js';

const textEscapes: Readonly<Record<string, string>> = {
  '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\',
};

export class CopyEncoder {
  private readonly binaryWriters: ValueWriter[] | null;
  /** Characters that make a text field need escaping / a csv field need quotes. */
  private readonly special: RegExp;
  private binaryHeaderPending: boolean;

  /** Throws 0A000 when a column's type has no binary form (before anything is sent). */
  constructor(private readonly columns: readonly ColumnDescription[], private readonly options: CopyOptions, private readonly timeZone: string) {
    assert(options.delimiter.length === 1, 'COPY delimiter is a single character');
    const delimiter = escapeForClass(options.delimiter);
    if (options.format === 'binary') {
      this.binaryWriters = columns.map((column) => valueWriter(column.type, 1));
      this.special = /$^/;
    } else if (options.format === 'csv') {
      this.binaryWriters = null;
      this.special = new RegExp(`[${delimiter}${escapeForClass(options.quote)}\\r\\n]`);
    } else {
      this.binaryWriters = null;
      this.special = new RegExp(`[\\x00-\\x1f\\\\${delimiter}]`);
    }
    this.binaryHeaderPending = options.format === 'binary';
  }

  /** The start of the data: the header line (HEADER, text or csv) as its own CopyData. */
  writeStart(out: MessageWriter): void {
    if (!this.options.header || this.options.format === 'binary') return;
    out.begin('d');
    this.columns.forEach((column, index) => {
      if (index > 0) out.string(this.options.delimiter);
      out.string(this.options.format === 'csv' ? this.csvField(column.name) : this.textField(column.name));
    });
    out.byte(0x0a).end();
  }

  /** One CopyData per row. */
  writeRows(out: MessageWriter, rows: readonly Value[][]): void {
    if (this.binaryWriters !== null) {
      for (const row of rows) this.writeBinaryRow(out, row, this.binaryWriters);
      return;
    }
    const csv = this.options.format === 'csv';
    const { delimiter, nullString } = this.options;
    const columns = this.columns;
    for (const row of rows) {
      out.begin('d');
      for (let index = 0; index < columns.length; index++) {
        if (index > 0) out.string(delimiter);
        const value = row[index] ?? null;
        if (value === null) {
          out.string(nullString);
          continue;
        }
        const text = formatText((columns[index] as ColumnDescription).type, value, this.timeZone);
        out.string(csv ? this.csvField(text) : this.textField(text));
      }
      out.byte(0x0a).end();
    }
  }

  /** The end of the data: the binary trailer (with the signature if no row was sent). */
  writeEnd(out: MessageWriter): void {
    if (this.options.format !== 'binary') return;
    out.begin('d');
    this.writeBinaryHeaderOnce(out);
    out.int16(-1).end();
  }

  private writeBinaryRow(out: MessageWriter, row: readonly Value[], writers: readonly ValueWriter[]): void {
    out.begin('d');
    this.writeBinaryHeaderOnce(out);
    out.int16(writers.length);
    writers.forEach((writer, index) => {
      const value = row[index] ?? null;
      if (value === null) out.int32(-1);
      else writer(out, value as NonNullValue);
    });
    out.end();
  }

  private writeBinaryHeaderOnce(out: MessageWriter): void {
    if (!this.binaryHeaderPending) return;
    this.binaryHeaderPending = false;
    out.bytes(binarySignature).int32(0).int32(0);
  }

  /** PostgreSQL's CopyAttributeOutText: C-style escapes for \b \f \n \r \t \v, a backslash before `\` and the delimiter. */
  private textField(text: string): string {
    if (!this.special.test(text)) return text;
    const delimiter = this.options.delimiter;
    let result = '';
    for (const char of text) {
      const escaped = textEscapes[char];
      if (escaped !== undefined) result += escaped;
      else if (char === delimiter) result += `\\${char}`;
      else result += char;
    }
    return result;
  }

  /** PostgreSQL's CopyAttributeOutCSV: quoted only when needed; quote and escape characters escaped inside. */
  private csvField(text: string): string {
    const { quote, escape, nullString } = this.options;
    const needsQuotes = this.special.test(text) || text === nullString || (this.columns.length === 1 && text === '\\.');
    if (!needsQuotes) return text;
    let result = quote;
    for (const char of text) {
      if (char === quote || char === escape) result += escape;
      result += char;
    }
    return result + quote;
  }
}

function escapeForClass(char: string): string {
  return char.replace(/[\\\]^-]/g, (special) => `\\${special}`);
}

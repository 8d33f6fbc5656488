// Splits one COPY FROM line into its fields, as PostgreSQL 15's CopyReadAttributesText and
// CopyReadAttributesCSV do. A field is null when its raw bytes (before any escape is undone) equal
// the null string, and in csv only if no quote was seen. Lines arrive already checked as UTF-8, so
// only fields rebuilt from octal or hex escapes are checked again.

import { SqlError, SqlState } from '../../common/errors.js';
import { checkUtf8 } from '../utf8-check.js';

const backslash = 0x5c;

/** Raw bytes of the delimiter, null string, quote and escape (each a single byte except null). */
export interface FieldSyntax {
  readonly delimiter: number;
  readonly nullBytes: Buffer;
  readonly quote: number;
  readonly escape: number;
}

export type Field = string | null;

function isNull(line: Buffer, start: number, end: number, nullBytes: Buffer): boolean {
  return end - start === nullBytes.length && line.compare(nullBytes, 0, nullBytes.length, start, end) === 0;
}

// ---------------------------------------------------------------------------------------------
// text

/** The fields of line[lineStart, lineEnd). */
export function splitTextFields(line: Buffer, lineStart: number, lineEnd: number, syntax: FieldSyntax): Field[] {
  const fields: Field[] = [];
  let at = lineStart;
  for (;;) {
    const start = at;
    let escaped = false;
    let foundDelimiter = false;
    while (at < lineEnd) {
      const byte = line[at] as number;
      if (byte === syntax.delimiter) {
        foundDelimiter = true;
        break;
      }
      if (byte === backslash) {
        escaped = true;
        at++;
      }
      at++;
    }
    const end = Math.min(at, lineEnd);
    if (isNull(line, start, end, syntax.nullBytes)) fields.push(null);
    else fields.push(escaped ? unescapeText(line, start, end) : line.toString('utf8', start, end));
    if (!foundDelimiter) return fields;
    at++;
  }
}

const simpleEscapes: Readonly<Record<number, number>> = {
  0x62: 0x08, // \b
  0x66: 0x0c, // \f
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x74: 0x09, // \t
  0x76: 0x0b, // \v
};

/** Undoes text-format escapes in line[start, end): \b \f \n \r \t \v, \ooo octal, \xHH hex, \c = c. */
function unescapeText(line: Buffer, start: number, end: number): string {
  const out = Buffer.allocUnsafe(end - start);
  let length = 0;
  let rebuiltBytes = false;
  let at = start;
  while (at < end) {
    let byte = line[at++] as number;
    if (byte === backslash) {
      if (at >= end) break;
      byte = line[at++] as number;
      if (isOctalDigit(byte)) {
        let value = byte - 0x30;
        for (let digits = 1; digits < 3 && at < end && isOctalDigit(line[at] as number); digits++) value = value * 8 + (line[at++] as number) - 0x30;
        byte = value & 0xff;
        rebuiltBytes ||= byte === 0 || byte >= 0x80;
      } else if (byte === 0x78 && at < end && hexValue(line[at] as number) >= 0) {
        let value = hexValue(line[at++] as number);
        if (at < end && hexValue(line[at] as number) >= 0) value = value * 16 + hexValue(line[at++] as number);
        byte = value;
        rebuiltBytes ||= byte === 0 || byte >= 0x80;
      } else {
        byte = simpleEscapes[byte] ?? byte;
      }
    }
    out[length++] = byte;
  }
  const bytes = out.subarray(0, length);
  if (rebuiltBytes) checkUtf8(bytes);
  return bytes.toString('utf8');
}

function isOctalDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x37;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// csv

/** The fields of line[lineStart, lineEnd). */
export function splitCsvFields(line: Buffer, lineStart: number, lineEnd: number, syntax: FieldSyntax): Field[] {
  const fields: Field[] = [];
  let at = lineStart;
  for (;;) {
    const field = readCsvField(line, at, lineEnd, syntax);
    if (!field.quoted && isNull(line, at, field.rawEnd, syntax.nullBytes)) fields.push(null);
    else fields.push(field.text);
    if (field.next < 0) return fields;
    at = field.next;
  }
}

/** One csv field from `start`: its text, where its raw bytes end, and where the next field starts (-1 at line end). */
function readCsvField(line: Buffer, start: number, lineEnd: number, syntax: FieldSyntax): { text: string; quoted: boolean; rawEnd: number; next: number } {
  const { delimiter, quote, escape } = syntax;
  let at = start;
  while (at < lineEnd && line[at] !== delimiter && line[at] !== quote) at++;
  if (at >= lineEnd || line[at] === delimiter) {
    const next = at < lineEnd ? at + 1 : -1;
    return { text: line.toString('utf8', start, at), quoted: false, rawEnd: at, next };
  }
  if (at === start) {
    // Common case: the whole field is one quoted run with nothing to undo inside.
    let closing = start + 1;
    while (closing < lineEnd && line[closing] !== quote && line[closing] !== escape) closing++;
    if (closing < lineEnd && line[closing] === quote && (closing + 1 === lineEnd || line[closing + 1] === delimiter)) {
      const next = closing + 1 < lineEnd ? closing + 2 : -1;
      return { text: line.toString('utf8', start + 1, closing), quoted: true, rawEnd: closing + 1, next };
    }
  }
  const out = Buffer.allocUnsafe(lineEnd - start);
  let length = line.copy(out, 0, start, at);
  let inQuote = false;
  for (;;) {
    if (!inQuote) {
      if (at >= lineEnd) return { text: out.toString('utf8', 0, length), quoted: true, rawEnd: at, next: -1 };
      const byte = line[at++] as number;
      if (byte === delimiter) return { text: out.toString('utf8', 0, length), quoted: true, rawEnd: at - 1, next: at };
      if (byte === quote) inQuote = true;
      else out[length++] = byte;
      continue;
    }
    if (at >= lineEnd) throw new SqlError(SqlState.badCopyFileFormat, 'unterminated CSV quoted field');
    const byte = line[at++] as number;
    if (byte === escape && at < lineEnd && (line[at] === escape || line[at] === quote)) {
      out[length++] = line[at++] as number;
      continue;
    }
    if (byte === quote) inQuote = false;
    else out[length++] = byte;
  }
}

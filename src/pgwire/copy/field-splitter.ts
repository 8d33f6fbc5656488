// Splits one COPY FROM line into its fields, as PostgreSQL 15's CopyReadAttributesText and
// CopyReadAttributesCSV do. A field is null when its raw bytes (before any escape is undone) equal
// the null string, and in csv only if no quote was seen. Fields are recorded as byte ranges of the
// line, so a value can be parsed straight from its bytes; only a field with escapes to undo (or csv
// quotes other than one plain enclosing pair) is rebuilt, as a string. Lines arrive already checked
// as UTF-8, so only fields rebuilt from octal or hex escapes are checked again.

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

/** How field i of a line is held: as bytes of the line, as NULL, or rebuilt as a string. */
export const FieldKind = { bytes: 0, null: 1, rebuilt: 2 } as const;

/**
 * The fields of the last line split, reused from line to line. Field i is line[starts[i], ends[i])
 * when its kind is bytes, the string rebuilt[i] when rebuilt. The arrays grow with the widest line.
 */
export class LineFields {
  count = 0;
  starts = new Int32Array(16);
  ends = new Int32Array(16);
  kinds = new Uint8Array(16);
  readonly rebuilt: (string | undefined)[] = [];

  reset(): void {
    this.count = 0;
  }

  add(kind: number, start: number, end: number, rebuilt?: string): void {
    if (this.count === this.starts.length) this.grow();
    const index = this.count++;
    this.kinds[index] = kind;
    this.starts[index] = start;
    this.ends[index] = end;
    if (kind === FieldKind.rebuilt) this.rebuilt[index] = rebuilt;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const kinds = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    kinds.set(this.kinds);
    this.starts = starts;
    this.ends = ends;
    this.kinds = kinds;
  }
}

function isNull(line: Buffer, start: number, end: number, nullBytes: Buffer): boolean {
  if (end - start !== nullBytes.length) return false;
  for (let index = 0; index < nullBytes.length; index++) {
    if (line[start + index] !== nullBytes[index]) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// plain lines

/**
 * Splits line[lineStart, lineEnd) into `fields` when the line holds no backslash and, in csv, no
 * quote or escape: then both formats split at each delimiter and undo nothing. The first
 * `expectedFields - 1` delimiters are searched for natively; as such a search may run past the
 * line's end (to the next delimiter of the chunk), the rest of the line is scanned byte by byte.
 */
export function splitPlainFields(line: Buffer, lineStart: number, lineEnd: number, syntax: FieldSyntax, fields: LineFields, expectedFields: number): void {
  fields.reset();
  const { delimiter, nullBytes } = syntax;
  let start = lineStart;
  for (;;) {
    let end: number;
    if (fields.count < expectedFields - 1) {
      end = line.indexOf(delimiter, start);
      if (end < 0 || end > lineEnd) end = lineEnd;
    } else {
      end = start;
      while (end < lineEnd && line[end] !== delimiter) end++;
    }
    fields.add(isNull(line, start, end, nullBytes) ? FieldKind.null : FieldKind.bytes, start, end);
    if (end === lineEnd) return;
    start = end + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// text

/** Splits line[lineStart, lineEnd) into `fields`. */
export function splitTextFields(line: Buffer, lineStart: number, lineEnd: number, syntax: FieldSyntax, fields: LineFields): void {
  fields.reset();
  const delimiter = syntax.delimiter;
  let at = lineStart;
  for (;;) {
    const start = at;
    let escaped = false;
    let foundDelimiter = false;
    while (at < lineEnd) {
      const byte = line[at] as number;
      if (byte === delimiter) {
        foundDelimiter = true;
        break;
      }
      if (byte === backslash) {
        escaped = true;
        at++;
      }
      at++;
    }
    const end = at < lineEnd ? at : lineEnd;
    if (isNull(line, start, end, syntax.nullBytes)) fields.add(FieldKind.null, start, end);
    else if (escaped) fields.add(FieldKind.rebuilt, start, end, unescapeText(line, start, end));
    else fields.add(FieldKind.bytes, start, end);
    if (!foundDelimiter) return;
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

/** Splits line[lineStart, lineEnd) into `fields`. */
export function splitCsvFields(line: Buffer, lineStart: number, lineEnd: number, syntax: FieldSyntax, fields: LineFields): void {
  fields.reset();
  let at = lineStart;
  for (;;) {
    at = readCsvField(line, at, lineEnd, syntax, fields);
    if (at < 0) return;
  }
}

/** Adds the csv field starting at `start` to `fields`; returns where the next field starts (-1 at line end). */
function readCsvField(line: Buffer, start: number, lineEnd: number, syntax: FieldSyntax, fields: LineFields): number {
  const { delimiter, quote, escape } = syntax;
  let at = start;
  while (at < lineEnd) {
    const byte = line[at] as number;
    if (byte === delimiter || byte === quote) break;
    at++;
  }
  if (at >= lineEnd || line[at] === delimiter) {
    fields.add(isNull(line, start, at, syntax.nullBytes) ? FieldKind.null : FieldKind.bytes, start, at);
    return at < lineEnd ? at + 1 : -1;
  }
  if (at === start) {
    // Common case: the whole field is one quoted run with nothing to undo inside.
    let closing = start + 1;
    while (closing < lineEnd) {
      const byte = line[closing] as number;
      if (byte === quote || byte === escape) break;
      closing++;
    }
    if (closing < lineEnd && line[closing] === quote && (closing + 1 === lineEnd || line[closing + 1] === delimiter)) {
      fields.add(FieldKind.bytes, start + 1, closing);
      return closing + 1 < lineEnd ? closing + 2 : -1;
    }
  }
  const out = Buffer.allocUnsafe(lineEnd - start);
  let length = line.copy(out, 0, start, at);
  let inQuote = false;
  for (;;) {
    if (!inQuote) {
      if (at >= lineEnd) {
        fields.add(FieldKind.rebuilt, start, at, out.toString('utf8', 0, length));
        return -1;
      }
      const byte = line[at++] as number;
      if (byte === delimiter) {
        fields.add(FieldKind.rebuilt, start, at - 1, out.toString('utf8', 0, length));
        return at;
      }
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

// UTF-8 validation of client input (COPY data, Bind parameters) with PostgreSQL's error: 22021
// `invalid byte sequence for encoding "UTF8": 0xc3 0x62`, naming the bytes of the first bad
// character as pg_verify_mbstr does (as many as its lead byte announces, or what is left). NUL is
// invalid too.

import { isUtf8 } from 'node:buffer';
import { SqlError, SqlState } from '../common/errors.js';

/** Lines up to this long are checked byte by byte for plain ASCII first (cheaper than a native call). */
const asciiScanBytesMax = 256;

/** Throws 22021 unless bytes[start, end) is valid UTF-8 without NUL bytes. */
export function checkUtf8(buffer: Buffer, start = 0, end = buffer.length): void {
  if (end - start <= asciiScanBytesMax && isPlainAscii(buffer, start, end)) return;
  const bytes = start === 0 && end === buffer.length ? buffer : buffer.subarray(start, end);
  if (bytes.indexOf(0) < 0 && isUtf8(bytes)) return;
  const at = firstInvalid(bytes);
  const shown = bytes.subarray(at, Math.min(bytes.length, at + sequenceLength(bytes[at] ?? 0)));
  const hex = [...shown].map((byte) => `0x${byte.toString(16).padStart(2, '0')}`).join(' ');
  throw new SqlError(SqlState.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8": ${hex}`);
}

function isPlainAscii(bytes: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    const byte = bytes[at] as number;
    if (byte === 0 || byte >= 0x80) return false;
  }
  return true;
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) === 0xc0) return 2;
  if ((lead & 0xf0) === 0xe0) return 3;
  if ((lead & 0xf8) === 0xf0) return 4;
  return 1;
}

/** Offset of the first byte that does not start a valid character. */
function firstInvalid(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at] as number;
    if (lead === 0) return at;
    const length = sequenceLength(lead);
    if (lead >= 0x80 && (length === 1 || !isUtf8(bytes.subarray(at, at + length)))) return at;
    if (at + length > bytes.length) return at;
    at += length;
  }
  return at;
}

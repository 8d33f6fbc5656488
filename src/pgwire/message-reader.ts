// Bounds-checked reads from the body of one frontend message. Every read that would run past the
// message's end, and a string without its NUL, is a protocol violation (08P01): the body does not
// match the length the client declared. Strings are UTF-8.

import { SqlError, SqlState } from '../common/errors.js';

export function protocolViolation(message: string): SqlError {
  return new SqlError(SqlState.protocolViolation, message);
}

/** Strings up to this many bytes are decoded in JavaScript when they are ASCII (cheaper than a native call). */
const shortStringBytes = 16;

/** Reads body[start, end) (a window on a larger buffer is read in place: no view is made for it). */
export class MessageReader {
  private offset: number;
  private readonly end: number;

  constructor(private readonly body: Buffer, private readonly what: string, start = 0, end = body.length) {
    this.offset = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  byte(): number {
    this.need(1);
    return this.body[this.offset++] as number;
  }

  int16(): number {
    this.need(2);
    const value = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  /** An Int16 count (the protocol sends counts as 16-bit values read unsigned). */
  count16(): number {
    this.need(2);
    const value = this.body.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    this.need(4);
    const value = this.body.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  cstring(): string {
    const body = this.body;
    const start = this.offset;
    // Short ASCII strings (statement and portal names, most often empty) are read here.
    const scanEnd = Math.min(this.end, start + shortStringBytes);
    let text = '';
    for (let at = start; at < scanEnd; at++) {
      const code = body[at] as number;
      if (code === 0) {
        this.offset = at + 1;
        return text;
      }
      if (code >= 0x80) break;
      text += String.fromCharCode(code);
    }
    const end = body.indexOf(0, start);
    if (end < 0 || end >= this.end) throw protocolViolation(`invalid ${this.what} message format: string is not terminated`);
    const value = body.toString('utf8', start, end);
    this.offset = end + 1;
    return value;
  }

  bytes(length: number): Buffer {
    this.need(length);
    const value = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** The whole body must have been read. */
  finish(): void {
    if (this.offset !== this.end) throw protocolViolation(`invalid ${this.what} message format: ${this.remaining} bytes left over`);
  }

  private need(length: number): void {
    if (length < 0 || this.offset + length > this.end) {
      throw protocolViolation(`invalid ${this.what} message format: insufficient data left in message`);
    }
  }
}

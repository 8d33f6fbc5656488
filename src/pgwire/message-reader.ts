// Bounds-checked reads from the body of one frontend message. Every read that would run past the
// message's end, and a string without its NUL, is a protocol violation (08P01): the body does not
// match the length the client declared. Strings are UTF-8.

import { SqlError, SqlState } from '../common/errors.js';

export function protocolViolation(message: string): SqlError {
  return new SqlError(SqlState.protocolViolation, message);
}

export class MessageReader {
  private offset = 0;

  constructor(private readonly body: Buffer, private readonly what: string) {}

  get remaining(): number {
    return this.body.length - this.offset;
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
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw protocolViolation(`invalid ${this.what} message format: string is not terminated`);
    const value = this.body.toString('utf8', this.offset, end);
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
  end(): void {
    if (this.offset !== this.body.length) throw protocolViolation(`invalid ${this.what} message format: ${this.remaining} bytes left over`);
  }

  private need(length: number): void {
    if (length < 0 || this.offset + length > this.body.length) {
      throw protocolViolation(`invalid ${this.what} message format: insufficient data left in message`);
    }
  }
}

// Reads PostgreSQL's binary COPY format incrementally: the header (the 11-byte signature
// `PGCOPY\n\377\r\n\0`, Int32 flags, Int32 extension length and the extension, skipped), then
// tuples (Int16 field count, then per field an Int32 length, -1 for NULL, and the bytes) until the
// Int16 -1 trailer or the end of input. Each step waits until all its bytes are queued, so input may
// be split anywhere; a tuple is taken field by field and never re-read. Messages are PostgreSQL's.

import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { ByteQueue } from './byte-queue.js';

export const binarySignature: Buffer = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const withOidsFlag = 1 << 16;

export type BinaryStep =
  | { readonly kind: 'tuple'; readonly fields: (Buffer | null)[]; readonly bytes: number }
  | { readonly kind: 'more' }
  | { readonly kind: 'end' };

/** An error in a tuple; `field` is the index of the field being read, if any. */
export class BinaryTupleError extends SqlError {
  constructor(code: string, message: string, readonly field: number | undefined) {
    super(code, message);
  }
}

type Phase = 'header' | 'extension' | 'tupleStart' | 'field' | 'trailer';

export class BinaryReader {
  /** Number of the tuple being read (1-based; PostgreSQL calls it the line). */
  tupleNumber = 0;
  private phase: Phase = 'header';
  private extensionLeft = 0;
  private fields: (Buffer | null)[] = [];
  private tupleBytes = 0;

  constructor(private readonly queue: ByteQueue, private readonly columnCount: number) {}

  next(inputEnded: boolean): BinaryStep {
    for (;;) {
      const step = this.step(inputEnded);
      if (step !== null) return step;
    }
  }

  /** One state transition; null means the state changed and reading goes on. */
  private step(inputEnded: boolean): BinaryStep | null {
    switch (this.phase) {
      case 'header': return this.readHeader(inputEnded);
      case 'extension': return this.skipExtension(inputEnded);
      case 'tupleStart': return this.readFieldCount(inputEnded);
      case 'field': return this.readField(inputEnded);
      case 'trailer':
        if (this.queue.length > 0) throw new BinaryTupleError(SqlState.badCopyFileFormat, 'received copy data after EOF marker', undefined);
        return { kind: 'end' };
    }
  }

  private readHeader(inputEnded: boolean): BinaryStep | null {
    const queue = this.queue;
    const headerBytes = binarySignature.length + 8;
    if (queue.length < headerBytes && !inputEnded) return { kind: 'more' };
    const header = queue.take(Math.min(queue.length, headerBytes));
    if (header.length < binarySignature.length || !header.subarray(0, binarySignature.length).equals(binarySignature)) {
      throw headerError('COPY file signature not recognized');
    }
    if (header.length < binarySignature.length + 4) throw headerError('invalid COPY file header (missing flags)');
    const flags = header.readInt32BE(binarySignature.length);
    if ((flags & withOidsFlag) !== 0) throw headerError('invalid COPY file header (WITH OIDS)');
    if ((flags & ~withOidsFlag) >>> 16 !== 0) throw headerError('unrecognized critical flags in COPY file header');
    if (header.length < headerBytes) throw headerError('invalid COPY file header (missing length)');
    const extensionLength = header.readInt32BE(binarySignature.length + 4);
    if (extensionLength < 0) throw headerError('invalid COPY file header (missing length)');
    this.extensionLeft = extensionLength;
    this.phase = 'extension';
    return null;
  }

  private skipExtension(inputEnded: boolean): BinaryStep | null {
    const skipped = Math.min(this.extensionLeft, this.queue.length);
    this.queue.skip(skipped);
    this.extensionLeft -= skipped;
    if (this.extensionLeft > 0) {
      if (inputEnded) throw headerError('invalid COPY file header (wrong length)');
      return { kind: 'more' };
    }
    this.phase = 'tupleStart';
    return null;
  }

  private readFieldCount(inputEnded: boolean): BinaryStep | null {
    if (this.queue.length < 2) {
      // Like PostgreSQL, input that ends where a tuple would start (even with one stray byte) is the end.
      if (inputEnded) return { kind: 'end' };
      return { kind: 'more' };
    }
    this.tupleNumber++;
    const count = this.queue.take(2).readInt16BE(0);
    if (count === -1) {
      this.phase = 'trailer';
      return null;
    }
    if (count !== this.columnCount) {
      throw new BinaryTupleError(SqlState.badCopyFileFormat, `row field count is ${count}, expected ${this.columnCount}`, undefined);
    }
    this.fields = [];
    this.tupleBytes = 2;
    this.phase = 'field';
    return null;
  }

  private readField(inputEnded: boolean): BinaryStep | null {
    const queue = this.queue;
    const index = this.fields.length;
    if (index === this.columnCount) {
      this.phase = 'tupleStart';
      return { kind: 'tuple', fields: this.fields, bytes: this.tupleBytes };
    }
    if (queue.length < 4) return this.needMore(inputEnded, index);
    const length = this.peekInt32();
    if (length < -1) throw new BinaryTupleError(SqlState.badCopyFileFormat, 'invalid field size', index);
    if (this.tupleBytes + 4 + length > limits.copyRowBytesMax) {
      throw new BinaryTupleError(SqlState.programLimitExceeded, `COPY row is too long (more than ${limits.copyRowBytesMax} bytes)`, index);
    }
    if (length === -1) {
      queue.skip(4);
      this.tupleBytes += 4;
      this.fields.push(null);
      return null;
    }
    if (queue.length < 4 + length) return this.needMore(inputEnded, index);
    queue.skip(4);
    this.fields.push(queue.take(length));
    this.tupleBytes += 4 + length;
    return null;
  }

  private needMore(inputEnded: boolean, field: number): BinaryStep {
    if (inputEnded) throw new BinaryTupleError(SqlState.badCopyFileFormat, 'unexpected EOF in COPY data', field);
    return { kind: 'more' };
  }

  private peekInt32(): number {
    const queue = this.queue;
    return ((queue.byteAt(0) << 24) | (queue.byteAt(1) << 16) | (queue.byteAt(2) << 8) | queue.byteAt(3)) | 0;
  }
}

function headerError(message: string): SqlError {
  return new SqlError(SqlState.badCopyFileFormat, message);
}

// A growable output buffer that backend messages are written into back to back, so a batch of
// DataRows (or a whole response) becomes one Buffer and one socket write. Invariants: between
// begin() and end() exactly one message is open; take() hands the bytes written so far to the
// caller and never reuses them afterwards (the socket may still be holding them).

const initialCapacityBytes = 16 * 1024;
/** Output up to this size is copied out of the buffer on take(), so the buffer can be reused. */
const copyOutBytesMax = 4 * 1024;
/** Strings up to this many UTF-16 units are tried as ASCII first. */
const shortStringChars = 32;
/** Strings longer than this are measured exactly instead of reserving 3 bytes per UTF-16 unit. */
const exactMeasureChars = 64 * 1024;

export class MessageWriter {
  private buffer: Buffer;
  private offset = 0;
  private messageStart = -1;

  constructor(private readonly initialCapacity = initialCapacityBytes) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.offset;
  }

  /** Starts a message with its type byte; its length is filled in by end(). */
  begin(code: string): this {
    this.ensure(5);
    this.messageStart = this.offset;
    this.buffer[this.offset] = code.charCodeAt(0);
    this.offset += 5;
    return this;
  }

  end(): this {
    const start = this.messageStart;
    this.buffer.writeInt32BE(this.offset - start - 1, start + 1);
    this.messageStart = -1;
    return this;
  }

  /** Writes a whole message with no body. */
  empty(code: string): this {
    return this.begin(code).end();
  }

  byte(value: number): this {
    this.ensure(1);
    this.buffer[this.offset++] = value & 0xff;
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.offset);
    this.offset += 2;
    return this;
  }

  uint16(value: number): this {
    this.ensure(2);
    this.buffer.writeUInt16BE(value, this.offset);
    this.offset += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    const buffer = this.buffer;
    const at = this.offset;
    buffer[at] = value >>> 24;
    buffer[at + 1] = value >>> 16;
    buffer[at + 2] = value >>> 8;
    buffer[at + 3] = value;
    this.offset = at + 4;
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  int64(value: bigint): this {
    this.ensure(8);
    this.buffer.writeBigInt64BE(value, this.offset);
    this.offset += 8;
    return this;
  }

  float32(value: number): this {
    this.ensure(4);
    this.buffer.writeFloatBE(value, this.offset);
    this.offset += 4;
    return this;
  }

  float64(value: number): this {
    this.ensure(8);
    this.buffer.writeDoubleBE(value, this.offset);
    this.offset += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.ensure(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  /** UTF-8 text with a NUL terminator. */
  cstring(value: string): this {
    this.string(value);
    return this.byte(0);
  }

  /** UTF-8 text with nothing around it; returns the writer. */
  string(value: string): this {
    this.ensure(maxUtf8Bytes(value));
    this.offset += this.buffer.write(value, this.offset, 'utf8');
    return this;
  }

  /** An Int32 byte length followed by the UTF-8 text (a non-null column value or parameter). */
  lengthPrefixedString(value: string): this {
    this.ensure(4 + maxUtf8Bytes(value));
    if (value.length <= shortStringChars && this.shortAscii(value)) return this;
    const lengthAt = this.offset;
    const written = this.buffer.write(value, lengthAt + 4, 'utf8');
    this.buffer.writeInt32BE(written, lengthAt);
    this.offset = lengthAt + 4 + written;
    return this;
  }

  /** An Int32 byte length followed by the bytes. */
  lengthPrefixedBytes(value: Uint8Array): this {
    return this.int32(value.length).bytes(value);
  }

  /** Writes a short all-ASCII string with its length byte by byte (cheaper than an encoder call); false if not ASCII. */
  private shortAscii(value: string): boolean {
    const buffer = this.buffer;
    const start = this.offset + 4;
    for (let index = 0; index < value.length; index++) {
      const code = value.charCodeAt(index);
      if (code >= 0x80) return false;
      buffer[start + index] = code;
    }
    this.int32(value.length);
    this.offset += value.length;
    return true;
  }

  /** Reserves `size` bytes to be filled in later through the returned offset. */
  reserve(size: number): number {
    this.ensure(size);
    const at = this.offset;
    this.offset += size;
    return at;
  }

  /** Overwrites an Int32 at an offset returned by reserve(). */
  patchInt32(at: number, value: number): void {
    this.buffer.writeInt32BE(value, at);
  }

  /** The bytes written so far; the writer starts over (small output is copied, large output keeps its memory). */
  take(): Buffer {
    let result: Buffer;
    if (this.offset <= copyOutBytesMax && this.buffer.length <= this.initialCapacity * 2) {
      result = Buffer.from(this.buffer.subarray(0, this.offset));
    } else {
      result = this.buffer.subarray(0, this.offset);
      this.buffer = Buffer.allocUnsafe(this.initialCapacity);
    }
    this.offset = 0;
    this.messageStart = -1;
    return result;
  }

  private ensure(size: number): void {
    const needed = this.offset + size;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

function maxUtf8Bytes(value: string): number {
  return value.length > exactMeasureChars ? Buffer.byteLength(value, 'utf8') : value.length * 3;
}

// Reassembles frontend messages from a byte stream whose chunks may split anywhere (even inside a
// length word). Until a StartupMessage arrives the stream holds untyped startup-phase packets
// (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest); after it, typed messages. Invariants:
// a message is returned only when all its bytes have arrived; a length outside the limits, an
// unknown type byte or a body that does not match its length throws SqlError 08P01, after which the
// decoder must not be used again (the connection is closed). A CopyData message whose body spans
// received chunks is returned as several copyData messages, one per chunk's part of it, without
// joining them (COPY data may be split anywhere, and a bulk load's large CopyData messages would
// otherwise be copied whole into fresh memory first).

import { limits } from '../common/limits.js';
import { MessageReader, protocolViolation } from './message-reader.js';

export const sslRequestCode = 80877103;
export const gssEncRequestCode = 80877104;
export const cancelRequestCode = 80877102;
/** Protocol 3.0: major version 3 in the high 16 bits, minor 0. */
export const protocolVersion3 = 196608;

export type FrontendMessage =
  | { readonly type: 'startup'; readonly protocolVersion: number; readonly parameters: ReadonlyMap<string, string> }
  | { readonly type: 'sslRequest' }
  | { readonly type: 'gssEncRequest' }
  | { readonly type: 'cancelRequest'; readonly processId: number; readonly secretKey: number }
  | { readonly type: 'query'; readonly text: string }
  | { readonly type: 'parse'; readonly name: string; readonly text: string; readonly parameterTypeOids: readonly number[] }
  | BindMessage
  | { readonly type: 'describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'execute'; readonly portal: string; readonly maxRows: number }
  | { readonly type: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'sync' }
  | { readonly type: 'flush' }
  | { readonly type: 'terminate' }
  | { readonly type: 'copyData'; readonly data: Buffer }
  | { readonly type: 'copyDone' }
  | { readonly type: 'copyFail'; readonly message: string }
  | { readonly type: 'password'; readonly password: string };

export interface BindMessage {
  readonly type: 'bind';
  readonly portal: string;
  readonly statement: string;
  readonly parameterFormats: readonly number[];
  /** Raw parameter bytes; null for SQL NULL. */
  readonly parameters: readonly (Buffer | null)[];
  readonly resultFormats: readonly number[];
}

/** Chunks received and not yet consumed, read as one contiguous stream. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first chunk if it holds the next `size` bytes (read them from `head` on), else undefined. */
  firstHolding(size: number): Buffer | undefined {
    const first = this.chunks[0];
    return first !== undefined && first.length - this.head >= size ? first : undefined;
  }

  /** Offset of the next unread byte in the first chunk. */
  get headOffset(): number {
    return this.head;
  }

  /** Drops the next `size` bytes, which must lie in the first chunk. */
  skip(size: number): void {
    this.consume(size);
  }

  byteAt(position: number): number {
    const first = this.chunks[0];
    if (first !== undefined && this.head + position < first.length) return first[this.head + position] as number;
    let index = position + this.head;
    for (const chunk of this.chunks) {
      if (index < chunk.length) return chunk[index] as number;
      index -= chunk.length;
    }
    throw protocolViolation('read past the buffered input');
  }

  int32At(position: number): number {
    const first = this.chunks[0];
    if (first !== undefined && this.head + position + 4 <= first.length) return first.readInt32BE(this.head + position);
    const value = (this.byteAt(position) << 24) | (this.byteAt(position + 1) << 16) | (this.byteAt(position + 2) << 8) | this.byteAt(position + 3);
    return value | 0;
  }

  /** Removes and returns up to `size` bytes from the first chunk, without copying; empty if none are queued. */
  takeFromFirst(size: number): Buffer {
    const first = this.chunks[0];
    if (first === undefined) return Buffer.alloc(0);
    const count = Math.min(size, first.length - this.head);
    const result = first.subarray(this.head, this.head + count);
    this.consume(count);
    return result;
  }

  /** Removes and returns the first `size` bytes (without copying when they lie in one chunk). */
  take(size: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.head >= size) {
      const result = first.subarray(this.head, this.head + size);
      this.consume(size);
      return result;
    }
    const result = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[0] as Buffer;
      const count = Math.min(size - filled, chunk.length - this.head);
      chunk.copy(result, filled, this.head, this.head + count);
      filled += count;
      this.consume(count);
    }
    return result;
  }

  private consume(size: number): void {
    this.head += size;
    this.length -= size;
    const first = this.chunks[0];
    if (first !== undefined && this.head === first.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}

/** 1 for the type bytes of frontend messages after startup. */
const typedMessageCodes = new Uint8Array(256);
for (const code of 'QPBDESHCXdcfp') typedMessageCodes[code.charCodeAt(0)] = 1;

export class FrontendDecoder {
  private readonly queue = new ByteQueue();
  private phase: 'startup' | 'typed' | 'finished' = 'startup';
  /** Bytes of the current CopyData message's body not yet returned (it is returned in parts). */
  private copyDataRemaining = 0;

  push(chunk: Buffer): void {
    if (this.phase !== 'finished') this.queue.push(chunk);
  }

  /** Bytes received and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.queue.length;
  }

  /** The next complete message, or null until more bytes arrive. Throws SqlError 08P01. */
  next(): FrontendMessage | null {
    if (this.phase === 'startup') return this.nextStartupPacket();
    if (this.phase === 'typed') return this.nextTypedMessage();
    return null;
  }

  private nextStartupPacket(): FrontendMessage | null {
    if (this.queue.length < 4) return null;
    const length = this.queue.int32At(0);
    if (length < 8 || length > limits.startupMessageBytesMax) throw protocolViolation(`invalid length of startup packet: ${length}`);
    if (this.queue.length < length) return null;
    const reader = new MessageReader(this.queue.take(length).subarray(4), 'startup packet');
    const message = decodeStartupPacket(reader);
    if (message.type === 'startup') this.phase = 'typed';
    if (message.type === 'cancelRequest') this.phase = 'finished';
    return message;
  }

  private nextTypedMessage(): FrontendMessage | null {
    if (this.copyDataRemaining > 0) return this.nextCopyDataPart();
    if (this.queue.length < 5) return null;
    const code = this.queue.byteAt(0);
    if (typedMessageCodes[code] !== 1) throw protocolViolation(`invalid frontend message type ${code}`);
    const length = this.queue.int32At(1);
    if (length < 4) throw protocolViolation(`invalid message length ${length}`);
    if (length - 4 > limits.messageBytesMax) throw protocolViolation(`message of ${length} bytes exceeds the limit of ${limits.messageBytesMax} bytes`);
    const chunk = this.queue.firstHolding(length + 1);
    if (chunk === undefined && code === 0x64 && length > 4) {
      this.queue.take(5);
      this.copyDataRemaining = length - 4;
      return this.nextCopyDataPart();
    }
    if (this.queue.length < length + 1) return null;
    const typeCode = String.fromCharCode(code);
    const name = messageNames[typeCode] ?? typeCode;
    // A message inside one received chunk is read in place; one split across chunks is joined first.
    let reader: MessageReader;
    if (chunk !== undefined) {
      const start = this.queue.headOffset;
      reader = new MessageReader(chunk, name, start + 5, start + length + 1);
      this.queue.skip(length + 1);
    } else {
      const bytes = this.queue.take(length + 1);
      reader = new MessageReader(bytes, name, 5, bytes.length);
    }
    const message = decodeBody(typeCode, reader);
    reader.finish();
    if (message.type === 'terminate') this.phase = 'finished';
    return message;
  }

  /** The next part of a CopyData body that spans chunks: what the first queued chunk holds of it. */
  private nextCopyDataPart(): FrontendMessage | null {
    const data = this.queue.takeFromFirst(this.copyDataRemaining);
    if (data.length === 0) return null;
    this.copyDataRemaining -= data.length;
    return { type: 'copyData', data };
  }
}

function decodeStartupPacket(reader: MessageReader): FrontendMessage {
  const code = reader.int32();
  if (code === sslRequestCode || code === gssEncRequestCode) {
    reader.finish();
    return code === sslRequestCode ? { type: 'sslRequest' } : { type: 'gssEncRequest' };
  }
  if (code === cancelRequestCode) {
    const message = { type: 'cancelRequest', processId: reader.int32(), secretKey: reader.int32() } as const;
    reader.finish();
    return message;
  }
  const parameters = code >>> 16 === 3 ? decodeStartupParameters(reader) : new Map<string, string>();
  return { type: 'startup', protocolVersion: code, parameters };
}

/** Name/value cstring pairs ended by an empty name. */
function decodeStartupParameters(reader: MessageReader): Map<string, string> {
  const parameters = new Map<string, string>();
  for (;;) {
    const name = reader.cstring();
    if (name === '') break;
    parameters.set(name, reader.cstring());
  }
  reader.finish();
  return parameters;
}

const messageNames: Record<string, string> = {
  Q: 'Query', P: 'Parse', B: 'Bind', D: 'Describe', E: 'Execute', S: 'Sync', H: 'Flush', C: 'Close',
  X: 'Terminate', d: 'CopyData', c: 'CopyDone', f: 'CopyFail', p: 'PasswordMessage',
};

function decodeBody(code: string, reader: MessageReader): FrontendMessage {
  switch (code) {
    case 'Q': return { type: 'query', text: reader.cstring() };
    case 'P': return decodeParse(reader);
    case 'B': return decodeBind(reader);
    case 'D': return { type: 'describe', target: decodeTarget(reader, 'DESCRIBE'), name: reader.cstring() };
    case 'E': return { type: 'execute', portal: reader.cstring(), maxRows: reader.int32() };
    case 'C': return { type: 'close', target: decodeTarget(reader, 'CLOSE'), name: reader.cstring() };
    case 'S': return { type: 'sync' };
    case 'H': return { type: 'flush' };
    case 'X': return { type: 'terminate' };
    case 'd': return { type: 'copyData', data: reader.rest() };
    case 'c': return { type: 'copyDone' };
    case 'f': return { type: 'copyFail', message: reader.cstring() };
    case 'p': return { type: 'password', password: reader.cstring() };
    default: throw protocolViolation(`invalid frontend message type ${code.charCodeAt(0)}`);
  }
}

function decodeTarget(reader: MessageReader, what: string): 'S' | 'P' {
  const target = reader.byte();
  if (target === 0x53) return 'S';
  if (target === 0x50) return 'P';
  throw protocolViolation(`invalid ${what} message subtype ${target}`);
}

function decodeParse(reader: MessageReader): FrontendMessage {
  const name = reader.cstring();
  const text = reader.cstring();
  const parameterTypeOids = readList(reader, () => reader.uint32());
  return { type: 'parse', name, text, parameterTypeOids };
}

function decodeBind(reader: MessageReader): BindMessage {
  const portal = reader.cstring();
  const statement = reader.cstring();
  const parameterFormats = readList(reader, () => reader.int16());
  const parameters = readList(reader, () => readParameter(reader));
  const resultFormats = readList(reader, () => reader.int16());
  return { type: 'bind', portal, statement, parameterFormats, parameters, resultFormats };
}

function readParameter(reader: MessageReader): Buffer | null {
  const length = reader.int32();
  if (length === -1) return null;
  if (length < 0) throw protocolViolation(`invalid Bind message format: parameter length ${length}`);
  return reader.bytes(length);
}

/** An Int16 count followed by that many items; a count past the end of the body throws. */
function readList<T>(reader: MessageReader, readItem: () => T): T[] {
  const count = reader.count16();
  const items: T[] = [];
  for (let index = 0; index < count; index++) items.push(readItem());
  return items;
}

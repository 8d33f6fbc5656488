// One log column built row by row from parsed numbers and bytes, for a bulk load's fast path (no
// Value per row): int16, int32 and date32 from numbers, int64 from safe integers, decimal128 from a
// safe-integer coefficient already at the column's scale, utf8 from bytes. finish() gives the
// buffers encodeColumn gives for the same values (column-codec.ts).
// Invariant: every typed array holds at least `rowCount` entries; the builder grows by doubling.

import { internalError } from '../../common/errors.js';
import { copiedBytes, copiedWordBytes, uninitializedBytes } from '../../common/uninitialized.js';
import type { ColumnKind, EncodedColumn } from './column-codec.js';

/** The kinds a ColumnBuilder builds. */
export function buildsKind(kind: ColumnKind): boolean {
  return kind === 'int16' || kind === 'int32' || kind === 'date32' || kind === 'int64' || kind === 'decimal128' || kind === 'utf8';
}

const empty = new Uint8Array(0);
const twoTo32 = 0x100000000;

export class ColumnBuilder {
  rowCount = 0;
  private nullCount = 0;
  private validity: Uint8Array | undefined;
  /** Fixed-width values as 32-bit words (an int16 column keeps one word per value until finish). */
  private words: Int32Array;
  private readonly wordsPerRow: number;
  /** utf8: offsets and bytes. */
  private offsets: Int32Array;
  private data: Uint8Array;
  private dataLength = 0;

  constructor(private readonly kind: ColumnKind, capacity = 1024) {
    if (!buildsKind(kind)) throw internalError(`no column builder for ${kind}`);
    this.wordsPerRow = kind === 'int64' ? 2 : kind === 'decimal128' ? 4 : kind === 'utf8' ? 0 : 1;
    this.words = new Int32Array(capacity * this.wordsPerRow);
    this.offsets = new Int32Array(kind === 'utf8' ? capacity + 1 : 0);
    this.data = new Uint8Array(kind === 'utf8' ? capacity * 16 : 0);
  }

  appendNull(): void {
    const row = this.nextRow();
    if (this.validity === undefined) this.validity = new Uint8Array(Math.max(128, this.words.length, this.offsets.length) >> 3).fill(0xff);
    else if (this.validity.length < (row >> 3) + 1) this.validity = grownBits(this.validity, (row >> 3) + 1);
    this.validity[row >> 3]! &= ~(1 << (row & 7));
    this.nullCount++;
    if (this.kind === 'utf8') this.offsets[row + 1] = this.dataLength;
  }

  /** int16, int32 or date32 (a finite day number). */
  appendInt(value: number): void {
    const row = this.nextRow();
    this.words[row] = value;
  }

  /** int64 from a safe integer. */
  appendInt64(value: number): void {
    const row = this.nextRow();
    const high = Math.floor(value / twoTo32);
    this.words[2 * row] = value - high * twoTo32;
    this.words[2 * row + 1] = high;
  }

  /** decimal128 from a safe-integer coefficient at the column's scale. */
  appendDecimal(coefficient: number): void {
    const row = this.nextRow();
    const high = Math.floor(coefficient / twoTo32);
    const at = 4 * row;
    this.words[at] = coefficient - high * twoTo32;
    this.words[at + 1] = high;
    const sign = coefficient < 0 ? -1 : 0;
    this.words[at + 2] = sign;
    this.words[at + 3] = sign;
  }

  /** utf8 from the value's UTF-8 bytes source[start, end). */
  appendBytes(source: Uint8Array, start: number, end: number): void {
    const row = this.nextRow();
    const length = end - start;
    if (this.dataLength + length > this.data.length) {
      const next = uninitializedBytes(Math.max(this.data.length * 2, this.dataLength + length));
      next.set(this.data.subarray(0, this.dataLength));
      this.data = next;
    }
    const data = this.data;
    let at = this.dataLength;
    if (length > 32) data.set(source.subarray(start, end), at);
    else for (let index = start; index < end; index++) data[at++] = source[index]!;
    this.dataLength += length;
    this.offsets[row + 1] = this.dataLength;
  }

  /** The column of the rows appended so far; the builder starts over empty. */
  finish(): EncodedColumn {
    const rowCount = this.rowCount;
    const validity = this.nullCount === 0 ? empty : copiedBytes(this.validity!.subarray(0, (rowCount + 7) >> 3));
    let column: EncodedColumn;
    switch (this.kind) {
      case 'utf8':
        column = {
          nullCount: this.nullCount,
          buffers: [validity, copiedWordBytes(this.offsets, rowCount + 1), copiedBytes(this.data.subarray(0, this.dataLength))],
        };
        break;
      case 'int16':
        column = { nullCount: this.nullCount, buffers: [validity, bytesOf(Int16Array.from(this.words.subarray(0, rowCount)))] };
        break;
      default:
        column = { nullCount: this.nullCount, buffers: [validity, copiedWordBytes(this.words, rowCount * this.wordsPerRow)] };
    }
    this.rowCount = 0;
    this.nullCount = 0;
    this.validity = undefined;
    this.words.fill(0);
    this.dataLength = 0;
    return column;
  }

  /** Makes room for one more row and returns its index. */
  private nextRow(): number {
    const row = this.rowCount++;
    if (this.kind === 'utf8') {
      if (row + 2 > this.offsets.length) this.offsets = grownWords(this.offsets, Math.max(2 * this.offsets.length, row + 2));
      this.offsets[row + 1] = this.dataLength;
    } else if ((row + 1) * this.wordsPerRow > this.words.length) {
      this.words = grownWords(this.words, Math.max(2 * this.words.length, (row + 1) * this.wordsPerRow));
    }
    return row;
  }
}

function grownWords(words: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(length);
  next.set(words);
  return next;
}

function grownBits(bits: Uint8Array, minimum: number): Uint8Array {
  const next = new Uint8Array(Math.max(2 * bits.length, minimum)).fill(0xff);
  next.set(bits);
  return next;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

// A bulk load into one KV tablet (COPY FROM into a primary-key table), encoded as its rows arrive:
// each row's RocksDB key and row-codec value are packed into chunk buffers (no Buffer, no Value
// array kept per row), and its insert record is encoded for the log at once. Rows thus die young,
// and at commit a load of ascending keys into an empty tablet needs neither a read nor a re-encode:
// its chunks are the log batches and the RocksDB batches as they are (KvTablet.prepareLoad).
// Whether the keys strictly ascend is tracked as they come.
// Invariants: a chunk holds at most chunkRows rows; its log batch holds exactly its rows, as
// insert records, in the order they were added; keys and rows are encoded with `codec`.

import { limits } from '../../common/limits.js';
import { Types, type DataType, type Value } from '../../common/types.js';
import { EncodedBatch } from '../log/encoded-batch.js';
import { PackedArena } from './byte-arena.js';
import { ChangeType } from './change-batch.js';
import type { TabletCodec } from './tablet-codec.js';

/** Rows per chunk: one log batch and one RocksDB write batch each. */
const chunkRows = limits.commitAppendRecordsMax;

/** Rows a new chunk has room for before its arrays of ends grow (doubling up to chunkRows). */
const endsInitialLength = 1024;

/** Rows of a load, packed: key i is keys[keyEnds[i - 1] ?? 0, keyEnds[i]), row i likewise in rows. */
export interface LoadChunk {
  readonly rowCount: number;
  readonly keys: Buffer;
  readonly keyEnds: Int32Array;
  readonly rows: Buffer;
  readonly rowEnds: Int32Array;
  /** `_change_type` (all insert) then the table's columns. */
  readonly log: EncodedBatch;
}

export function chunkKey(chunk: LoadChunk, index: number): Buffer {
  return chunk.keys.subarray(index === 0 ? 0 : chunk.keyEnds[index - 1]!, chunk.keyEnds[index]!);
}

export function chunkRow(chunk: LoadChunk, index: number): Buffer {
  return chunk.rows.subarray(index === 0 ? 0 : chunk.rowEnds[index - 1]!, chunk.rowEnds[index]!);
}

export class KvLoad {
  private readonly keyArena = new PackedArena(4 * 1024);
  private readonly rowArena = new PackedArena(16 * 1024);
  private keyEnds = new Int32Array(endsInitialLength);
  private rowEnds = new Int32Array(endsInitialLength);
  /** Rows in the chunk being filled, and their log parts. */
  private chunkRowCount = 0;
  private logParts: EncodedBatch[] = [];
  private chunks: LoadChunk[] = [];
  /** The last key of the chunks sealed so far (the chunk being filled compares within itself). */
  private lastSealedKey: Buffer | null = null;
  /** Whether every key added so far is greater than the one before it. */
  ascending = true;
  rowCount = 0;

  /** The types of the load's log batches: `_change_type` then the table's columns. */
  readonly logTypes: readonly DataType[];

  constructor(
    /** The codec the rows are encoded with (the tablet's when the load started). */
    readonly codec: TabletCodec,
  ) {
    this.logTypes = [Types.int2, ...codec.columns.map((column) => column.type)];
  }

  /** Encodes full table rows (checked by the caller: width, NOT NULL) in order. */
  add(rows: readonly (readonly Value[])[]): void {
    let from = 0;
    while (from < rows.length) {
      const take = Math.min(rows.length - from, chunkRows - this.chunkRowCount);
      const part = from === 0 && take === rows.length ? rows : rows.slice(from, from + take);
      this.addToChunk(part);
      from += take;
      if (this.chunkRowCount === chunkRows) this.seal();
    }
  }

  /** The chunks of every row added; the load is spent afterwards. */
  finish(): LoadChunk[] {
    if (this.chunkRowCount > 0) this.seal();
    const chunks = this.chunks;
    this.chunks = [];
    return chunks;
  }

  private addToChunk(rows: readonly (readonly Value[])[]): void {
    const needed = this.chunkRowCount + rows.length;
    if (needed > this.keyEnds.length) {
      const length = Math.min(chunkRows, Math.max(needed, this.keyEnds.length * 2));
      this.keyEnds = grown(this.keyEnds, length);
      this.rowEnds = grown(this.rowEnds, length);
    }
    const { prefix, keyCodec, rowCodec, primaryKey } = this.codec;
    const keyArena = this.keyArena;
    const rowArena = this.rowArena;
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index]!;
      const at = this.chunkRowCount + index;
      const keyStart = at === 0 ? 0 : this.keyEnds[at - 1]!;
      try {
        keyArena.reserve(prefix.byteLength);
        prefix.copy(keyArena.bytes, keyArena.position);
        keyArena.position += prefix.byteLength;
        for (let column = 0; column < primaryKey.length; column++) keyCodec.writeField(keyArena, column, row[primaryKey[column]!]!);
        rowCodec.write(rowArena, row);
      } catch (error) {
        keyArena.abandon();
        rowArena.abandon();
        throw error;
      }
      const keyEnd = keyArena.endEntry();
      this.keyEnds[at] = keyEnd;
      this.rowEnds[at] = rowArena.endEntry();
      if (this.ascending) this.ascending = this.follows(at, keyStart, keyEnd);
    }
    this.chunkRowCount += rows.length;
    this.rowCount += rows.length;
    const columns: (readonly Value[])[] = [new Array<Value>(rows.length).fill(ChangeType.insert)];
    for (let column = 0; column < this.codec.columns.length; column++) columns.push(rows.map((row) => row[column]!));
    this.logParts.push(EncodedBatch.encode(this.logTypes, columns, rows.length));
  }

  /** Whether key `at` of the chunk being filled (bytes [start, end)) is greater than the key before it. */
  private follows(at: number, start: number, end: number): boolean {
    const keys = this.keyArena.bytes;
    if (at === 0) return this.lastSealedKey === null || keys.compare(this.lastSealedKey, 0, this.lastSealedKey.byteLength, start, end) > 0;
    const previousStart = at === 1 ? 0 : this.keyEnds[at - 2]!;
    return keys.compare(keys, previousStart, start, start, end) > 0;
  }

  private seal(): void {
    const rowCount = this.chunkRowCount;
    const keys = this.keyArena.take();
    const chunk: LoadChunk = {
      rowCount,
      keys,
      keyEnds: this.keyEnds.subarray(0, rowCount),
      rows: this.rowArena.take(),
      rowEnds: this.rowEnds.subarray(0, rowCount),
      log: EncodedBatch.concat(this.logParts),
    };
    this.chunks.push(chunk);
    this.lastSealedKey = Buffer.from(chunkKey(chunk, rowCount - 1));
    this.keyEnds = new Int32Array(this.keyEnds.length);
    this.rowEnds = new Int32Array(this.rowEnds.length);
    this.chunkRowCount = 0;
    this.logParts = [];
  }
}

function grown(ends: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(length);
  next.set(ends);
  return next;
}

// A bulk load into one KV tablet (COPY FROM into a primary-key table), encoded as its rows arrive:
// each row's RocksDB key and row-codec value are packed into chunk buffers (no Buffer, no Value
// array kept per row), and its insert record is encoded for the log at once. Rows thus die young,
// and at commit a load of ascending keys into an empty tablet needs neither a read nor a re-encode:
// its chunks are the log batches and the RocksDB batches as they are (KvTablet.prepareLoad).
// Whether the keys strictly ascend is tracked as they come. Rows come as Values (add) or, for the
// column types it knows, as the bytes of their text fields (addFields), which are parsed once and
// written straight into the key, the row and the log columns, exactly as their Values would be.
// Invariants: a chunk holds at most chunkRows rows; its log batch holds exactly its rows, as
// insert records, in the order they were added; keys and rows are encoded with `codec`.

import { Decimal } from '../../common/decimal.js';
import { limits } from '../../common/limits.js';
import { Types, type DataType, type Value } from '../../common/types.js';
import { parseIsoDateBytes, parseNumericCoefficient, signedDigits } from '../../common/value-bytes.js';
import { ColumnBuilder } from '../log/column-builder.js';
import { columnKind } from '../log/column-codec.js';
import { EncodedBatch } from '../log/encoded-batch.js';
import { PackedArena } from './byte-arena.js';
import { ChangeType } from './change-batch.js';
import { writeSafeInt64Key } from './key-codec.js';
import { asciiAt, decimalAt, fieldBytesMax, int16At, int32At, int64At } from './row-codec.js';
import type { TabletCodec } from './tablet-codec.js';

/** Rows per chunk: one log batch and one RocksDB write batch each. */
const chunkRows = limits.commitAppendRecordsMax;

/** How addFields reads and writes a column, by type; undefined: it cannot. */
const enum FieldKind { Int2, Int4, Int8, Date, Numeric, Text }

function fieldKindOf(type: DataType): FieldKind | undefined {
  if (type.element !== undefined) return undefined;
  switch (type.name) {
    case 'int2': return FieldKind.Int2;
    case 'int4': return FieldKind.Int4;
    case 'int8': return FieldKind.Int8;
    case 'date': return FieldKind.Date;
    case 'numeric': return type.precision !== undefined && columnKind(type) === 'decimal128' ? FieldKind.Numeric : undefined;
    case 'text': return FieldKind.Text;
    default: return undefined;
  }
}

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
  /** Hears of each chunk as it is sealed (finish() still returns it). */
  onSeal: ((chunk: LoadChunk) => void) | null = null;
  rowCount = 0;

  /** The types of the load's log batches: `_change_type` then the table's columns. */
  readonly logTypes: readonly DataType[];
  /** Per column: how addFields takes it; null when some column cannot be taken from its text. */
  private readonly fieldKinds: readonly FieldKind[] | null;
  /** Per log column: the rows addFields added since the last log part. */
  private readonly builders: readonly ColumnBuilder[];
  /** Per column: the number addFields parsed from the field (scratch). */
  private readonly parsed: Float64Array;
  /** Whether column i is a key column, and its position in the key. */
  private readonly keyPositions: readonly number[];
  /** Per column: the scale of a numeric column (0 for others). */
  private readonly scales: Int32Array;
  /** The most bytes a row addFields writes takes, but for its text fields' bytes (RowCodec.fieldRowBytesMax). */
  private readonly fieldRowBytes: number;

  constructor(
    /** The codec the rows are encoded with (the tablet's when the load started). */
    readonly codec: TabletCodec,
  ) {
    this.logTypes = [Types.int2, ...codec.columns.map((column) => column.type)];
    const kinds = codec.columns.map((column) => fieldKindOf(column.type));
    this.fieldKinds = kinds.every((kind) => kind !== undefined) ? kinds as FieldKind[] : null;
    this.builders = this.fieldKinds === null ? [] : this.logTypes.map((type) => new ColumnBuilder(columnKind(type)));
    this.parsed = new Float64Array(codec.columns.length);
    this.keyPositions = codec.columns.map((_, column) => codec.primaryKey.indexOf(column));
    this.scales = Int32Array.from(codec.columns, (column) => column.type.scale ?? 0);
    const textColumns = kinds.filter((kind) => kind === FieldKind.Text).length;
    const fixedBytes = this.fieldKinds === null ? 0
      : codec.columns.reduce((sum, column, index) => sum + (kinds[index] === FieldKind.Text ? 0 : fieldBytesMax(column.type)), 0);
    this.fieldRowBytes = codec.rowCodec.fieldRowBytesMax(fixedBytes, textColumns);
  }

  /** Whether addFields can take rows of this table. */
  get takesFields(): boolean {
    return this.fieldKinds !== null;
  }

  /**
   * Adds a row given as the text-format fields of its columns: field i is line[starts[i], ends[i]),
   * NULL where nulls[i] is not 0, all ASCII. False (and nothing added) when a field is not in a
   * shape parsed here (the caller then adds the row's Values): exactly the fields whose fast parse
   * (value-bytes.ts) would leave them to parseText, and NULL key fields.
   */
  addFields(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean {
    const kinds = this.fieldKinds;
    if (kinds === null) return false;
    const parsed = this.parsed;
    const columns = this.codec.columns;
    let textBytes = 0;
    for (let column = 0; column < kinds.length; column++) {
      if (nulls[column] !== 0) {
        if (this.keyPositions[column]! >= 0) return false;
        continue;
      }
      const start = starts[column]!;
      const end = ends[column]!;
      let value: number;
      switch (kinds[column]!) {
        case FieldKind.Int2: value = signedDigits(line, start, end, 4); break;
        case FieldKind.Int4: value = signedDigits(line, start, end, 9); break;
        case FieldKind.Int8: value = signedDigits(line, start, end, 15); break;
        case FieldKind.Date: value = parseIsoDateBytes(line, start, end) ?? Number.NaN; break;
        case FieldKind.Numeric: {
          const type = columns[column]!.type;
          value = parseNumericCoefficient(line, start, end, type.precision!, type.scale ?? 0);
          break;
        }
        case FieldKind.Text: value = 0; textBytes += end - start; break;
      }
      if (Number.isNaN(value)) return false;
      parsed[column] = value;
    }
    this.ensureRoom(1);
    const at = this.chunkRowCount;
    const keyStart = at === 0 ? 0 : this.keyEnds[at - 1]!;
    this.writeFieldsKey(line, starts, ends);
    this.writeFieldsRow(line, starts, ends, nulls, textBytes);
    const keyEnd = this.keyArena.endEntry();
    this.keyEnds[at] = keyEnd;
    this.rowEnds[at] = this.rowArena.endEntry();
    if (this.ascending) this.ascending = this.follows(at, keyStart, keyEnd);
    this.chunkRowCount++;
    this.rowCount++;
    if (this.chunkRowCount === chunkRows) this.seal();
    return true;
  }

  private writeFieldsKey(line: Buffer, starts: Int32Array, ends: Int32Array): void {
    const { prefix, keyCodec, primaryKey, columns } = this.codec;
    const arena = this.keyArena;
    arena.append(prefix);
    for (let position = 0; position < primaryKey.length; position++) {
      const column = primaryKey[position]!;
      const number = this.parsed[column]!;
      let value: Value;
      switch (this.fieldKinds![column]!) {
        case FieldKind.Int8:
          // A nullable key column's fields are tagged (key-codec.ts): only the codec writes those.
          if (columns[column]!.nullableKey === true) {
            value = BigInt(number);
            break;
          }
          writeSafeInt64Key(arena, number);
          continue;
        case FieldKind.Numeric: value = new Decimal(BigInt(number), columns[column]!.type.scale ?? 0); break;
        case FieldKind.Text: value = line.toString('latin1', starts[column]!, ends[column]!); break;
        default: value = number;
      }
      keyCodec.writeField(arena, position, value);
    }
  }

  /** Writes the row (one reserve: at most fieldRowBytes plus its text bytes) and its log columns. */
  private writeFieldsRow(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array, textBytes: number): void {
    const rowCodec = this.codec.rowCodec;
    const arena = this.rowArena;
    const kinds = this.fieldKinds!;
    const builders = this.builders;
    const parsed = this.parsed;
    const scales = this.scales;
    builders[0]!.appendInt(ChangeType.insert);
    arena.reserve(this.fieldRowBytes + textBytes);
    const bytes = arena.bytes;
    const rowStart = arena.position;
    let at = rowCodec.beginRowAt(bytes, rowStart);
    for (let column = 0; column < kinds.length; column++) {
      const builder = builders[column + 1]!;
      if (nulls[column] !== 0) {
        rowCodec.nullFieldAt(bytes, rowStart, column);
        builder.appendNull();
        continue;
      }
      const value = parsed[column]!;
      switch (kinds[column]!) {
        case FieldKind.Int2: at = int16At(bytes, at, value); builder.appendInt(value); break;
        case FieldKind.Int4: case FieldKind.Date: at = int32At(bytes, at, value); builder.appendInt(value); break;
        case FieldKind.Int8: at = int64At(bytes, at, value); builder.appendInt64(value); break;
        case FieldKind.Numeric: at = decimalAt(bytes, at, value, scales[column]!); builder.appendDecimal(value); break;
        case FieldKind.Text: {
          const start = starts[column]!;
          const end = ends[column]!;
          at = asciiAt(bytes, at, line, start, end);
          builder.appendBytes(line, start, end);
          break;
        }
      }
    }
    arena.position = at;
  }

  /** The rows addFields added since the last log part, as a log part. */
  private flushFieldRows(): void {
    const rowCount = this.builders[0]?.rowCount ?? 0;
    if (rowCount === 0) return;
    this.logParts.push(EncodedBatch.of(this.logTypes, this.builders.map((builder) => builder.finish()), rowCount));
  }

  private ensureRoom(rows: number): void {
    const needed = this.chunkRowCount + rows;
    if (needed > this.keyEnds.length) {
      const length = Math.min(chunkRows, Math.max(needed, this.keyEnds.length * 2));
      this.keyEnds = grown(this.keyEnds, length);
      this.rowEnds = grown(this.rowEnds, length);
    }
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
    this.ensureRoom(rows.length);
    this.flushFieldRows();
    const { prefix, keyCodec, rowCodec, primaryKey } = this.codec;
    const keyArena = this.keyArena;
    const rowArena = this.rowArena;
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index]!;
      const at = this.chunkRowCount + index;
      const keyStart = at === 0 ? 0 : this.keyEnds[at - 1]!;
      try {
        keyArena.append(prefix);
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
    if (at === 0) return this.lastSealedKey === null || compareBytes(this.lastSealedKey, 0, this.lastSealedKey.byteLength, keys, start, end) < 0;
    const previousStart = at === 1 ? 0 : this.keyEnds[at - 2]!;
    return compareBytes(keys, previousStart, start, keys, start, end) < 0;
  }

  private seal(): void {
    this.flushFieldRows();
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
    this.onSeal?.(chunk);
  }
}

function grown(ends: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(length);
  next.set(ends);
  return next;
}

/** Byte order of a[aStart, aEnd) against b[bStart, bEnd) (a loop: keys are short, shorter than a native call costs). */
function compareBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let index = 0; index < length; index++) {
    const difference = a[aStart + index]! - b[bStart + index]!;
    if (difference !== 0) return difference;
  }
  return (aEnd - aStart) - (bEnd - bStart);
}

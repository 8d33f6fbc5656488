// A log batch whose columns are already encoded as the log stores them (column-codec.ts). A bulk
// load (COPY into a log table) encodes rows a chunk at a time as they arrive, so a statement of
// millions of rows holds column buffers rather than millions of live Values until it commits. The
// log appends the buffers as they are when its schema still encodes every column the same way;
// `columns` decodes them on first use (subscribers tailing the log, a schema changed meanwhile).
// Invariants: every encoded column holds exactly rowCount values; the batch is never changed.

import type { DataType, Value } from '../../common/types.js';
import { internalError } from '../../common/errors.js';
import {
  columnKind, concatColumns, decodeColumn, encodeColumn, encodedByteLength, paddedLength, type ColumnKind, type EncodedColumn,
} from './column-codec.js';
import type { ColumnarBatch } from './columnar-batch.js';

export class EncodedBatch implements ColumnarBatch {
  private decoded: Value[][] | undefined;

  private constructor(
    readonly rowCount: number,
    /** The types the columns were encoded for. */
    readonly types: readonly DataType[],
    readonly encoded: readonly EncodedColumn[],
  ) {}

  /** Encodes `columns` (each of `rowCount` values) of the given types. */
  static encode(types: readonly DataType[], columns: readonly (readonly Value[])[], rowCount: number): EncodedBatch {
    const encoded = types.map((type, index) => encodeColumn(columnKind(type), columns[index]!, rowCount, type));
    return new EncodedBatch(rowCount, types, encoded);
  }

  /** Columns already encoded for `types` (each exactly as encodeColumn gives them), of `rowCount` rows. */
  static of(types: readonly DataType[], encoded: readonly EncodedColumn[], rowCount: number): EncodedBatch {
    if (encoded.length !== types.length) throw internalError(`${encoded.length} encoded columns for ${types.length} types`);
    return new EncodedBatch(rowCount, types, encoded);
  }

  /** The rows of `batches` (encoded for the same types) in order, as one batch. */
  static concat(batches: readonly EncodedBatch[]): EncodedBatch {
    const first = batches[0];
    if (first === undefined) throw internalError('concatenation of no encoded batches');
    if (batches.length === 1) return first;
    const types = first.types;
    if (!batches.every((batch) => batch.types === types)) throw internalError('concatenation of batches encoded for other types');
    const encoded = types.map((type, index) =>
      concatColumns(columnKind(type), batches.map((batch) => ({ column: batch.encoded[index]!, rowCount: batch.rowCount }))));
    return new EncodedBatch(batches.reduce((sum, batch) => sum + batch.rowCount, 0), types, encoded);
  }

  /** Bytes the columns take in a stored body. */
  get byteLength(): number {
    let bytes = 0;
    for (const column of this.encoded) bytes += encodedByteLength(column);
    return bytes;
  }

  get columns(): readonly (readonly Value[])[] {
    this.decoded ??= this.encoded.map((column, index) => decodeEncoded(this.types[index]!, column, this.rowCount));
    return this.decoded;
  }

  /** Whether columns of `types` are encoded exactly as these are (same count, kinds and scales). */
  encodesAs(types: readonly DataType[]): boolean {
    if (types.length !== this.types.length) return false;
    return types.every((type, index) => sameEncoding(type, this.types[index]!));
  }
}

function sameEncoding(a: DataType, b: DataType): boolean {
  const kind: ColumnKind = columnKind(a);
  return kind === columnKind(b) && (kind !== 'decimal128' || (a.scale ?? 0) === (b.scale ?? 0));
}

/** The values of an encoded column, laid out as a stored body (each buffer padded to 8 bytes). */
function decodeEncoded(type: DataType, column: EncodedColumn, rowCount: number): Value[] {
  const body = new Uint8Array(encodedByteLength(column));
  let position = 0;
  for (const buffer of column.buffers) {
    body.set(buffer, position);
    position += paddedLength(buffer.byteLength);
  }
  return decodeColumn(columnKind(type), type, body, rowCount, column.nullCount, 0, rowCount);
}

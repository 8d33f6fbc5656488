// Log columns filled from the text-format fields of rows (COPY into a log table): each field is
// parsed once from its bytes into a ColumnBuilder (typed arrays, UTF-8 offsets and bytes), with no
// Value per field. Only the shapes the fast parsers of value-bytes.ts read are taken, so a row
// either goes in exactly as its Values would be encoded (EncodedBatch.encode) or not at all.
// Columns: int2, int4, int8, date, numeric(p,s) stored as decimal128, text.

import { type DataType } from '../../common/types.js';
import { parseIsoDateBytes, parseNumericCoefficient, signedDigits } from '../../common/value-bytes.js';
import { ColumnBuilder } from './column-builder.js';
import { columnKind } from './column-codec.js';
import { EncodedBatch } from './encoded-batch.js';

/** How a column's field is read, by type. */
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

/** Whether FieldColumns can take rows of columns of `types`. */
export function fieldColumnsTake(types: readonly DataType[]): boolean {
  return types.length > 0 && types.every((type) => fieldKindOf(type) !== undefined);
}

export class FieldColumns {
  private readonly kinds: readonly FieldKind[];
  private readonly precisions: Int32Array;
  private readonly scales: Int32Array;
  private readonly builders: ColumnBuilder[];
  /** Per column: the number parsed from the field (scratch). */
  private readonly parsed: Float64Array;

  /** `types` must be ones fieldColumnsTake accepts. */
  constructor(readonly types: readonly DataType[]) {
    this.kinds = types.map((type) => fieldKindOf(type)!);
    this.precisions = Int32Array.from(types, (type) => type.precision ?? 0);
    this.scales = Int32Array.from(types, (type) => type.scale ?? 0);
    this.builders = types.map((type) => new ColumnBuilder(columnKind(type)));
    this.parsed = new Float64Array(types.length);
  }

  /** Rows added since the last take(). */
  get rowCount(): number {
    return this.builders[0]!.rowCount;
  }

  /**
   * Adds a row given as the fields of its columns: field i is line[starts[i], ends[i]), NULL where
   * nulls[i] is not 0, all ASCII. False, with nothing added, when a field is not in a shape parsed
   * here (exactly those the fast parsers of value-bytes.ts leave to parseText).
   */
  add(line: Uint8Array, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean {
    const kinds = this.kinds;
    const parsed = this.parsed;
    const count = kinds.length;
    for (let column = 0; column < count; column++) {
      if (nulls[column] !== 0) continue;
      const start = starts[column]!;
      const end = ends[column]!;
      let value: number;
      switch (kinds[column]!) {
        case FieldKind.Int2: value = signedDigits(line, start, end, 4); break;
        case FieldKind.Int4: value = signedDigits(line, start, end, 9); break;
        case FieldKind.Int8: value = signedDigits(line, start, end, 15); break;
        case FieldKind.Date:
          try {
            value = parseIsoDateBytes(line, start, end) ?? Number.NaN;
          } catch {
            value = Number.NaN; // out of range: parseText gives the error
          }
          break;
        case FieldKind.Numeric: value = parseNumericCoefficient(line, start, end, this.precisions[column]!, this.scales[column]!); break;
        case FieldKind.Text: value = 0; break;
      }
      if (value !== value) return false;
      parsed[column] = value;
    }
    const builders = this.builders;
    for (let column = 0; column < count; column++) {
      const builder = builders[column]!;
      if (nulls[column] !== 0) {
        builder.appendNull();
        continue;
      }
      switch (kinds[column]!) {
        case FieldKind.Int2: case FieldKind.Int4: case FieldKind.Date: builder.appendInt(parsed[column]!); break;
        case FieldKind.Int8: builder.appendInt64(parsed[column]!); break;
        case FieldKind.Numeric: builder.appendDecimal(parsed[column]!); break;
        case FieldKind.Text: builder.appendBytes(line, starts[column]!, ends[column]!); break;
      }
    }
    return true;
  }

  /**
   * The rows added since the last take() as an encoded batch (null if none); the columns start over
   * empty. The bits of a validity bitmap past its last row are clear, as in parts joined by
   * concatColumns (a chunk of a COPY spans many decoded batches), not set as encodeColumn sets them.
   */
  take(): EncodedBatch | null {
    const rowCount = this.rowCount;
    if (rowCount === 0) return null;
    const encoded = this.builders.map((builder) => builder.finish());
    if ((rowCount & 7) !== 0) {
      for (const column of encoded) {
        const validity = column.buffers[0]!;
        if (validity.byteLength > 0) validity[rowCount >> 3]! &= (1 << (rowCount & 7)) - 1;
      }
    }
    return EncodedBatch.of(this.types, encoded, rowCount);
  }
}

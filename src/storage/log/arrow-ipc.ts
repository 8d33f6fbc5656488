// The Arrow side of a stored batch: the Arrow type of each log column and the encapsulated IPC
// messages (continuation marker, metadata length, flatbuffer Message, padding to 8). A frame's IPC
// part is a standard RecordBatch message, so a segment's batches can be streamed to any Arrow reader
// after the schema message for their schema id (see ipcSchemaMessage).
// Invariant: the buffer regions listed in the metadata are exactly the body layout of
// column-codec (each buffer padded to 8, columns in schema order).

import { Binary, Bool, DateDay, Decimal, Field, FixedSizeBinary, Float32, Float64, Int16, Int32, Int64, Schema,
  TimestampMicrosecond, Utf8, type DataType as ArrowType } from 'apache-arrow';
import { BufferRegion, FieldNode, Message, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import type { DataType } from '../../common/types.js';
import { columnKind, paddedLength, type ColumnKind, type EncodedColumn } from './column-codec.js';
import type { LogColumn } from './log-schema.js';

export function arrowType(type: DataType): ArrowType {
  const kind: ColumnKind = columnKind(type);
  switch (kind) {
    case 'bool': return new Bool();
    case 'int16': return new Int16();
    case 'int32': return new Int32();
    case 'int64': return new Int64();
    case 'float32': return new Float32();
    case 'float64': return new Float64();
    case 'decimal128': return new Decimal(type.scale ?? 0, type.precision ?? 38, 128);
    case 'numericText': case 'utf8': return new Utf8();
    case 'binary': return new Binary();
    case 'uuid': case 'interval': return new FixedSizeBinary(16);
    case 'date32': return new DateDay();
    case 'timestamp': return new TimestampMicrosecond(type.name === 'timestamptz' ? 'UTC' : null);
  }
}

export function arrowSchema(columns: readonly LogColumn[]): Schema {
  return new Schema(columns.map((column) => new Field(column.name, arrowType(column.type), true)));
}

/** Wraps a flatbuffer Message as Arrow's encapsulated message prefix (without the body). */
function encapsulate(flatbuffer: Uint8Array): Uint8Array {
  const total = paddedLength(8 + flatbuffer.byteLength);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, total - 8, true);
  out.set(flatbuffer, 8);
  return out;
}

/** The metadata part of an IPC RecordBatch message for columns laid out by column-codec. */
export function ipcRecordBatchMetadata(rowCount: number, columns: readonly EncodedColumn[], bodyLength: number): Uint8Array {
  const nodes: FieldNode[] = [];
  const regions: BufferRegion[] = [];
  let position = 0;
  for (const column of columns) {
    nodes.push(new FieldNode(rowCount, column.nullCount));
    for (const buffer of column.buffers) {
      regions.push(new BufferRegion(position, buffer.byteLength));
      position += paddedLength(buffer.byteLength);
    }
  }
  const header = new RecordBatchHeader(rowCount, nodes, regions, null);
  return encapsulate(Message.encode(Message.from(header, bodyLength)));
}

/** The IPC Schema message for a log schema; followed by frames' IPC parts it forms an Arrow stream. */
export function ipcSchemaMessage(columns: readonly LogColumn[]): Uint8Array {
  return encapsulate(Message.encode(Message.from(arrowSchema(columns))));
}

/** End-of-stream marker of the Arrow IPC stream format. */
export const ipcEndOfStream = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

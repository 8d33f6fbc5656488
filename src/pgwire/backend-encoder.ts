// Encoders for the backend messages of protocol 3.0. Each function appends exactly one message (or
// for writeDataRows, one message per row) to a MessageWriter; nothing here touches a socket. The
// byte layouts follow PostgreSQL's protocol documentation, "Message Formats".

import type { SqlError } from '../common/errors.js';
import { typeInfo, typeModifier, typeOid, type DataType, type Value } from '../common/types.js';
import type { MessageWriter } from './message-writer.js';
import type { ColumnDescription, Notice, TransactionStatus } from './session.js';
import type { ValueWriter } from './value-codec.js';

export type FormatCode = 0 | 1;

/** The single byte that refuses an SSLRequest or GSSENCRequest. */
export const refuseEncryptionByte: Buffer = Buffer.from('N', 'latin1');

export function writeAuthenticationOk(out: MessageWriter): void {
  out.begin('R').int32(0).end();
}

export function writeParameterStatus(out: MessageWriter, name: string, value: string): void {
  out.begin('S').cstring(name).cstring(value).end();
}

export function writeBackendKeyData(out: MessageWriter, processId: number, secretKey: number): void {
  out.begin('K').int32(processId).int32(secretKey).end();
}

export function writeReadyForQuery(out: MessageWriter, status: TransactionStatus): void {
  out.begin('Z').byte(status.charCodeAt(0)).end();
}

/** Newest minor version supported and the protocol options (`_pq_.*`) not recognized. */
export function writeNegotiateProtocolVersion(out: MessageWriter, minorVersion: number, unrecognized: readonly string[]): void {
  out.begin('v').int32(minorVersion).int32(unrecognized.length);
  for (const option of unrecognized) out.cstring(option);
  out.end();
}

export function writeRowDescription(out: MessageWriter, columns: readonly ColumnDescription[], formats: readonly FormatCode[]): void {
  out.begin('T').int16(columns.length);
  columns.forEach((column, index) => writeFieldDescription(out, column, formats[index] ?? 0));
  out.end();
}

function writeFieldDescription(out: MessageWriter, column: ColumnDescription, format: FormatCode): void {
  out.cstring(column.name).int32(column.tableOid).int16(column.columnNumber);
  out.uint32(typeOid(column.type)).int16(typeLength(column.type)).int32(typeModifier(column.type)).int16(format);
}

function typeLength(type: DataType): number {
  return type.element ? -1 : typeInfo[type.name].length;
}

/** One DataRow per row; `writers[i]` encodes column i (a null is always length -1). */
export function writeDataRows(out: MessageWriter, rows: readonly Value[][], writers: readonly ValueWriter[]): void {
  const columnCount = writers.length;
  for (const row of rows) {
    out.begin('D').int16(columnCount);
    for (let column = 0; column < columnCount; column++) {
      const value = row[column];
      if (value === null || value === undefined) out.int32(-1);
      else (writers[column] as ValueWriter)(out, value);
    }
    out.end();
  }
}

export function writeCommandComplete(out: MessageWriter, tag: string): void {
  out.begin('C').cstring(tag).end();
}

export function writeEmptyQueryResponse(out: MessageWriter): void {
  out.empty('I');
}

/** ErrorResponse; `severity` overrides the error's own (FATAL for errors that end the connection). */
export function writeErrorResponse(out: MessageWriter, error: SqlError, severity: string = error.severity): void {
  out.begin('E');
  writeField(out, 'S', severity);
  writeField(out, 'V', severity);
  writeField(out, 'C', error.code);
  writeField(out, 'M', error.message);
  writeField(out, 'D', error.detail);
  writeField(out, 'H', error.hint);
  writeField(out, 'P', error.position === undefined ? undefined : String(error.position));
  writeField(out, 'W', error.context);
  writeField(out, 's', error.schema);
  writeField(out, 't', error.table);
  writeField(out, 'c', error.column);
  writeField(out, 'n', error.constraint);
  out.byte(0).end();
}

export function writeNoticeResponse(out: MessageWriter, notice: Notice): void {
  out.begin('N');
  writeField(out, 'S', notice.severity);
  writeField(out, 'V', notice.severity);
  writeField(out, 'C', notice.code);
  writeField(out, 'M', notice.message);
  writeField(out, 'D', notice.detail);
  writeField(out, 'H', notice.hint);
  out.byte(0).end();
}

function writeField(out: MessageWriter, code: string, value: string | undefined): void {
  if (value === undefined) return;
  out.byte(code.charCodeAt(0)).cstring(value);
}

export function writeParseComplete(out: MessageWriter): void {
  out.empty('1');
}

export function writeBindComplete(out: MessageWriter): void {
  out.empty('2');
}

export function writeCloseComplete(out: MessageWriter): void {
  out.empty('3');
}

export function writeNoData(out: MessageWriter): void {
  out.empty('n');
}

export function writePortalSuspended(out: MessageWriter): void {
  out.empty('s');
}

export function writeParameterDescription(out: MessageWriter, types: readonly DataType[]): void {
  out.begin('t').int16(types.length);
  for (const type of types) out.uint32(typeOid(type));
  out.end();
}

/** CopyInResponse ('G') or CopyOutResponse ('H'): overall format, then one format per column. */
function writeCopyResponse(out: MessageWriter, code: 'G' | 'H', format: 'text' | 'binary', columnCount: number): void {
  const formatCode = format === 'binary' ? 1 : 0;
  out.begin(code).byte(formatCode).int16(columnCount);
  for (let column = 0; column < columnCount; column++) out.int16(formatCode);
  out.end();
}

export function writeCopyInResponse(out: MessageWriter, format: 'text' | 'binary', columnCount: number): void {
  writeCopyResponse(out, 'G', format, columnCount);
}

export function writeCopyOutResponse(out: MessageWriter, format: 'text' | 'binary', columnCount: number): void {
  writeCopyResponse(out, 'H', format, columnCount);
}

export function writeCopyData(out: MessageWriter, data: Uint8Array): void {
  out.begin('d').bytes(data).end();
}

export function writeCopyDone(out: MessageWriter): void {
  out.empty('c');
}

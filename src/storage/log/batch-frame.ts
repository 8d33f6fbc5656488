// The frame around every stored batch. A segment file is a plain sequence of frames:
//
//   header (64 bytes + 16 per column, little-endian)
//     0 u32 magic 'SLB1'        4 u32 header CRC32C of bytes [8, headerLength)
//     8 u32 headerLength       12 u32 frameLength (whole frame, a multiple of 8)
//    16 i64 baseOffset         24 i64 commitTimestampMs       32 i64 commitSequence
//    40 u32 recordCount        44 u32 schemaId                48 u32 columnCount
//    52 u32 metadataLength     56 u32 metadata CRC32C         60 u32 groupBatches (0: unknown)
//    64 per column: u32 bodyStart, u32 bodyLength, u32 CRC32C of the column's body range, u32 nullCount
//   Arrow IPC RecordBatch message: encapsulated metadata (metadataLength bytes), then the body.
//
// The per-column table makes each column separately addressable and separately checksummed, so a
// reader fetches and verifies only the byte ranges of the columns it wants. The header CRC covers
// the column CRCs, so together they cover every byte of the frame.
// Invariants: headerLength and frameLength are multiples of 8, column body ranges are 8-aligned,
// ascending and inside the body.

import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import { uninitializedBytes } from '../../common/uninitialized.js';
import { crc32c, crc32cUpdate } from './crc32c.js';
import { encodedByteLength, type EncodedColumn } from './column-codec.js';

export const frameMagic = 0x31424c53;
export const frameFixedHeaderBytes = 64;
export const frameColumnEntryBytes = 16;

export interface FrameColumn {
  /** Start of the column's buffers, relative to the body start. */
  readonly bodyStart: number;
  readonly bodyLength: number;
  readonly crc: number;
  readonly nullCount: number;
}

export interface FrameHeader {
  readonly headerLength: number;
  readonly frameLength: number;
  readonly baseOffset: bigint;
  readonly commitTimestampMs: number;
  readonly commitSequence: bigint;
  readonly recordCount: number;
  readonly schemaId: number;
  readonly metadataLength: number;
  readonly metadataCrc: number;
  /** Batches the commit group appended to all log tablets together (0: not recorded). */
  readonly groupBatches: number;
  readonly columns: readonly FrameColumn[];
}

export interface FrameMeta {
  readonly baseOffset: bigint;
  readonly commitTimestampMs: number;
  readonly commitSequence: bigint;
  readonly recordCount: number;
  readonly schemaId: number;
  readonly groupBatches?: number;
}

/** Position of the body inside the frame. */
export function bodyPosition(header: FrameHeader): number {
  return header.headerLength + header.metadataLength;
}

export function headerLengthFor(columnCount: number): number {
  return frameFixedHeaderBytes + frameColumnEntryBytes * columnCount;
}

/** The zeros after a buffer that pad it to 8 bytes (never written to). */
const padding = new Uint8Array(8);

/**
 * A frame as the byte ranges it is made of, in order: its header and IPC metadata (one buffer of
 * their own), then every column buffer as it is, each followed by its padding. Written with one
 * gathering write, a large batch's column buffers are never copied into a frame first.
 */
export interface FrameParts {
  readonly parts: readonly Uint8Array[];
  readonly byteLength: number;
}

export function frameParts(meta: FrameMeta, columns: readonly EncodedColumn[], ipcMetadata: Uint8Array): FrameParts {
  const headerLength = headerLengthFor(columns.length);
  const bodyStart = headerLength + ipcMetadata.byteLength;
  let bodyLength = 0;
  for (const column of columns) bodyLength += encodedByteLength(column);
  const frameLength = bodyStart + bodyLength;
  if (frameLength > limits.logBatchBytesMax) {
    throw new SqlError(SqlState.programLimitExceeded, `log batch of ${frameLength} bytes exceeds the limit of ${limits.logBatchBytesMax}`);
  }
  // Every byte of the head is written below: the header's fields and the metadata.
  const head = uninitializedBytes(bodyStart);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  head.set(ipcMetadata, headerLength);
  const parts: Uint8Array[] = [head];
  let position = bodyStart;
  columns.forEach((column, index) => {
    const start = position;
    let crc = 0;
    for (const buffer of column.buffers) {
      const padded = (buffer.byteLength + 7) & ~7;
      if (buffer.byteLength > 0) parts.push(buffer);
      crc = crc32cUpdate(crc, buffer);
      if (padded > buffer.byteLength) {
        const zeros = padding.subarray(0, padded - buffer.byteLength);
        parts.push(zeros);
        crc = crc32cUpdate(crc, zeros);
      }
      position += padded;
    }
    const entry = frameFixedHeaderBytes + index * frameColumnEntryBytes;
    view.setUint32(entry, start - bodyStart, true);
    view.setUint32(entry + 4, position - start, true);
    view.setUint32(entry + 8, crc, true);
    view.setUint32(entry + 12, column.nullCount, true);
  });
  view.setUint32(0, frameMagic, true);
  view.setUint32(8, headerLength, true);
  view.setUint32(12, frameLength, true);
  view.setBigInt64(16, meta.baseOffset, true);
  view.setBigInt64(24, BigInt(meta.commitTimestampMs), true);
  view.setBigInt64(32, meta.commitSequence, true);
  view.setUint32(40, meta.recordCount, true);
  view.setUint32(44, meta.schemaId, true);
  view.setUint32(48, columns.length, true);
  view.setUint32(52, ipcMetadata.byteLength, true);
  view.setUint32(56, crc32c(ipcMetadata), true);
  view.setUint32(60, meta.groupBatches ?? 0, true);
  view.setUint32(4, crc32c(head, 8, headerLength), true);
  return { parts, byteLength: frameLength };
}

/** The header fields a frame written ahead of its commit (log-stage.ts) gets when it commits. */
export interface FrameCommit {
  readonly baseOffset: bigint;
  readonly commitTimestampMs: number;
  readonly commitSequence: bigint;
  readonly groupBatches: number;
}

/**
 * Sets the commit fields of the header at the start of `head` (a frame's first part, from
 * frameParts) and its header CRC; the body and its CRCs are untouched. Returns the header bytes.
 */
export function patchFrameHeader(head: Uint8Array, commit: FrameCommit): Uint8Array {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength = view.getUint32(8, true);
  view.setBigInt64(16, commit.baseOffset, true);
  view.setBigInt64(24, BigInt(commit.commitTimestampMs), true);
  view.setBigInt64(32, commit.commitSequence, true);
  view.setUint32(60, commit.groupBatches, true);
  view.setUint32(4, crc32c(head, 8, headerLength), true);
  return head.subarray(0, headerLength);
}

/** One contiguous frame: header, IPC metadata, column buffers (the parts of frameParts joined). */
export function encodeFrame(meta: FrameMeta, columns: readonly EncodedColumn[], ipcMetadata: Uint8Array): Uint8Array {
  const { parts, byteLength } = frameParts(meta, columns, ipcMetadata);
  const frame = uninitializedBytes(byteLength);
  let position = 0;
  for (const part of parts) {
    frame.set(part, position);
    position += part.byteLength;
  }
  return frame;
}

export type HeaderDecoding =
  | { readonly kind: 'ok'; readonly header: FrameHeader }
  /** `bytes` ends before the header does; `needed` bytes from `at` would hold it. */
  | { readonly kind: 'incomplete'; readonly needed: number }
  | { readonly kind: 'corrupt'; readonly reason: string };

const headerLengthMax = headerLengthFor(limits.columnsMax + 1);

/** Decodes and checks the frame header starting at bytes[at]. Never throws. */
export function decodeFrameHeader(bytes: Uint8Array, at: number): HeaderDecoding {
  const available = bytes.byteLength - at;
  if (available < frameFixedHeaderBytes) return { kind: 'incomplete', needed: frameFixedHeaderBytes };
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, available);
  if (view.getUint32(0, true) !== frameMagic) return { kind: 'corrupt', reason: 'bad frame magic' };
  const headerLength = view.getUint32(8, true);
  const columnCount = view.getUint32(48, true);
  if (headerLength > headerLengthMax || headerLength !== headerLengthFor(columnCount)) {
    return { kind: 'corrupt', reason: `bad header length ${headerLength}` };
  }
  if (available < headerLength) return { kind: 'incomplete', needed: headerLength };
  if (crc32c(bytes, at + 8, at + headerLength) !== view.getUint32(4, true)) return { kind: 'corrupt', reason: 'header checksum mismatch' };
  const frameLength = view.getUint32(12, true);
  const metadataLength = view.getUint32(52, true);
  const bodyLength = frameLength - headerLength - metadataLength;
  if ((frameLength & 7) !== 0 || (metadataLength & 7) !== 0 || bodyLength < 0) return { kind: 'corrupt', reason: 'bad frame length' };
  const columns: FrameColumn[] = [];
  let expectedStart = 0;
  for (let index = 0; index < columnCount; index++) {
    const entry = frameFixedHeaderBytes + index * frameColumnEntryBytes;
    const column: FrameColumn = {
      bodyStart: view.getUint32(entry, true),
      bodyLength: view.getUint32(entry + 4, true),
      crc: view.getUint32(entry + 8, true),
      nullCount: view.getUint32(entry + 12, true),
    };
    if (column.bodyStart !== expectedStart || column.bodyStart + column.bodyLength > bodyLength) {
      return { kind: 'corrupt', reason: `bad range of column ${index + 1}` };
    }
    expectedStart = column.bodyStart + column.bodyLength;
    columns.push(column);
  }
  return {
    kind: 'ok',
    header: {
      headerLength, frameLength, metadataLength, columns,
      baseOffset: view.getBigInt64(16, true),
      commitTimestampMs: Number(view.getBigInt64(24, true)),
      commitSequence: view.getBigInt64(32, true),
      recordCount: view.getUint32(40, true),
      schemaId: view.getUint32(44, true),
      metadataCrc: view.getUint32(56, true),
      groupBatches: view.getUint32(60, true),
    },
  };
}

/** Checks the metadata and every column of a whole frame held in `frame` (starting at index 0). */
export function frameBodyIsIntact(header: FrameHeader, frame: Uint8Array): boolean {
  if (frame.byteLength < header.frameLength) return false;
  if (crc32c(frame, header.headerLength, bodyPosition(header)) !== header.metadataCrc) return false;
  const body = bodyPosition(header);
  return header.columns.every((column) => crc32c(frame, body + column.bodyStart, body + column.bodyStart + column.bodyLength) === column.crc);
}

/** The error for any damaged byte found on read: SQLSTATE XX001, naming the file and position. */
export function corruptLog(file: string, position: number, reason: string): SqlError {
  return new SqlError(SqlState.dataCorrupted, `log segment ${file} is corrupt at byte ${position}: ${reason}`);
}

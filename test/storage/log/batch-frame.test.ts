import { describe, expect, it } from 'vitest';
import { bodyPosition, decodeFrameHeader, encodeFrame, frameParts } from '../../../src/storage/log/batch-frame.js';
import { copiedBytes, copiedWordBytes, uninitializedBytes } from '../../../src/common/uninitialized.js';

const meta = { baseOffset: 7n, commitTimestampMs: 1_700_000_000_000, commitSequence: 3n, recordCount: 5, schemaId: 1 };

/** Large buffers of odd lengths (so the frame is allocated uninitialized and every buffer is padded). */
function columns(): { nullCount: number; buffers: Uint8Array[] }[] {
  const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, index) => (index * 31 + seed) & 0xff);
  return [
    { nullCount: 0, buffers: [new Uint8Array(0), bytes(70_001, 1)] },
    { nullCount: 2, buffers: [bytes(3, 2), bytes(20, 3), bytes(90_003, 4)] },
  ];
}

describe('encodeFrame', () => {
  it('writes zeros into the padding after each buffer, whatever the memory held before', () => {
    // Freed buffers full of ones make it likely that the frame's memory held garbage.
    for (let round = 0; round < 20; round++) uninitializedBytes(200_000).fill(0xff);
    const frame = encodeFrame(meta, columns(), new Uint8Array(8).fill(9));
    const decoded = decodeFrameHeader(frame, 0);
    if (decoded.kind !== 'ok') throw new Error(`frame header did not decode: ${JSON.stringify(decoded)}`);
    const body = bodyPosition(decoded.header);
    expect(decoded.header.frameLength).toBe(frame.byteLength);
    let position = body;
    for (const column of columns()) {
      for (const buffer of column.buffers) {
        expect(frame.subarray(position, position + buffer.byteLength)).toEqual(buffer);
        const padded = (buffer.byteLength + 7) & ~7;
        expect([...frame.subarray(position + buffer.byteLength, position + padded)].every((byte) => byte === 0)).toBe(true);
        position += padded;
      }
    }
    expect(position).toBe(frame.byteLength);
    // The same input always gives the same bytes.
    for (let round = 0; round < 20; round++) uninitializedBytes(frame.byteLength).fill(0xee);
    expect(encodeFrame(meta, columns(), new Uint8Array(8).fill(9))).toEqual(frame);
  });
});

describe('frameParts', () => {
  it('gives the column buffers themselves, not copies, and joined they are the frame', () => {
    const input = columns();
    const { parts, byteLength } = frameParts(meta, input, new Uint8Array(8).fill(9));
    const buffers = input.flatMap((column) => column.buffers).filter((buffer) => buffer.byteLength > 0);
    for (const buffer of buffers) expect(parts.includes(buffer)).toBe(true);
    expect(parts.reduce((sum, part) => sum + part.byteLength, 0)).toBe(byteLength);
    const joined = new Uint8Array(byteLength);
    let position = 0;
    for (const part of parts) {
      joined.set(part, position);
      position += part.byteLength;
    }
    expect(joined).toEqual(encodeFrame(meta, columns(), new Uint8Array(8).fill(9)));
  });
});

describe('uninitialized buffers', () => {
  it('copies bytes and words exactly, small and large', () => {
    for (const length of [0, 5, 16 * 1024 - 1, 16 * 1024, 100_000]) {
      const source = Uint8Array.from({ length }, (_, index) => index % 251);
      const copy = copiedBytes(source);
      expect(copy).toEqual(source);
      expect(copy.buffer).not.toBe(source.buffer);
      expect(uninitializedBytes(length).byteLength).toBe(length);
    }
    const words = Int32Array.from({ length: 10_000 }, (_, index) => index - 5_000);
    const bytes = copiedWordBytes(words, 9_999);
    expect(new Int32Array(bytes.buffer, 0, 9_999)).toEqual(words.subarray(0, 9_999));
  });
});

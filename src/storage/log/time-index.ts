// Sparse time index of one segment (Kafka's .timeindex): entries map the largest commit timestamp
// seen so far in the segment to the base offset of the batch that carried it, added with the
// offset index entries and once more when the segment is sealed, so the last entry holds the
// segment's largest timestamp. A lookup finds the last entry below a target time; every batch up
// to it is older, so the search for the first batch at or after the target starts there.
// Invariants: timestamps never decrease; relative offsets strictly increase.

import { growUint32 } from './offset-index.js';

const entryBytes = 12;

export class TimeIndex {
  private timestamps = new Float64Array(64);
  private relativeOffsets = new Uint32Array(64);
  private count = 0;

  constructor(readonly baseOffset: bigint) {}

  get length(): number {
    return this.count;
  }

  /** Largest timestamp indexed, or -Infinity. */
  lastTimestamp(): number {
    return this.count === 0 ? -Infinity : this.timestamps[this.count - 1]!;
  }

  append(timestampMs: number, offset: bigint): void {
    const relative = Number(offset - this.baseOffset);
    if (this.count > 0 && (timestampMs < this.timestamps[this.count - 1]! || relative <= this.relativeOffsets[this.count - 1]!)) return;
    if (this.count === this.timestamps.length) {
      const larger = new Float64Array(this.count * 2);
      larger.set(this.timestamps);
      this.timestamps = larger;
      this.relativeOffsets = growUint32(this.relativeOffsets);
    }
    this.timestamps[this.count] = timestampMs;
    this.relativeOffsets[this.count] = relative;
    this.count++;
  }

  /** Base offset of the batch of the last entry whose timestamp is below `timestampMs`, if any. */
  lastOffsetBefore(timestampMs: number): bigint | undefined {
    let low = 0;
    let high = this.count - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.timestamps[middle]! < timestampMs) { found = middle; low = middle + 1; } else high = middle - 1;
    }
    return found < 0 ? undefined : this.baseOffset + BigInt(this.relativeOffsets[found]!);
  }

  encode(): Uint8Array {
    const bytes = new Uint8Array(this.count * entryBytes);
    const view = new DataView(bytes.buffer);
    for (let index = 0; index < this.count; index++) {
      view.setBigInt64(index * entryBytes, BigInt(this.timestamps[index]!), true);
      view.setUint32(index * entryBytes + 8, this.relativeOffsets[index]!, true);
    }
    return bytes;
  }

  /** The index stored in `bytes`, or undefined when it is not valid or reaches past `endOffset`. */
  static decode(bytes: Uint8Array, baseOffset: bigint, endOffset: bigint): TimeIndex | undefined {
    if (bytes.byteLength % entryBytes !== 0) return undefined;
    const index = new TimeIndex(baseOffset);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at < bytes.byteLength; at += entryBytes) {
      const before = index.count;
      const offset = baseOffset + BigInt(view.getUint32(at + 8, true));
      if (offset >= endOffset) return undefined;
      index.append(Number(view.getBigInt64(at, true)), offset);
      if (index.count === before) return undefined;
    }
    return index;
  }
}

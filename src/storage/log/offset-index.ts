// Sparse offset index of one segment (Kafka's .index): entries map a batch's base offset (relative
// to the segment's base offset, u32) to the batch's byte position (u32) in the segment file, one
// entry at least every `indexIntervalBytes` of data. A lookup finds the nearest entry at or before
// the offset, so reading from any offset walks at most one interval of frame headers.
// Invariants: relative offsets and positions strictly increase; every entry points at the start of
// a frame whose base offset is the entry's offset.

const entryBytes = 8;

export class OffsetIndex {
  private relativeOffsets = new Uint32Array(64);
  private positions = new Uint32Array(64);
  private count = 0;

  constructor(readonly baseOffset: bigint) {}

  get length(): number {
    return this.count;
  }

  append(offset: bigint, position: number): void {
    const relative = Number(offset - this.baseOffset);
    if (this.count > 0 && (relative <= this.relativeOffsets[this.count - 1]! || position <= this.positions[this.count - 1]!)) return;
    if (this.count === this.positions.length) {
      this.relativeOffsets = growUint32(this.relativeOffsets);
      this.positions = growUint32(this.positions);
    }
    this.relativeOffsets[this.count] = relative;
    this.positions[this.count] = position;
    this.count++;
  }

  /** Position of the last indexed batch that starts at or before `offset`; 0 when there is none. */
  floorPosition(offset: bigint): number {
    const relative = offset - this.baseOffset;
    let low = 0;
    let high = this.count - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (BigInt(this.relativeOffsets[middle]!) <= relative) { found = middle; low = middle + 1; } else high = middle - 1;
    }
    return found < 0 ? 0 : this.positions[found]!;
  }

  /** Position of the last entry, the place to start walking to the segment's end. */
  lastPosition(): number {
    return this.count === 0 ? 0 : this.positions[this.count - 1]!;
  }

  encode(): Uint8Array {
    const bytes = new Uint8Array(this.count * entryBytes);
    const view = new DataView(bytes.buffer);
    for (let index = 0; index < this.count; index++) {
      view.setUint32(index * entryBytes, this.relativeOffsets[index]!, true);
      view.setUint32(index * entryBytes + 4, this.positions[index]!, true);
    }
    return bytes;
  }

  /** The index stored in `bytes`, or undefined when it is not a valid index of a file of `fileSize` bytes. */
  static decode(bytes: Uint8Array, baseOffset: bigint, fileSize: number): OffsetIndex | undefined {
    if (bytes.byteLength % entryBytes !== 0) return undefined;
    const index = new OffsetIndex(baseOffset);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at < bytes.byteLength; at += entryBytes) {
      const before = index.count;
      const position = view.getUint32(at + 4, true);
      if (position >= fileSize) return undefined;
      index.append(baseOffset + BigInt(view.getUint32(at, true)), position);
      if (index.count === before) return undefined;
    }
    return index;
  }
}

export function growUint32(array: Uint32Array): Uint32Array<ArrayBuffer> {
  const larger = new Uint32Array(array.length * 2);
  larger.set(array);
  return larger;
}

// Strings of short plain-ASCII COPY fields, reused when the same bytes come again. Low-cardinality
// text columns (status codes, priorities, country names) then cost one hash and one compare per
// value instead of a new string each, which also spares the garbage collector: all rows of a COPY
// stay alive until its end. One cache per column, a fixed number of slots, each holding the last
// string that hashed to it.

/** Fields longer than this are always decoded afresh. */
const cachedBytesMax = 24;
const slotCount = 256;

export class ShortTextCache {
  private readonly slots: (string | undefined)[] = new Array<string | undefined>(slotCount);

  /** bytes[start, end) as a string; the bytes must be plain ASCII. */
  text(bytes: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > cachedBytesMax) return bytes.toString('latin1', start, end);
    let hash = length;
    for (let at = start; at < end; at++) hash = Math.imul(hash ^ (bytes[at] as number), 0x01000193);
    const slot = (hash ^ (hash >>> 16)) & (slotCount - 1);
    const cached = this.slots[slot];
    if (cached !== undefined && cached.length === length && sameText(cached, bytes, start)) return cached;
    const fresh = bytes.toString('latin1', start, end);
    this.slots[slot] = fresh;
    return fresh;
  }
}

function sameText(text: string, bytes: Buffer, start: number): boolean {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) !== bytes[start + index]) return false;
  }
  return true;
}

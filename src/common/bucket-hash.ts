// The hash that places a row in a bucket: FNV-1a over the text forms of the bucket-key values.
// Writes route by it and reads prune by it, so both must use this one definition; it is stable
// across restarts and versions (changing it would misplace every stored row).

import type { DataType, Value } from './types.js';
import { formatText } from './value-text.js';

/** FNV-1a over the text forms of the bucket-key values. */
export function bucketOf(values: readonly string[], buckets: number): number {
  let hash = 0x811c9dc5;
  for (const value of values) {
    for (let i = 0; i < value.length; i++) {
      hash ^= value.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= 0xff;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}

/** The bucket of the bucket-key values (in bucket-key order, of the given column types). */
export function bucketOfValues(types: readonly DataType[], values: readonly Value[], buckets: number): number {
  return bucketOf(values.map((value, i) => {
    const type = types[i];
    return value === null || type === undefined ? '' : formatText(type, value);
  }), buckets);
}

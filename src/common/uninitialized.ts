// Buffers a caller fills completely before anyone reads them, allocated without zeroing. A large
// zero-filled ArrayBuffer is a calloc, and jemalloc (the server's allocator where the machine has
// it) zeroes a large reused extent by handing its pages back to the kernel, so every page of it
// faults again on first write: a bulk load that builds and copies column buffers then spends as
// much time in page faults as in its own work. Small buffers come from slabs either way.

/** Below this many bytes a zeroed buffer costs no more than an uninitialized one. */
const smallBytes = 16 * 1024;

/** `length` bytes of unspecified contents; the caller writes every byte it later reads. */
export function uninitializedBytes(length: number): Uint8Array<ArrayBuffer> {
  if (length < smallBytes) return new Uint8Array(length);
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer as ArrayBuffer, 0, length);
}

/** A copy of `source` in a buffer of its own (what `slice()` gives, without zeroing first). */
export function copiedBytes(source: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = uninitializedBytes(source.byteLength);
  copy.set(source);
  return copy;
}

/** The bytes of `source[0, length)` words, copied into a buffer of their own. */
export function copiedWordBytes(source: Int32Array, length: number): Uint8Array<ArrayBuffer> {
  return copiedBytes(new Uint8Array(source.buffer, source.byteOffset, length * 4));
}

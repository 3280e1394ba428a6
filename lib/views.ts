// Byte views of callers' buffers. node's methods take any ArrayBufferView
// (a Float64Array, a DataView, a slice of a larger buffer); the kernel and
// DirectFile take bytes: a Uint8Array on the same memory, never a copy.
// Apart from buffers.ts, which is the public allocation and alignment API
// and loads the addon: these are arithmetic on views, for any module.

export function bytesOf(view: ArrayBufferView, offset = 0, length = view.byteLength - offset): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + offset, length);
}

/** The bytes of all of `views`. */
export function byteLengthOf(views: readonly ArrayBufferView[]): number {
  let n = 0;
  for (const v of views) n += v.byteLength;
  return n;
}

/** What is left of `views` once their first `skip` bytes are filled. */
export function viewsAfter(views: readonly ArrayBufferView[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const v of views) {
    const drop = Math.min(skip, v.byteLength);
    skip -= drop;
    if (drop < v.byteLength) out.push(bytesOf(v, drop, v.byteLength - drop));
  }
  return out;
}

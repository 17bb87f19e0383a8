/**
 * Typed arrays on SharedArrayBuffers. Columns of large data sets live in shared memory so that
 * worker threads (feature computation) can read them in place instead of receiving copies; the
 * arrays are ordinary typed arrays to every other reader.
 */
export type NumericArray = Float64Array | Float32Array | Uint32Array | Int32Array | Uint8Array;
type NumericArrayConstructor<T extends NumericArray> = { new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number };

export function sharedArray<T extends NumericArray>(ctor: NumericArrayConstructor<T>, length: number): T {
  return new ctor(new SharedArrayBuffer(length * ctor.BYTES_PER_ELEMENT), 0, length);
}

/** An empty typed array of the same type as `like`, in shared memory. */
export function sharedLike<T extends NumericArray>(like: T, length: number): T {
  return sharedArray(like.constructor as unknown as NumericArrayConstructor<T>, length);
}

export function isShared(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** `a` itself when it is in shared memory, else a shared copy. */
export function toShared<T extends NumericArray>(a: T): T {
  if (isShared(a)) return a;
  const out = sharedLike(a, a.length);
  out.set(a as never);
  return out;
}

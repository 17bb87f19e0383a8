/** `size` zeros: the start of `into` when given (it must be long enough), else a new array. */
export function zeroedMatrix(size: number, into?: Float32Array): Float32Array {
  if (!into) return new Float32Array(size);
  if (into.length < size) throw new Error(`internal: a feature buffer of ${into.length} values cannot take ${size}`);
  return into.subarray(0, size).fill(0);
}

// AssemblyScript entry: the kernels of ntc's WebAssembly LSTM engine (src/nn/wasm-model.ts).
// Built twice by `npm run build`: plain 128-bit SIMD, and with relaxed SIMD (fused multiply-add)
// for runtimes that support it; the engine picks the build the runtime validates.
export { gemm, transpose, sumRows, addInto, mulInto, multiply, zero, toTimeMajor } from './gemm';
export { cellForward, cellBackward, carryRows, dropoutMask } from './lstm';
export { softmaxCrossEntropy, squaredError } from './loss';
export { adam } from './adam';

/**
 * First byte after the module's static data (math tables): every instantiation writes that data
 * again, so the engine's buffers must start above it.
 */
export function heapBase(): usize {
  return __heap_base;
}

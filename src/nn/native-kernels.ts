import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { LstmKernels } from './wasm-kernels.js';

/**
 * The native build of the kernels (src/nn/native/kernels.cc, compiled at install by
 * scripts/build-native.js with the CPU's vector width), behind the same LstmKernels interface as
 * the WebAssembly build, on the same shared memory: each call passes the memory's base address.
 */
type NativeModule = {
  attach(view: Float32Array): number;
  vectorWidth(): number;
} & Record<Exclude<keyof LstmKernels, 'heapBase'>, (base: number, ...args: number[]) => void>;

const path = new URL('./native/ntc-kernels.node', import.meta.url);
let loaded: NativeModule | null | undefined;
let loadError = '';

/** The native module, or null when it was not built or does not load here. */
export function nativeModule(): NativeModule | null {
  if (loaded !== undefined) return loaded;
  if (!existsSync(path)) {
    loadError = `${path.pathname} was not built (a C++ compiler and Node's headers are needed; see npm run build)`;
    loaded = null;
    return null;
  }
  try {
    loaded = createRequire(import.meta.url)(path.pathname) as NativeModule;
  } catch (err) {
    loadError = `${path.pathname} does not load: ${(err as Error).message}`;
    loaded = null;
  }
  return loaded;
}

/** Why the native kernels are unavailable ('' when they are). */
export function nativeUnavailableReason(): string {
  nativeModule();
  return loadError;
}

export function nativeKernels(memory: WebAssembly.Memory): LstmKernels {
  const m = nativeModule();
  if (!m) throw new Error(`the native kernels are unavailable: ${loadError}; use --engine wasm`);
  const base = m.attach(new Float32Array(memory.buffer, 0, 1));
  return {
    heapBase: () => 1024,
    gemm: (a, ars, acs, b, ldb, c, ldc, mm, n, k, accumulate, bias) => m.gemm(base, a, ars, acs, b, ldb, c, ldc, mm, n, k, accumulate, bias),
    transpose: (src, rows, cols, dst) => m.transpose(base, src, rows, cols, dst),
    sumRows: (x, rows, cols, out, accumulate) => m.sumRows(base, x, rows, cols, out, accumulate),
    addInto: (x, y, n) => m.addInto(base, x, y, n),
    mulInto: (mask, x, n) => m.mulInto(base, mask, x, n),
    multiply: (x, mask, out, n) => m.multiply(base, x, mask, out, n),
    zero: (x, n) => m.zero(base, x, n),
    toTimeMajor: (src, rows, seqLen, span, width, dst) => m.toTimeMajor(base, src, rows, seqLen, span, width, dst),
    cellForward: (z, cPrev, hPrev, c, tc, h, mask, rows, units) => m.cellForward(base, z, cPrev, hPrev, c, tc, h, mask, rows, units),
    cellBackward: (dh, dc, act, cPrev, tc, dz, mask, rows, units) => m.cellBackward(base, dh, dc, act, cPrev, tc, dz, mask, rows, units),
    carryRows: (mask, src, dst, rows, units) => m.carryRows(base, mask, src, dst, rows, units),
    dropoutMask: (out, n, first, seed, rate) => m.dropoutMask(base, out, n, first, seed, rate),
    softmaxCrossEntropy: (logits, y, w, rows, k, scale, dlogits, result) => m.softmaxCrossEntropy(base, logits, y, w, rows, k, scale, dlogits, result),
    squaredError: (out, y, w, rows, classes, scale, dout, result) => m.squaredError(base, out, y, w, rows, classes, scale, dout, result),
    adam: (w, g, mm, v, n, lr, b1, b2, eps, c1, c2) => m.adam(base, w, g, mm, v, n, lr, b1, b2, eps, c1, c2),
  };
}

import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
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
const buildInfo = new URL('./native/ntc-kernels.json', import.meta.url);
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
  const mismatch = cpuMismatch();
  if (mismatch) {
    loadError = `${path.pathname} was compiled for another CPU (${mismatch}); rebuild with npm run build`;
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

/**
 * Code built with -march=native stops the process with SIGILL on a CPU without its instructions,
 * which no try/catch can catch: compare the build machine's CPU with this one before loading.
 * Returns what differs, or '' when this CPU has everything the build had.
 */
function cpuMismatch(): string {
  let info: BuildCpu;
  try {
    info = JSON.parse(readFileSync(buildInfo, 'utf8')) as BuildCpu;
  } catch {
    return 'no record of the CPU it was built for';
  }
  return compareCpu(info, currentFlags(), cpus()[0]?.model ?? '');
}

/** The CPU a native build was made on (scripts/build-native.js writes it beside the module). */
export interface BuildCpu {
  cpu: string;
  /** /proc/cpuinfo flags, or null where there is no /proc/cpuinfo. */
  flags: string[] | null;
}

/** What the build's CPU had that this one lacks ('' when nothing): flags where both are known, else the model name. */
export function compareCpu(build: BuildCpu, here: Set<string> | null, model: string): string {
  if (build.flags && here) {
    const missing = build.flags.filter((f) => !here.has(f));
    return missing.length ? `this CPU lacks ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}` : '';
  }
  return build.cpu === model ? '' : `built on "${build.cpu}", running on "${model}"`;
}

function currentFlags(): Set<string> | null {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^flags\s*:/.test(l));
    return line ? new Set(line.replace(/^flags\s*:\s*/, '').trim().split(/\s+/)) : null;
  } catch {
    return null;
  }
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

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/**
 * The compiled AssemblyScript kernels of src/nn/kernels (built by scripts/build-kernels.js) and
 * the shared memory they run on. Every pointer is a byte offset into that memory.
 */
export interface LstmKernels {
  gemm(a: number, ars: number, acs: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, accumulate: number, bias: number): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
  sumRows(x: number, rows: number, cols: number, out: number, accumulate: number): void;
  addInto(x: number, y: number, n: number): void;
  mulInto(m: number, x: number, n: number): void;
  multiply(x: number, m: number, out: number, n: number): void;
  zero(x: number, n: number): void;
  toTimeMajor(src: number, rows: number, seqLen: number, span: number, width: number, dst: number): void;
  cellForward(z: number, cPrev: number, hPrev: number, c: number, tc: number, h: number, mask: number, rows: number, units: number): void;
  cellBackward(dh: number, dc: number, act: number, cPrev: number, tc: number, dz: number, mask: number, rows: number, units: number): void;
  carryRows(mask: number, src: number, dst: number, rows: number, units: number): void;
  dropoutMask(out: number, n: number, first: number, seed: number, rate: number): void;
  softmaxCrossEntropy(logits: number, y: number, w: number, rows: number, k: number, scale: number, dlogits: number, result: number): void;
  squaredError(out: number, y: number, w: number, rows: number, classes: number, scale: number, dout: number, result: number): void;
  heapBase(): number;
  adam(w: number, g: number, m: number, v: number, n: number, lr: number, b1: number, b2: number, eps: number, c1: number, c2: number): void;
}

/** 64 KiB pages; the kernels are built with this maximum (2 GiB keeps offsets positive int32s). */
export const MAX_PAGES = 32768;

export type KernelBuild = 'lstm-simd' | 'lstm-relaxed-simd';

let compiled: { module: WebAssembly.Module; build: KernelBuild } | undefined;

/**
 * The kernel module, compiled once per thread: the relaxed-SIMD build (fused multiply-add, ~20 %
 * faster products) where the runtime accepts it, else the plain SIMD build.
 * NTC_KERNELS=lstm-simd forces the plain build (for comparisons).
 */
export function kernelModule(): { module: WebAssembly.Module; build: KernelBuild } {
  if (compiled) return compiled;
  const forced = process.env.NTC_KERNELS as KernelBuild | undefined;
  const candidates: KernelBuild[] = forced ? [forced] : ['lstm-relaxed-simd', 'lstm-simd'];
  for (const build of candidates) {
    const url = new URL(`./kernels/${build}.wasm`, import.meta.url);
    let bytes: Buffer;
    try {
      bytes = readFileSync(url);
    } catch (err) {
      throw new Error(`cannot read the WebAssembly kernels ${url.pathname} (run npm run build): ${(err as Error).message}`);
    }
    if (!(WebAssembly.validate(bytes) || (build === 'lstm-relaxed-simd' && enableRelaxedSimd(bytes)))) continue;
    compiled = { module: new WebAssembly.Module(bytes), build };
    return compiled;
  }
  throw new Error(`this runtime cannot run the WebAssembly SIMD kernels (${candidates.join(', ')}); use --engine tfjs`);
}

/**
 * Relaxed SIMD is part of the WebAssembly standard and on by default from Node 22 (V8 11.4);
 * Node 20's V8 has the same implementation behind a flag. V8 reads wasm feature flags when it
 * validates or compiles, so turning the flag on before the first compile enables it for this
 * process and its worker threads.
 */
function enableRelaxedSimd(bytes: Buffer): boolean {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

export function createMemory(pages: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
}

export function instantiateKernels(memory: WebAssembly.Memory): LstmKernels {
  const instance = new WebAssembly.Instance(kernelModule().module, {
    env: {
      memory,
      abort: () => {
        throw new Error('WebAssembly kernel aborted');
      },
    },
  });
  return instance.exports as unknown as LstmKernels;
}

/** Which build of the kernels an engine runs: WebAssembly (portable) or native (src/nn/native). */
export type KernelKind = 'wasm' | 'native';

/** The kernels of `kind` over `memory`; the native module is loaded only when asked for. */
export async function kernelsFor(kind: KernelKind, memory: WebAssembly.Memory): Promise<LstmKernels> {
  if (kind === 'wasm') return instantiateKernels(memory);
  return (await import('./native-kernels.js')).nativeKernels(memory);
}

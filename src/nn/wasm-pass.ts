import { type ModelSpec, weightShapes } from './engine.js';
import type { LstmKernels } from './wasm-kernels.js';

/**
 * Where everything of the WebAssembly engine lives in its shared memory, and the forward and
 * backward pass one thread runs over its share of a batch's rows. The main thread and the worker
 * threads compute the same plan from the same numbers, so only a few integers cross between them.
 *
 * Per thread, data are time-major: row t * R + r is step t of the thread's r-th sequence.
 * Offsets are in bytes.
 */

const F = 4; // bytes per float32

export interface ParamPlan {
  /** Floats in one copy of all weights (each tensor padded to 4 floats). */
  count: number;
  /** Byte offset of each tensor inside one copy, in weightShapes order. */
  offsets: number[];
  sizes: number[];
  weights: number;
  /** One gradient copy per thread. */
  grads: number[];
  m: number;
  v: number;
}

export interface LayerPlan {
  units: number;
  inputs: number;
  /** Pre-activations, then activated gates, then (in place) their gradient: S x R x 4H. */
  z: number;
  /** States with the zero initial state first: (S + 1) x R x H. */
  c: number;
  h: number;
  tc: number;
  drop: number;
  dropped: number;
  /** Gradient into the layer's output: S x R x H. */
  dOut: number;
  dc: number;
  dhNext: number;
  /** Transposed recurrent and input kernels: 4H x H and 4H x inputs. */
  uT: number;
  wT: number;
}

export interface ThreadPlan {
  /** Rows (sequences) this workspace holds at most. */
  capacity: number;
  x: number;
  y: number;
  w: number;
  mask: number;
  layers: LayerPlan[];
  logits: number;
  dlogits: number;
  wdT: number;
  /** Two float64: loss sum, correct rows. */
  result: number;
}

/**
 * A whole batch handed to the workers at once (background predict): inputs and mask as the caller
 * has them (batch-major), and the outputs, batch-major too. Placed after the workspaces.
 */
export interface BulkPlan {
  /** Rows the areas hold (0: none). */
  rows: number;
  x: number;
  mask: number;
  out: number;
}

export interface MemoryPlan {
  params: ParamPlan;
  bulk: BulkPlan;
  /** The whole batch's inputs as the caller has them (batch-major), before each share is laid out time-major. */
  stage: number;
  threads: ThreadPlan[];
  /** Bytes in use. */
  end: number;
}

class Bump {
  constructor(public at: number) {}
  /** `floats` float32 values, 16-byte aligned. */
  take(floats: number): number {
    const p = this.at;
    this.at += Math.ceil(floats / 4) * 16;
    return p;
  }
}

/**
 * The memory plan for `threads` workspaces of `capacity` rows each, from `base` (the kernels'
 * heapBase(), above their static data; never 0, which means "none" to the kernels).
 */
export function memoryPlan(spec: ModelSpec, threads: number, capacity: number, base: number, bulkRows = 0): MemoryPlan {
  const bump = new Bump(Math.max(1024, Math.ceil(base / 1024) * 1024));
  const sizes = weightShapes(spec).map((s) => s.shape.reduce((a, b) => a * b, 1));
  const offsets: number[] = [];
  let count = 0;
  for (const n of sizes) {
    offsets.push(count * F);
    count += Math.ceil(n / 4) * 4;
  }
  const params: ParamPlan = {
    count, offsets, sizes,
    weights: bump.take(count),
    grads: Array.from({ length: threads }, () => bump.take(count)),
    m: bump.take(count),
    v: bump.take(count),
  };
  const S = spec.seqLen;
  const R = capacity;
  const K = spec.outputs;
  const stage = bump.take(threads * R * S * spec.inputSize);
  const plans: ThreadPlan[] = [];
  for (let t = 0; t < threads; t++) {
    let inputs = spec.inputSize;
    const x = bump.take(S * R * inputs);
    const y = bump.take(S * R);
    const w = bump.take(S * R);
    const mask = bump.take(S * R);
    const layers = spec.layers.map((H) => {
      const l: LayerPlan = {
        units: H, inputs,
        z: bump.take(S * R * 4 * H),
        c: bump.take((S + 1) * R * H),
        h: bump.take((S + 1) * R * H),
        tc: bump.take(S * R * H),
        drop: bump.take(S * R * H),
        dropped: bump.take(S * R * H),
        dOut: bump.take(S * R * H),
        dc: bump.take(R * H),
        dhNext: bump.take(R * H),
        uT: bump.take(4 * H * H),
        wT: bump.take(4 * H * inputs),
      };
      inputs = H;
      return l;
    });
    plans.push({
      capacity, x, y, w, mask, layers,
      logits: bump.take(S * R * K),
      dlogits: bump.take(S * R * K),
      wdT: bump.take(K * inputs),
      result: bump.take(4),
    });
  }
  const bulk: BulkPlan = { rows: bulkRows, x: bump.take(bulkRows * S * spec.inputSize), mask: bump.take(bulkRows * S), out: bump.take(bulkRows * S * K) };
  return { params, bulk, stage, threads: plans, end: bump.at };
}

export const enum PassMode {
  /** Forward with dropout, loss, gradients into this thread's gradient copy. */
  Train = 1,
  /** Forward without dropout, loss. */
  Evaluate = 2,
  /** Forward without dropout; probabilities (or regression outputs) left in `logits`. */
  Predict = 3,
  /** Forward without dropout, loss and gradients (for gradient checks). */
  Gradients = 4,
  /** Predict over rows of the bulk areas, in chunks of the workspace's capacity (wasm-bulk.ts). */
  PredictBulk = 5,
}

export interface PassJob {
  mode: PassMode;
  /** Sequences in this thread's share. */
  rows: number;
  /** Steps computed (up to the batch's last real step). */
  span: number;
  /** Padding before or between real steps: carry state through masked rows. */
  carry: boolean;
  /** Position of this share's first row in the whole batch, and the batch's rows (dropout masks index the whole batch). */
  rowOffset: number;
  batchRows: number;
  /** Gradient scale: 1 / real steps in the whole batch. */
  scale: number;
  dropoutSeed: number;
}

/** One thread's forward and backward pass over its rows, on the weights in shared memory. */
export class LstmPass {
  constructor(
    private readonly k: LstmKernels,
    private readonly memory: WebAssembly.Memory,
    private readonly spec: ModelSpec,
    private readonly params: ParamPlan,
    private readonly plan: ThreadPlan,
    private readonly grads: number,
  ) {}

  /** Runs the job; puts [loss sum, correct rows] into `result` for modes with targets. */
  run(job: PassJob, result: Float64Array): void {
    const { k, spec, plan } = this;
    const R = job.rows;
    const S = job.span;
    const n = S * R;
    const K = spec.outputs;
    const training = job.mode === PassMode.Train;
    const dropout = training && spec.dropout > 0;
    const mask = job.carry ? plan.mask : 0;
    const W = this.params.weights;
    const off = this.params.offsets;
    let input = plan.x;
    spec.layers.forEach((H, l) => {
      const L = plan.layers[l];
      const kernel = W + off[3 * l];
      const recurrent = W + off[3 * l + 1];
      const bias = W + off[3 * l + 2];
      const rowBytes = R * H * F;
      k.gemm(input, L.inputs, 1, kernel, 4 * H, L.z, 4 * H, n, 4 * H, L.inputs, 0, bias);
      k.zero(L.c, R * H);
      k.zero(L.h, R * H);
      for (let t = 0; t < S; t++) {
        const zt = L.z + t * R * 4 * H * F;
        const hPrev = L.h + t * rowBytes;
        if (t > 0) k.gemm(hPrev, H, 1, recurrent, 4 * H, zt, 4 * H, R, 4 * H, H, 1, 0);
        k.cellForward(zt, L.c + t * rowBytes, hPrev, L.c + (t + 1) * rowBytes, L.tc + t * rowBytes, L.h + (t + 1) * rowBytes, mask && mask + t * R * F, R, H);
      }
      input = L.h + rowBytes;
      if (dropout) {
        const seed = mixSeed(job.dropoutSeed, l);
        for (let t = 0; t < S; t++) k.dropoutMask(L.drop + t * rowBytes, R * H, (t * job.batchRows + job.rowOffset) * H, seed, spec.dropout);
        k.multiply(input, L.drop, L.dropped, n * H);
        input = L.dropped;
      }
    });
    const last = spec.layers.length;
    const Hl = spec.layers[last - 1];
    const denseKernel = W + off[3 * last];
    const denseBias = W + off[3 * last + 1];
    k.gemm(input, Hl, 1, denseKernel, K, plan.logits, K, n, K, Hl, 0, denseBias);

    const backward = training || job.mode === PassMode.Gradients;
    const dl = backward ? plan.dlogits : 0;
    if (spec.loss === 'crossentropy') k.softmaxCrossEntropy(plan.logits, plan.y, plan.w, n, K, job.scale, dl, plan.result);
    else k.squaredError(plan.logits, plan.y, plan.w, n, spec.classes ?? 2, job.scale, dl, plan.result);
    if (job.mode !== PassMode.Predict) {
      const r = new Float64Array(this.memory.buffer, plan.result, 2);
      result[0] = r[0];
      result[1] = r[1];
    }
    if (!backward) return;

    const G = this.grads;
    k.gemm(input, 1, Hl, plan.dlogits, K, G + off[3 * last], K, Hl, K, n, 0, 0);
    k.sumRows(plan.dlogits, n, K, G + off[3 * last + 1], 0);
    k.transpose(denseKernel, Hl, K, plan.wdT);
    k.gemm(plan.dlogits, K, 1, plan.wdT, Hl, plan.layers[last - 1].dOut, Hl, n, Hl, K, 0, 0);
    for (let l = last - 1; l >= 0; l--) {
      const L = plan.layers[l];
      const H = L.units;
      const rowBytes = R * H * F;
      const recurrent = W + off[3 * l + 1];
      if (dropout) k.mulInto(L.drop, L.dOut, n * H);
      k.zero(L.dc, R * H);
      k.transpose(recurrent, H, 4 * H, L.uT);
      for (let t = S - 1; t >= 0; t--) {
        const zt = L.z + t * R * 4 * H * F;
        const dh = L.dOut + t * rowBytes;
        const maskT = mask && mask + t * R * F;
        if (t < S - 1) k.addInto(L.dhNext, dh, R * H);
        k.cellBackward(dh, L.dc, zt, L.c + t * rowBytes, L.tc + t * rowBytes, zt, maskT, R, H);
        if (t > 0) {
          k.gemm(zt, 4 * H, 1, L.uT, H, L.dhNext, H, R, H, 4 * H, 0, 0);
          if (maskT) k.carryRows(maskT, dh, L.dhNext, R, H);
        }
      }
      const layerInput = l === 0 ? plan.x : (dropout ? plan.layers[l - 1].dropped : plan.layers[l - 1].h + R * plan.layers[l - 1].units * F);
      k.gemm(layerInput, 1, L.inputs, L.z, 4 * H, G + off[3 * l], 4 * H, L.inputs, 4 * H, n, 0, 0);
      if (S > 1) k.gemm(L.h + rowBytes, 1, H, L.z + R * 4 * H * F, 4 * H, G + off[3 * l + 1], 4 * H, H, 4 * H, (S - 1) * R, 0, 0);
      else k.zero(G + off[3 * l + 1], H * 4 * H);
      k.sumRows(L.z, n, 4 * H, G + off[3 * l + 2], 0);
      if (l > 0) {
        k.transpose(W + off[3 * l], L.inputs, 4 * H, L.wT);
        k.gemm(L.z, 4 * H, 1, L.wT, L.inputs, plan.layers[l - 1].dOut, L.inputs, n, L.inputs, 4 * H, 0, 0);
      }
    }
  }
}

/** A per-layer dropout seed from the batch's: layers must not share masks. */
export function mixSeed(seed: number, salt: number): number {
  let x = (seed ^ Math.imul(salt + 1, 0x27d4eb2d)) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
  x = Math.imul(x ^ (x >>> 12), 0x297a2d39) >>> 0;
  return (x ^ (x >>> 15)) >>> 0;
}

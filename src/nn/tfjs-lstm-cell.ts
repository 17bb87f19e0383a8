import type * as TF from '@tensorflow/tfjs';

/**
 * The elementwise half of one LSTM step as a single tfjs kernel (forward and gradient). Built from
 * tfjs ops the step takes ~14 kernels forward and ~30 backward, and the gate split/concat copy
 * whole tensors out of wasm memory on every call. Here the sigmoids run as the wasm backend's own
 * (SIMD) Sigmoid kernel — tanh(x) = 2 sigmoid(2x) - 1, since JS Math.exp/tanh cost ~50x more per
 * element — and the products and sums run as plain JS loops over views of wasm memory.
 *
 * Forward: z [B, 4H] pre-activations in gate order i, f, g, o and c [B, H] the previous cell
 * state give h = o * tanh(c'), c' = f * c + i * g; the activated gates and tanh(c') are saved
 * for the gradient, which is pure arithmetic.
 */
const CELL = 'NtcLstmCell';
const CELL_GRAD = 'NtcLstmCellGrad';

/** The wasm backend's internals these kernels use (not part of tfjs's public typings). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): TF.TensorInfo;
  typedArrayFromHeap(t: TF.TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

type KernelArgs = { inputs: Record<string, TF.TensorInfo>; backend: unknown };

let registered = false;
let wasmSigmoid: TF.KernelFunc;

/** Registers the kernels once per process on the `wasm` backend. */
export function registerLstmCell(tf: typeof TF): void {
  if (registered) return;
  registered = true;
  const sig = tf.getKernel('Sigmoid', 'wasm');
  if (!sig) throw new Error('the tfjs wasm backend has no Sigmoid kernel');
  wasmSigmoid = sig.kernelFunc;
  tf.registerKernel({ kernelName: CELL, backendName: 'wasm', kernelFunc: cellForward as unknown as TF.KernelFunc });
  tf.registerKernel({ kernelName: CELL_GRAD, backendName: 'wasm', kernelFunc: cellBackward as unknown as TF.KernelFunc });
  tf.registerGradient({
    kernelName: CELL,
    inputsToSave: ['c'],
    outputsToSave: [false, false, true, true],
    gradFunc: (dy: TF.Tensor | TF.Tensor[], saved: TF.Tensor[]) => {
      const [dh, dc] = dy as (TF.Tensor | null)[];
      const [c, act, tc] = saved;
      const zero = () => tf.zerosLike(c);
      const [dz, dcPrev] = tf.engine().runKernel(CELL_GRAD, { dh: dh ?? zero(), dc: dc ?? zero(), act, c, tc }) as TF.Tensor[];
      return { z: () => dz, c: () => dcPrev };
    },
  });
}

/**
 * h and c' of one step; `c` is the previous cell state (zeros at the first step). `act` (the
 * activated gates) and `tc` (tanh c') are what the gradient needs.
 */
export function lstmCell(tf: typeof TF, z: TF.Tensor2D, c: TF.Tensor2D): { h: TF.Tensor2D; c: TF.Tensor2D; act: TF.Tensor2D; tc: TF.Tensor2D } {
  const [h, cNew, act, tc] = tf.engine().runKernel(CELL, { z, c }) as TF.Tensor2D[];
  return { h, c: cNew, act, tc };
}

/** Gradient of one step: from dL/dh and dL/dc' to dL/dz and dL/dc (for hand-written backpropagation). */
export function lstmCellGrad(
  tf: typeof TF, dh: TF.Tensor2D, dc: TF.Tensor2D, act: TF.Tensor2D, c: TF.Tensor2D, tc: TF.Tensor2D,
): { dz: TF.Tensor2D; dcPrev: TF.Tensor2D } {
  const [dz, dcPrev] = tf.engine().runKernel(CELL_GRAD, { dh, dc, act, c, tc }) as TF.Tensor2D[];
  return { dz, dcPrev };
}

function sigmoidOf(be: WasmBackend, x: TF.TensorInfo): TF.TensorInfo {
  return wasmSigmoid({ inputs: { x }, backend: be as unknown as TF.KernelBackend, attrs: {} }) as TF.TensorInfo;
}

function cellForward({ inputs, backend }: KernelArgs): TF.TensorInfo[] {
  const be = backend as WasmBackend;
  const { z, c } = inputs;
  const [B, H4] = z.shape;
  const H = H4 / 4;
  const n = B * H;
  // 1. Double the g block, so one sigmoid over [B, 4H] yields all gates (g = 2 sigmoid(2z) - 1).
  const zs = be.makeOutput([B, H4], 'float32');
  {
    const zv = be.typedArrayFromHeap(z);
    const zsv = be.typedArrayFromHeap(zs);
    zsv.set(zv);
    for (let b = 0; b < B; b++) for (let j = b * H4 + 2 * H, e = j + H; j < e; j++) zsv[j] *= 2;
  }
  const act = sigmoidOf(be, zs);
  be.disposeData(zs.dataId);
  // 2. Gates and c' = f * c + i * g; keep 2c' for the second sigmoid.
  const cNew = be.makeOutput([B, H], 'float32');
  const c2 = be.makeOutput([B, H], 'float32');
  {
    const av = be.typedArrayFromHeap(act);
    const cv = be.typedArrayFromHeap(c);
    const cnv = be.typedArrayFromHeap(cNew);
    const c2v = be.typedArrayFromHeap(c2);
    for (let b = 0; b < B; b++) {
      const zr = b * H4;
      const r = b * H;
      for (let j = 0; j < H; j++) {
        const g = 2 * av[zr + 2 * H + j] - 1;
        av[zr + 2 * H + j] = g;
        const cn = av[zr + H + j] * cv[r + j] + av[zr + j] * g;
        cnv[r + j] = cn;
        c2v[r + j] = 2 * cn;
      }
    }
  }
  // 3. tanh(c') and h = o * tanh(c').
  const tc = sigmoidOf(be, c2);
  be.disposeData(c2.dataId);
  const h = be.makeOutput([B, H], 'float32');
  {
    const av = be.typedArrayFromHeap(act);
    const tv = be.typedArrayFromHeap(tc);
    const hv = be.typedArrayFromHeap(h);
    for (let k = 0; k < n; k++) tv[k] = 2 * tv[k] - 1;
    for (let b = 0; b < B; b++) {
      const zr = b * H4 + 3 * H;
      const r = b * H;
      for (let j = 0; j < H; j++) hv[r + j] = av[zr + j] * tv[r + j];
    }
  }
  return [h, cNew, act, tc];
}

function cellBackward({ inputs, backend }: KernelArgs): TF.TensorInfo[] {
  const be = backend as WasmBackend;
  const { dh, dc, act, c, tc } = inputs;
  const [B, H4] = act.shape;
  const H = H4 / 4;
  const dz = be.makeOutput([B, H4], 'float32');
  const dcPrev = be.makeOutput([B, H], 'float32');
  const dhv = be.typedArrayFromHeap(dh);
  const dcv = be.typedArrayFromHeap(dc);
  const av = be.typedArrayFromHeap(act);
  const cv = be.typedArrayFromHeap(c);
  const tv = be.typedArrayFromHeap(tc);
  const dzv = be.typedArrayFromHeap(dz);
  const dpv = be.typedArrayFromHeap(dcPrev);
  for (let b = 0; b < B; b++) {
    const zr = b * H4;
    const r = b * H;
    for (let j = 0; j < H; j++) {
      const i = av[zr + j];
      const f = av[zr + H + j];
      const g = av[zr + 2 * H + j];
      const o = av[zr + 3 * H + j];
      const t = tv[r + j];
      const dhj = dhv[r + j];
      const dct = dcv[r + j] + dhj * o * (1 - t * t);
      dzv[zr + j] = dct * g * i * (1 - i);
      dzv[zr + H + j] = dct * cv[r + j] * f * (1 - f);
      dzv[zr + 2 * H + j] = dct * i * (1 - g * g);
      dzv[zr + 3 * H + j] = dhj * t * o * (1 - o);
      dpv[r + j] = dct * f;
    }
  }
  return [dz, dcPrev];
}

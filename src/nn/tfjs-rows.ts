import type * as TF from '@tensorflow/tfjs';

/**
 * Cutting a [steps * B, C] tensor into per-step [B, C] blocks and joining them back, both
 * differentiable. The wasm backend's Slice/Split copy the whole input out of wasm memory for
 * every piece (readSync), so a per-step split costs steps x the whole tensor; these copy only
 * each piece. They let the model run the input projection and the output layer as one large
 * matMul over all steps instead of one small matMul per step.
 */
const SPLIT_ROWS = 'NtcSplitRows';

interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): TF.TensorInfo;
  typedArrayFromHeap(t: TF.TensorInfo): Float32Array;
}

let registered = false;
let concatRowsGrad: ((...xs: TF.Tensor[]) => TF.Tensor) | undefined;

export function registerRows(tf: typeof TF): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: SPLIT_ROWS,
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: { inputs: { x: TF.TensorInfo }; backend: unknown; attrs: { pieces: number } }) => {
      const be = backend as WasmBackend;
      const [rows, cols] = inputs.x.shape;
      const per = rows / attrs.pieces;
      const outs = Array.from({ length: attrs.pieces }, () => be.makeOutput([per, cols], 'float32'));
      const xv = be.typedArrayFromHeap(inputs.x);
      outs.forEach((o, i) => be.typedArrayFromHeap(o).set(xv.subarray(i * per * cols, (i + 1) * per * cols)));
      return outs;
    }) as unknown as TF.KernelFunc,
  });
  tf.registerGradient({
    kernelName: SPLIT_ROWS,
    gradFunc: (dy: TF.Tensor | TF.Tensor[]) => {
      const dys = Array.isArray(dy) ? dy : [dy];
      const shape = dys.find((d) => d != null)!.shape;
      return { x: () => tf.concat(dys.map((d) => d ?? tf.zeros(shape)), 0) };
    },
  });
  concatRowsGrad = tf.customGrad(((...args: unknown[]) => {
    const xs = args.slice(0, -1) as TF.Tensor[];
    return {
      value: tf.concat(xs, 0),
      gradFunc: (dy: TF.Tensor) => splitRows(tf, dy as TF.Tensor2D, xs.length),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}

/** [pieces * B, C] -> pieces x [B, C]. */
export function splitRows(tf: typeof TF, x: TF.Tensor2D, pieces: number): TF.Tensor2D[] {
  if (x.shape[0] % pieces !== 0) throw new Error(`cannot cut ${x.shape[0]} rows into ${pieces} equal pieces`);
  if (pieces === 1) return [x];
  return tf.engine().runKernel(SPLIT_ROWS, { x }, { pieces }) as TF.Tensor2D[];
}

/** pieces x [B, C] -> [pieces * B, C], with a gradient that uses splitRows. */
export function concatRows(tf: typeof TF, xs: TF.Tensor2D[]): TF.Tensor2D {
  if (xs.length === 1) return xs[0];
  return concatRowsGrad!(...xs) as TF.Tensor2D;
}

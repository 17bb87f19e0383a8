import { Rng } from '../util/rng.js';
import { type ModelSpec, type NamedTensor, weightShapes } from './engine.js';

/**
 * Initial weights computed in plain JavaScript from the spec's seed, so every engine starts from
 * the same numbers. The schemes are Keras's LSTM defaults: Glorot-uniform input kernels,
 * orthogonal recurrent kernels (keeps the recurrent signal from exploding or vanishing early),
 * zero biases except a forget-gate bias of 1 (remember by default), Glorot-uniform dense kernel.
 */
export function initialWeights(spec: ModelSpec): NamedTensor[] {
  const rng = new Rng(spec.seed);
  return weightShapes(spec).map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (name.endsWith('/recurrent_kernel')) values = orthogonal(shape[0], shape[1], rng);
    else if (name.endsWith('/kernel')) values = glorotUniform(shape[0], shape[1], rng);
    else {
      values = new Float32Array(size);
      if (name.startsWith('lstm')) values.fill(1, size / 4, size / 2);
    }
    return { name, shape, values };
  });
}

function glorotUniform(fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/** rows x cols with orthonormal rows (rows <= cols, as for [units, 4 * units]), by Gram-Schmidt on Gaussian rows. */
function orthogonal(rows: number, cols: number, rng: Rng): Float32Array {
  const m: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    let v: Float64Array;
    let norm: number;
    do {
      v = new Float64Array(cols);
      for (let c = 0; c < cols; c++) v[c] = rng.normal();
      for (const u of m) {
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += u[c] * v[c];
        for (let c = 0; c < cols; c++) v[c] -= dot * u[c];
      }
      norm = Math.hypot(...v);
    } while (norm < 1e-6); // a (vanishingly unlikely) dependent draw: draw again
    for (let c = 0; c < cols; c++) v[c] /= norm;
    m.push(v);
  }
  const out = new Float32Array(rows * cols);
  m.forEach((v, r) => out.set(v, r * cols));
  return out;
}

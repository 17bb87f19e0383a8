import assert from 'node:assert/strict';
import type { ModelSpec, NamedTensor, SequenceBatch, SequenceModel } from '../../src/nn/engine.js';
import { Rng } from '../../src/util/rng.js';

/** Shared by the engine tests: a small spec, random batches, a float64 reference and a gradient check. */
export const small: ModelSpec = { inputSize: 3, seqLen: 5, layers: [4, 3], dropout: 0, outputs: 3, loss: 'crossentropy', lr: 0.01, seed: 7 };

export function randomBatch(spec: ModelSpec, batch: number, seed: number, scale = 1): SequenceBatch {
  const rng = new Rng(seed);
  const classes = spec.classes ?? spec.outputs;
  return {
    x: new Float32Array(batch * spec.seqLen * spec.inputSize).map(() => rng.normal() * scale),
    y: new Int32Array(batch * spec.seqLen).map(() => rng.int(classes)),
    mask: new Float32Array(batch * spec.seqLen).fill(1),
    batch,
  };
}

/** Plain float64 LSTM forward from the weights, independent of tfjs: checks gate order and layout. */
export function referenceForward(spec: ModelSpec, weights: NamedTensor[], x: Float32Array, batch: number): Float64Array {
  const w = new Map(weights.map((t) => [t.name, t.values]));
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const out = new Float64Array(batch * spec.seqLen * spec.outputs);
  for (let b = 0; b < batch; b++) {
    let seq: number[][] = [];
    for (let t = 0; t < spec.seqLen; t++) seq.push(Array.from(x.subarray((b * spec.seqLen + t) * spec.inputSize, (b * spec.seqLen + t + 1) * spec.inputSize)));
    spec.layers.forEach((units, li) => {
      const K = w.get(`lstm${li + 1}/kernel`)!;
      const U = w.get(`lstm${li + 1}/recurrent_kernel`)!;
      const bias = w.get(`lstm${li + 1}/bias`)!;
      const inSize = seq[0].length;
      let h = new Array(units).fill(0);
      let c = new Array(units).fill(0);
      const next: number[][] = [];
      for (const xt of seq) {
        const z = new Array(4 * units).fill(0).map((_, j) => {
          let s = bias[j];
          for (let i = 0; i < inSize; i++) s += xt[i] * K[i * 4 * units + j];
          for (let i = 0; i < units; i++) s += h[i] * U[i * 4 * units + j];
          return s;
        });
        c = c.map((cv, j) => sig(z[units + j]) * cv + sig(z[j]) * Math.tanh(z[2 * units + j]));
        h = c.map((cv, j) => sig(z[3 * units + j]) * Math.tanh(cv));
        next.push(h);
      }
      seq = next;
    });
    const D = w.get('dense/kernel')!;
    const db = w.get('dense/bias')!;
    seq.forEach((h, t) => {
      const logits = Array.from(db, (v, k) => v + h.reduce((s, hv, i) => s + hv * D[i * spec.outputs + k], 0));
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const sum = e.reduce((a, v) => a + v, 0);
      e.forEach((v, k) => (out[(b * spec.seqLen + t) * spec.outputs + k] = spec.loss === 'mse' ? logits[k] : v / sum));
    });
  }
  return out;
}


/** A model that can report its loss gradients (both engines can). */
export interface GradientModel extends SequenceModel {
  lossGradients(batch: SequenceBatch): NamedTensor[];
}

/** Central differences on the weights with the largest analytic gradient of each array. */
export async function gradientCheck(create: (spec: ModelSpec) => Promise<GradientModel>, spec: ModelSpec, batch: SequenceBatch): Promise<void> {
  const model = await create(spec);
  const weights = model.getWeights();
  const analytic = model.lossGradients(batch);
  const eps = 1e-2;
  let maxRel = 0;
  for (let w = 0; w < weights.length; w++) {
    const g = analytic[w].values;
    const picks = Array.from(g.keys()).sort((i, j) => Math.abs(g[j]) - Math.abs(g[i])).slice(0, 3);
    for (const i of picks) {
      const orig = weights[w].values[i];
      const lossAt = async (v: number) => {
        weights[w].values[i] = v;
        model.setWeights(weights);
        return (await model.evaluateBatch(batch)).loss;
      };
      const numeric = ((await lossAt(orig + eps)) - (await lossAt(orig - eps))) / (2 * eps);
      weights[w].values[i] = orig;
      const rel = Math.abs(numeric - g[i]) / Math.max(Math.abs(numeric), Math.abs(g[i]), 1e-3);
      maxRel = Math.max(maxRel, rel);
      assert.ok(rel < 2e-2, `${spec.loss} ${weights[w].name}[${i}]: analytic ${g[i]}, numeric ${numeric}, relative error ${rel}`);
    }
  }
  model.setWeights(weights);
  model.dispose();
  console.log(`gradient check (${model.engine}, ${spec.loss}): largest relative error ${maxRel.toExponential(2)}`);
}

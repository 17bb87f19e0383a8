import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ModelSpec, type NamedTensor, type SequenceBatch, createModel, validateSpec, weightShapes } from '../../src/nn/engine.js';
import { createTfjsModel } from '../../src/nn/tfjs-model.js';
import { Rng } from '../../src/util/rng.js';

const small: ModelSpec = { inputSize: 3, seqLen: 5, layers: [4, 3], dropout: 0, outputs: 3, loss: 'crossentropy', lr: 0.01, seed: 7 };

function randomBatch(spec: ModelSpec, batch: number, seed: number, scale = 1): SequenceBatch {
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
function referenceForward(spec: ModelSpec, weights: NamedTensor[], x: Float32Array, batch: number): Float64Array {
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

test('predict gives per-step probabilities that sum to 1 and match a plain float64 LSTM', async () => {
  const model = await createModel(small);
  const { x, batch } = randomBatch(small, 6, 1);
  const p = await model.predict(x, batch);
  assert.equal(p.length, batch * small.seqLen * small.outputs);
  for (let i = 0; i < batch * small.seqLen; i++) {
    const s = p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2];
    assert.ok(Math.abs(s - 1) < 1e-5, `step ${i} sums to ${s}`);
  }
  const ref = referenceForward(small, model.getWeights(), x, batch);
  ref.forEach((v, i) => assert.ok(Math.abs(v - p[i]) < 1e-5, `output ${i}: ${p[i]} vs reference ${v}`));
  model.dispose();
});

test('the fused LSTM (hand-written BPTT, or fused cell with padding carry) and plain tfjs ops agree', async () => {
  const spec: ModelSpec = { ...small, classWeights: [1, 2, 1] };
  const fused = await createTfjsModel(spec);
  const ops = await createTfjsModel(spec, undefined, { fusedCell: false });
  // Trailing padding only (the BPTT layer), then a hole in a sequence (the carry path).
  for (const padded of [[4, 9, 8], [3]]) {
    const batch = randomBatch(spec, 5, 21);
    padded.forEach((i) => (batch.mask[i] = 0));
    const pf = await fused.predict(batch.x, 5, batch.mask);
    const po = await ops.predict(batch.x, 5, batch.mask);
    pf.forEach((v, i) => batch.mask[Math.floor(i / 3)] && assert.ok(Math.abs(v - po[i]) < 1e-5, `output ${i}: ${v} vs ${po[i]}`));
    const gf = fused.lossGradients(batch);
    const go = ops.lossGradients(batch);
    gf.forEach((g, w) => g.values.forEach((v, i) => assert.ok(Math.abs(v - go[w].values[i]) < 1e-5, `${g.name}[${i}]: ${v} vs ${go[w].values[i]}`)));
  }
  fused.dispose();
  ops.dispose();
});

test('padded steps change neither the loss nor real-step predictions, wherever the padding sits', async () => {
  const model = await createModel({ ...small, classWeights: [1, 2, 0.5] });
  const base = randomBatch(small, 4, 2);
  // Sequence 0: trailing padding; 1: leading padding; 2: a hole in the middle; 3: full.
  const pads = [[3, 4], [0, 1], [2], []];
  pads.forEach((steps, b) => steps.forEach((t) => (base.mask[b * small.seqLen + t] = 0)));
  const noisy: SequenceBatch = { ...base, x: base.x.slice(), y: base.y.slice() };
  const rng = new Rng(99);
  pads.forEach((steps, b) => steps.forEach((t) => {
    noisy.y[b * small.seqLen + t] = -1;
    for (let i = 0; i < small.inputSize; i++) noisy.x[(b * small.seqLen + t) * small.inputSize + i] = rng.normal() * 50;
  }));
  const a = await model.evaluateBatch(base);
  const b = await model.evaluateBatch(noisy);
  assert.equal(a.steps, 20 - 5);
  assert.equal(b.loss, a.loss);
  const pa = await model.predict(base.x, 4, base.mask);
  const pb = await model.predict(noisy.x, 4, noisy.mask);
  for (let i = 0; i < 4 * small.seqLen; i++) {
    if (base.mask[i] === 0) continue;
    for (let k = 0; k < 3; k++) assert.equal(pb[i * 3 + k], pa[i * 3 + k], `step ${i}`);
  }
  // The padding-carry path must not be a no-op: leading padding with a different mask changes outputs.
  const shifted = { ...base, mask: base.mask.slice().fill(1) };
  assert.notEqual((await model.evaluateBatch(shifted)).loss, a.loss);
  model.dispose();
});

test('steps after the batch\'s last real step are skipped without changing real outputs', async () => {
  const model = await createModel(small);
  const base = randomBatch(small, 3, 12);
  // Every sequence ends by step 2: steps 3 and 4 are padding everywhere.
  for (let b = 0; b < 3; b++) for (const t of [3, 4]) base.mask[b * small.seqLen + t] = 0;
  base.mask[1 * small.seqLen + 2] = 0;
  const full = await model.predict(base.x, 3);
  const trimmed = await model.predict(base.x, 3, base.mask);
  for (let i = 0; i < 3 * small.seqLen; i++) {
    if (base.mask[i] === 0) continue;
    for (let k = 0; k < 3; k++) assert.equal(trimmed[i * 3 + k], full[i * 3 + k], `step ${i}`);
  }
  const allPadding = { ...base, mask: new Float32Array(base.mask.length) };
  assert.deepEqual(await model.evaluateBatch(allPadding), { loss: 0, correct: 0, steps: 0 });
  model.dispose();
});

/** Central differences on the weights with the largest analytic gradient of each array. */
async function gradientCheck(spec: ModelSpec, batch: SequenceBatch): Promise<void> {
  const model = await createTfjsModel(spec);
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
  console.log(`gradient check (${spec.loss}): largest relative error ${maxRel.toExponential(2)}`);
}

test('gradients of every weight array match finite differences (cross-entropy with class weights and padding)', async () => {
  const spec: ModelSpec = { ...small, classWeights: [1, 3, 0.5] };
  const batch = randomBatch(spec, 4, 3);
  batch.mask[0] = 0; // leading padding: exercises the carry path
  batch.mask[2 * spec.seqLen + 4] = 0;
  await gradientCheck(spec, batch);
});

test('gradients match finite differences with trailing padding only (hand-written BPTT path)', async () => {
  const spec: ModelSpec = { ...small, classWeights: [1, 3, 0.5] };
  const batch = randomBatch(spec, 4, 13);
  batch.mask[4] = 0;
  batch.mask[3 * spec.seqLen + 3] = 0;
  batch.mask[3 * spec.seqLen + 4] = 0;
  await gradientCheck(spec, batch);
});

test('gradients of every weight array match finite differences (mse on the class index)', async () => {
  const spec: ModelSpec = { ...small, outputs: 1, classes: 3, loss: 'mse' };
  await gradientCheck(spec, randomBatch(spec, 4, 4));
});

test('training with the same seed gives bit-identical weights; another seed does not', async () => {
  const spec: ModelSpec = { ...small, dropout: 0.3 };
  const batch = randomBatch(spec, 8, 5);
  const train = async (seed: number) => {
    const m = await createModel({ ...spec, seed });
    for (let i = 0; i < 3; i++) await m.trainBatch(batch);
    const w = m.getWeights();
    m.dispose();
    return w;
  };
  const [a, b, c] = [await train(1), await train(1), await train(2)];
  a.forEach((t, i) => assert.deepEqual(t.values, b[i].values, t.name));
  assert.notDeepEqual(a[0].values, c[0].values);
});

test('batches of one-step sequences train between longer ones (unused recurrent weights)', async () => {
  const model = await createModel({ ...small, dropout: 0.2 });
  for (const span of [5, 1, 2, 1, 5]) {
    const batch = randomBatch(small, 4, span);
    for (let b = 0; b < 4; b++) for (let t = span; t < small.seqLen; t++) batch.mask[b * small.seqLen + t] = 0;
    const r = await model.trainBatch(batch);
    assert.ok(Number.isFinite(r.loss) && r.steps === 4 * span, `span ${span}: ${JSON.stringify(r)}`);
  }
  model.dispose();
});

test('training lowers the loss on a fixed batch', async () => {
  const model = await createModel({ ...small, lr: 0.05 });
  const batch = randomBatch(small, 8, 6);
  const first = (await model.trainBatch(batch)).loss;
  let last = first;
  for (let i = 0; i < 30; i++) last = (await model.trainBatch(batch)).loss;
  assert.ok(last < first * 0.7, `loss went from ${first} to ${last}`);
  model.dispose();
});

test('weight shapes follow the spec and bad specs are refused by field', () => {
  assert.deepEqual(weightShapes(small).map((w) => `${w.name}:${w.shape}`), [
    'lstm1/kernel:3,16', 'lstm1/recurrent_kernel:4,16', 'lstm1/bias:16',
    'lstm2/kernel:4,12', 'lstm2/recurrent_kernel:3,12', 'lstm2/bias:12',
    'dense/kernel:3,3', 'dense/bias:3',
  ]);
  assert.throws(() => validateSpec({ ...small, layers: [] }), /layers/);
  assert.throws(() => validateSpec({ ...small, dropout: 1 }), /dropout/);
  assert.throws(() => validateSpec({ ...small, loss: 'mse' }), /outputs must be 1/);
  assert.throws(() => validateSpec({ ...small, outputs: 1, loss: 'mse' }), /classes/);
  assert.throws(() => validateSpec({ ...small, classWeights: [1, 2] }), /classWeights/);
});

test('a target class outside the model\'s classes is refused with its position', async () => {
  const model = await createModel(small);
  const batch = randomBatch(small, 2, 8);
  batch.y[7] = 3;
  await assert.rejects(model.trainBatch(batch), /target class 3 at sequence 1, step 2/);
  model.dispose();
});

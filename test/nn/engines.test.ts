import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ModelSpec, type SequenceBatch, createModel } from '../../src/nn/engine.js';
import { Rng } from '../../src/util/rng.js';
import { nativeModule } from '../../src/nn/native-kernels.js';
import { type GradientModel, gradientCheck, randomBatch, referenceForward, small } from './model-fixtures.js';

// Every engine behind SequenceModel must pass the same checks; `native` where it was built
// (test/nn/native-kernels.test.ts checks that it is wherever it can be).
for (const engine of ['tfjs-wasm', 'wasm', ...(nativeModule() ? ['native'] : [])]) {
  const create = async (spec: ModelSpec) => (await createModel(spec, { engine })) as GradientModel;

  test(`${engine}: predict gives per-step probabilities that sum to 1 and match a plain float64 LSTM`, async () => {
    const model = await create(small);
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
  test(`${engine}: padded steps change neither the loss nor real-step predictions, wherever the padding sits`, async () => {
    const model = await create({ ...small, classWeights: [1, 2, 0.5] });
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
  test(`${engine}: steps after the batch's last real step are skipped without changing real outputs`, async () => {
    const model = await create(small);
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
  test(`${engine}: gradients of every weight array match finite differences (cross-entropy with class weights and padding)`, async () => {
    const spec: ModelSpec = { ...small, classWeights: [1, 3, 0.5] };
    const batch = randomBatch(spec, 4, 3);
    batch.mask[0] = 0; // leading padding: exercises the carry path
    batch.mask[2 * spec.seqLen + 4] = 0;
    await gradientCheck(create, spec, batch);
  });
  test(`${engine}: gradients match finite differences with trailing padding only (hand-written BPTT path)`, async () => {
    const spec: ModelSpec = { ...small, classWeights: [1, 3, 0.5] };
    const batch = randomBatch(spec, 4, 13);
    batch.mask[4] = 0;
    batch.mask[3 * spec.seqLen + 3] = 0;
    batch.mask[3 * spec.seqLen + 4] = 0;
    await gradientCheck(create, spec, batch);
  });
  test(`${engine}: gradients of every weight array match finite differences (mse on the class index)`, async () => {
    const spec: ModelSpec = { ...small, outputs: 1, classes: 3, loss: 'mse' };
    await gradientCheck(create, spec, randomBatch(spec, 4, 4));
  });
  test(`${engine}: training with the same seed gives bit-identical weights; another seed does not`, async () => {
    const spec: ModelSpec = { ...small, dropout: 0.3 };
    const batch = randomBatch(spec, 8, 5);
    const train = async (seed: number) => {
      const m = await create({ ...spec, seed });
      for (let i = 0; i < 3; i++) await m.trainBatch(batch);
      const w = m.getWeights();
      m.dispose();
      return w;
    };
    const [a, b, c] = [await train(1), await train(1), await train(2)];
    a.forEach((t, i) => assert.deepEqual(t.values, b[i].values, t.name));
    assert.notDeepEqual(a[0].values, c[0].values);
  });
  test(`${engine}: batches of one-step sequences train between longer ones (unused recurrent weights)`, async () => {
    const model = await create({ ...small, dropout: 0.2 });
    for (const span of [5, 1, 2, 1, 5]) {
      const batch = randomBatch(small, 4, span);
      for (let b = 0; b < 4; b++) for (let t = span; t < small.seqLen; t++) batch.mask[b * small.seqLen + t] = 0;
      const r = await model.trainBatch(batch);
      assert.ok(Number.isFinite(r.loss) && r.steps === 4 * span, `span ${span}: ${JSON.stringify(r)}`);
    }
    model.dispose();
  });
  test(`${engine}: training lowers the loss on a fixed batch`, async () => {
    const model = await create({ ...small, lr: 0.05 });
    const batch = randomBatch(small, 8, 6);
    const first = (await model.trainBatch(batch)).loss;
    let last = first;
    for (let i = 0; i < 30; i++) last = (await model.trainBatch(batch)).loss;
    assert.ok(last < first * 0.7, `loss went from ${first} to ${last}`);
    model.dispose();
  });
  test(`${engine}: a target class outside the model's classes is refused with its position`, async () => {
    const model = await create(small);
    const batch = randomBatch(small, 2, 8);
    batch.y[7] = 3;
    await assert.rejects(model.trainBatch(batch), /target class 3 at sequence 1, step 2/);
    model.dispose();
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelSpec, SequenceBatch } from '../../src/nn/engine.js';
import { createTfjsModel } from '../../src/nn/tfjs-model.js';
import { nativeModule } from '../../src/nn/native-kernels.js';
import { createWasmModel } from '../../src/nn/wasm-model.js';
import type { KernelKind } from '../../src/nn/wasm-kernels.js';
import { randomBatch } from './model-fixtures.js';

/** Mixed padding: trailing everywhere, plus leading padding (the carry path) in every third sequence. */
function paddedBatch(spec: ModelSpec, batch: number, seed: number, carry: boolean): SequenceBatch {
  const b = randomBatch(spec, batch, seed);
  for (let s = 0; s < batch; s++) {
    const len = 1 + (s % spec.seqLen);
    for (let t = len; t < spec.seqLen; t++) b.mask[s * spec.seqLen + t] = 0;
    if (carry && s % 3 === 0 && len > 2) b.mask[s * spec.seqLen] = 0;
  }
  return b;
}

function maxDiff(a: Float32Array, b: Float32Array, keep: (i: number) => boolean = () => true): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (keep(i)) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const cases: { name: string; spec: ModelSpec; threads: number; carry: boolean }[] = [
  { name: 'two layers, units not a multiple of 4, 2 threads', spec: { inputSize: 5, seqLen: 6, layers: [8, 6], dropout: 0.2, outputs: 3, loss: 'crossentropy', classWeights: [1, 2, 0.5], lr: 0.01, seed: 3 }, threads: 2, carry: false },
  { name: 'padding carry, 2 threads', spec: { inputSize: 7, seqLen: 5, layers: [12, 8], dropout: 0, outputs: 4, loss: 'crossentropy', lr: 0.01, seed: 4 }, threads: 2, carry: true },
  { name: 'mse on the class index, 1 thread', spec: { inputSize: 4, seqLen: 6, layers: [16], dropout: 0, outputs: 1, classes: 3, loss: 'mse', lr: 0.01, seed: 5 }, threads: 1, carry: true },
];

const kinds: KernelKind[] = nativeModule() ? ['wasm', 'native'] : ['wasm'];

for (const kernels of kinds) for (const c of cases) {
  test(`${kernels} and tfjs engines give the same outputs and gradients on the same weights (${c.name})`, async () => {
    const tf = await createTfjsModel(c.spec);
    const wa = await createWasmModel(c.spec, tf.getWeights(), { threads: c.threads, kernels });
    // 40 sequences: two shares of 20 with 2 threads.
    const batch = paddedBatch(c.spec, 40, 11, c.carry);
    const k = c.spec.outputs;
    const real = (i: number) => batch.mask[Math.floor(i / k)] !== 0;
    const d = maxDiff(await tf.predict(batch.x, 40, batch.mask), await wa.predict(batch.x, 40, batch.mask), real);
    assert.ok(d < 1e-4, `outputs differ by ${d}`);
    const gt = tf.lossGradients(batch);
    const gw = wa.lossGradients(batch);
    gt.forEach((g, i) => {
      const e = maxDiff(g.values, gw[i].values);
      assert.ok(e < 1e-4, `${g.name}: gradients differ by ${e}`);
    });
    const et = await tf.evaluateBatch(batch);
    const ew = await wa.evaluateBatch(batch);
    assert.ok(Math.abs(et.loss - ew.loss) < 1e-4, `loss ${et.loss} vs ${ew.loss}`);
    assert.equal(ew.steps, et.steps);
    assert.equal(ew.correct, et.correct);
    tf.dispose();
    wa.dispose();
  });
}

for (const kernels of kinds) test(`the ${kernels} engine gives the same results on 1 and 2 threads, and a model trained on one loads in the other engine`, async () => {
  const spec: ModelSpec = { inputSize: 6, seqLen: 8, layers: [16, 8], dropout: 0.25, outputs: 3, loss: 'crossentropy', lr: 0.01, seed: 9 };
  const one = await createWasmModel(spec, undefined, { threads: 1, kernels });
  const two = await createWasmModel(spec, undefined, { threads: 2, kernels });
  const batch = paddedBatch(spec, 64, 12, true);
  for (let i = 0; i < 5; i++) {
    const a = await one.trainBatch(batch);
    const b = await two.trainBatch(batch);
    // Dropout masks hash the row's place in the whole batch, so both see the same masks; only the
    // order of float sums differs.
    assert.ok(Math.abs(a.loss - b.loss) < 1e-5, `step ${i}: loss ${a.loss} vs ${b.loss}`);
  }
  one.getWeights().forEach((w, i) => {
    const e = maxDiff(w.values, two.getWeights()[i].values);
    assert.ok(e < 1e-5, `${w.name} differs by ${e} after 5 steps`);
  });
  const tf = await createTfjsModel(spec, two.getWeights());
  const d = maxDiff(await two.predict(batch.x, 64, batch.mask), await tf.predict(batch.x, 64, batch.mask), (i) => batch.mask[Math.floor(i / 3)] !== 0);
  assert.ok(d < 1e-4, `tfjs with the wasm-trained weights differs by ${d}`);
  one.dispose();
  two.dispose();
  tf.dispose();
});

for (const kernels of kinds) test(`${kernels}: batches larger than the workspace grow it without disturbing the weights`, async () => {
  const spec: ModelSpec = { inputSize: 3, seqLen: 4, layers: [8], dropout: 0, outputs: 2, loss: 'crossentropy', lr: 0.01, seed: 1 };
  const model = await createWasmModel(spec, undefined, { threads: 2, kernels });
  const before = model.getWeights();
  const small = randomBatch(spec, 8, 1);
  const p1 = await model.predict(small.x, 8);
  const big = randomBatch(spec, 3000, 2);
  await model.predict(big.x, 3000);
  assert.deepEqual(model.getWeights(), before);
  assert.deepEqual(await model.predict(small.x, 8), p1);
  model.dispose();
  assert.throws(() => model.getWeights(), /after dispose/);
});

for (const kernels of kinds) test(`${kernels}: a sequence's outputs are bit-identical wherever it sits in a batch, whatever the batch size`, async () => {
  // classify and evaluate batch the same flows differently; their predictions must still agree.
  // 5 steps: the dense product's rows (steps x sequences) are then not a multiple of the 4-row blocks.
  const spec: ModelSpec = { inputSize: 5, seqLen: 5, layers: [12, 8], dropout: 0, outputs: 4, loss: 'crossentropy', lr: 0.01, seed: 2 };
  const model = await createWasmModel(spec, undefined, { threads: 2, kernels });
  const all = paddedBatch(spec, 45, 5, true);
  const per = spec.seqLen * spec.inputSize;
  const whole = await model.predict(all.x, 45, all.mask);
  // The same sequences reversed, in batches of 1, 7 and 45: each lands in another row, share and block.
  for (const size of [1, 7, 45]) {
    for (let start = 0; start < 45; start += size) {
      const ids = Array.from({ length: Math.min(size, 45 - start) }, (_, i) => 44 - (start + i));
      const x = new Float32Array(ids.length * per);
      const mask = new Float32Array(ids.length * spec.seqLen);
      ids.forEach((id, r) => {
        x.set(all.x.subarray(id * per, (id + 1) * per), r * per);
        mask.set(all.mask.subarray(id * spec.seqLen, (id + 1) * spec.seqLen), r * spec.seqLen);
      });
      const out = await model.predict(x, ids.length, mask);
      ids.forEach((id, r) => {
        for (let t = 0; t < spec.seqLen; t++) {
          if (all.mask[id * spec.seqLen + t] === 0) continue;
          for (let k = 0; k < 4; k++) {
            const o = (t * 4) + k;
            assert.equal(out[r * spec.seqLen * 4 + o], whole[id * spec.seqLen * 4 + o], `batch ${size}: sequence ${id} step ${t} class ${k}`);
          }
        }
      });
    }
  }
  model.dispose();
});

test('a batch too large for the engine\'s memory is refused with the size and what to do, and the model still works', async () => {
  const spec: ModelSpec = { inputSize: 8, seqLen: 64, layers: [256], dropout: 0, outputs: 2, loss: 'crossentropy', lr: 0.01, seed: 1 };
  const model = await createWasmModel(spec, undefined, { threads: 1 });
  // 64 steps x 8,000 sequences x 4 x 256 gate values alone are 2 GiB.
  const rows = 8000;
  await assert.rejects(model.predict(new Float32Array(rows * 64 * 8), rows), /a batch of 8000 sequences needs \d+ MiB of engine memory, more than its 2048 MiB: use a smaller --batch-size/);
  const ok = randomBatch(spec, 4, 1);
  assert.equal((await model.predict(ok.x, 4)).length, 4 * 64 * 2);
  model.dispose();
});

for (const kernels of kinds) test(`${kernels}: a background predict runs on the workers, gives the foreground's outputs bit for bit, and takes no other call until it is done`, async () => {
  const spec: ModelSpec = { inputSize: 5, seqLen: 6, layers: [12, 8], dropout: 0.3, outputs: 3, loss: 'crossentropy', lr: 0.01, seed: 5 };
  // 80 sequences: one chunk per worker; 1100: several chunks each, the last one short.
  for (const [threads, rows] of [[1, 80], [2, 80], [3, 80], [2, 1100], [3, 1100]]) {
    const batch = paddedBatch(spec, rows, 7, true);
    const model = await createWasmModel(spec, undefined, { threads, kernels });
    assert.equal(model.predictsInBackground, threads > 1);
    const foreground = await model.predict(batch.x, rows, batch.mask);
    const x = batch.x.slice();
    const mask = batch.mask.slice();
    const running = model.predict(x, rows, mask, { background: true });
    // The inputs were taken when the call was made: the caller may reuse its arrays at once.
    x.fill(7);
    mask.fill(1);
    if (threads > 1) {
      assert.throws(() => model.getWeights(), /background predict/);
      await assert.rejects(model.predict(batch.x, rows, batch.mask), /background predict/);
    }
    const background = await running;
    for (let i = 0; i < foreground.length; i++) {
      if (batch.mask[Math.floor(i / spec.outputs)] === 0) continue;
      assert.equal(background[i], foreground[i], `${threads} threads, ${rows} sequences: output ${i}`);
    }
    // Done: the model takes calls again.
    assert.deepEqual(await model.predict(batch.x, rows, batch.mask), foreground);
    if (threads > 1) {
      // The engine's own input arrays, filled in place, give the same outputs (no copy made).
      const own = model.backgroundInput(rows);
      assert.ok(own.mask.every((m) => m === 0), 'mask comes zeroed');
      own.x.set(batch.x);
      own.mask.set(batch.mask);
      const inPlace = await model.predict(own.x, rows, own.mask, { background: true });
      for (let i = 0; i < foreground.length; i++) {
        if (batch.mask[Math.floor(i / spec.outputs)] === 0) continue;
        assert.equal(inPlace[i], foreground[i], `${threads} threads, ${rows} sequences, in place: output ${i}`);
      }
    }
    model.dispose();
  }
});

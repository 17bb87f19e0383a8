import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ModelSpec, validateSpec, weightShapes } from '../../src/nn/engine.js';
import { createTfjsModel } from '../../src/nn/tfjs-model.js';
import { randomBatch, small } from './model-fixtures.js';

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

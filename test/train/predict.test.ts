import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createModel } from '../../src/nn/engine.js';
import { predictSequences } from '../../src/train/predict.js';
import { arraySequenceSource } from '../../src/train/source.js';
import { Rng } from '../../src/util/rng.js';

test('per-step outputs map back to flow rows, skipping padding; overlaps keep the latest position', async () => {
  const seqLen = 3;
  const inputSize = 2;
  const model = await createModel({ inputSize, seqLen, layers: [4], dropout: 0, outputs: 3, loss: 'crossentropy', lr: 0.01, seed: 1 });
  // Sequence 0: rows 0,1,2. Sequence 1: rows 2,3, padding (row 2 again, at an earlier position:
  // sequence 0's output is kept). Sequence 2: padding, row 1, row 4 (row 1 again at the same
  // position: the first is kept). Row 5 is in no sequence.
  const rowIndex = Int32Array.from([0, 1, 2, 2, 3, -1, -1, 1, 4]);
  const rng = new Rng(3);
  const x = new Float32Array(9 * inputSize).map(() => rng.normal());
  const source = arraySequenceSource({ x, y: new Int32Array(9), rowIndex, seqLen, inputSize, flowCount: 6 });
  const pred = await predictSequences(model, source, 2);
  const all = await model.predict(x, 3, Float32Array.from(rowIndex, (r) => (r >= 0 ? 1 : 0)));
  const stepProbs = (i: number) => Array.from(all.subarray(i * 3, i * 3 + 3));
  const expectedStep = [0, 1, 2, 4, 8]; // rows 0..4 -> flat step index chosen
  expectedStep.forEach((step, row) => {
    assert.deepEqual(Array.from(pred.prob.subarray(row * 3, row * 3 + 3)), stepProbs(step), `row ${row}`);
    const p = stepProbs(step);
    assert.equal(pred.classOf[row], p.indexOf(Math.max(...p)));
  });
  assert.equal(pred.classOf[5], -1);
  assert.deepEqual(Array.from(pred.prob.subarray(15, 18)), [0, 0, 0]);
  model.dispose();
});

test('mse models predict the rounded, clamped class index', async () => {
  const model = await createModel({ inputSize: 1, seqLen: 2, layers: [2], dropout: 0, outputs: 1, classes: 3, loss: 'mse', lr: 0.01, seed: 1 });
  const w = model.getWeights();
  w[w.length - 1].values[0] = 7.4; // dense bias: every output near 7.4 -> class 2 (clamped)
  model.setWeights(w);
  const source = arraySequenceSource({ x: new Float32Array(2), y: new Int32Array(2), rowIndex: Int32Array.from([0, 1]), seqLen: 2, inputSize: 1, flowCount: 2 });
  const pred = await predictSequences(model, source, 8);
  assert.deepEqual(Array.from(pred.classOf), [2, 2]);
  w[w.length - 1].values[0] = -3;
  model.setWeights(w);
  assert.deepEqual(Array.from((await predictSequences(model, source, 8)).classOf), [0, 0]);
  model.dispose();
});

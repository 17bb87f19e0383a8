import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ModelSpec, createModel } from '../../src/nn/engine.js';
import { TrainingDivergedError, evaluateSource, fit } from '../../src/train/fit.js';
import { predictSequences } from '../../src/train/predict.js';
import { type SequenceSource, arraySequenceSource } from '../../src/train/source.js';
import { Rng } from '../../src/util/rng.js';

const SEQ = 12;
const INPUT = 4;

/**
 * Sequences whose class at step t is the type of the latest marker strictly before t: 0 none
 * yet, 1 after an A marker (feature 0), 2 after a B marker (feature 1). The current step's
 * features say nothing about its own class, so a per-flow model is stuck at the base rate;
 * an LSTM has to remember. Lengths vary (trailing padding) and features 2..3 are noise.
 */
function markerTask(count: number, seed: number): { source: SequenceSource; y: Int32Array; rowIndex: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(count * SEQ * INPUT);
  const y = new Int32Array(count * SEQ).fill(-1);
  const rowIndex = new Int32Array(count * SEQ).fill(-1);
  let row = 0;
  for (let s = 0; s < count; s++) {
    const len = 6 + rng.int(SEQ - 5);
    let state = 0;
    for (let t = 0; t < len; t++) {
      const i = s * SEQ + t;
      y[i] = state;
      rowIndex[i] = row++;
      const r = rng.next();
      const marker = r < 0.2 ? 1 : r < 0.4 ? 2 : 0;
      x[i * INPUT] = marker === 1 ? 1 : 0;
      x[i * INPUT + 1] = marker === 2 ? 1 : 0;
      x[i * INPUT + 2] = rng.normal();
      x[i * INPUT + 3] = rng.normal();
      if (marker) state = marker;
    }
  }
  return { source: arraySequenceSource({ x, y, rowIndex, seqLen: SEQ, inputSize: INPUT, flowCount: row }), y, rowIndex };
}

const spec: ModelSpec = { inputSize: INPUT, seqLen: SEQ, layers: [16], dropout: 0, outputs: 3, loss: 'crossentropy', lr: 0.02, seed: 1 };

test('an LSTM learns a class that depends on earlier steps (per-flow base rate < 0.5, LSTM > 0.95)', async () => {
  const train = markerTask(1500, 1);
  const held = markerTask(300, 2);
  const counts = [0, 0, 0];
  held.y.forEach((c) => c >= 0 && counts[c]++);
  const baseRate = Math.max(...counts) / counts.reduce((a, b) => a + b, 0);
  assert.ok(baseRate < 0.5, `task too easy: base rate ${baseRate}`);

  const model = await createModel(spec);
  const t0 = performance.now();
  const { history } = await fit(model, { train: train.source }, { epochs: 8, batchSize: 64, seed: 1, patience: Infinity });
  const seconds = (performance.now() - t0) / 1000;
  const pred = await predictSequences(model, held.source, 128);
  let correct = 0;
  let n = 0;
  held.rowIndex.forEach((row, i) => {
    if (row < 0) return;
    n++;
    if (pred.classOf[row] === held.y[i]) correct++;
  });
  const accuracy = correct / n;
  console.log(`marker task: held-out accuracy ${accuracy.toFixed(4)}, base rate ${baseRate.toFixed(3)}, ${seconds.toFixed(2)} s`);
  assert.ok(accuracy > 0.95, `held-out accuracy ${accuracy.toFixed(3)} after ${history.length} epochs (${seconds.toFixed(1)} s)`);
  assert.ok(history[history.length - 1].accuracy > 0.95, `final training accuracy ${history[history.length - 1].accuracy}`);
  model.dispose();
});

test('early stopping keeps the best validation epoch\'s weights', async () => {
  // Validation targets are the training targets shifted by one class: the better the model fits
  // the training set, the worse its validation loss, so epoch 1 is the best.
  const train = markerTask(300, 3);
  const b = train.source.gather(new Uint32Array(300).map((_, i) => i));
  const validation = arraySequenceSource({
    x: b.x, y: b.y.map((v) => (v < 0 ? -1 : (v + 1) % 3)), rowIndex: train.rowIndex, seqLen: SEQ, inputSize: INPUT, flowCount: train.source.flowCount,
  });
  const model = await createModel({ ...spec, lr: 0.05 });
  const epochs: number[] = [];
  const result = await fit(model, { train: train.source, validation }, { epochs: 10, batchSize: 32, seed: 2, patience: 2, onEpoch: (r) => epochs.push(r.epoch) });
  const valLosses = result.history.map((r) => r.valLoss!);
  console.log(`early stopping: val losses ${valLosses.map((v) => v.toFixed(3)).join(' ')}`);
  const bestEpoch = valLosses.indexOf(Math.min(...valLosses)) + 1;
  assert.equal(result.bestEpoch, bestEpoch);
  assert.ok(result.stoppedEarly, `expected an early stop, val losses ${valLosses}`);
  assert.equal(result.history.length, bestEpoch + 2, 'patience 2: stops after two epochs without improvement');
  assert.deepEqual(epochs, result.history.map((r) => r.epoch));
  const now = await evaluateSource(model, validation, 32);
  assert.equal(now.loss, valLosses[bestEpoch - 1], 'the model holds the best epoch\'s weights');
  model.dispose();
});

test('fit reports every batch and epoch, and the same seed repeats the same history', async () => {
  const data = markerTask(100, 4);
  const run = async () => {
    const model = await createModel(spec);
    const batches: [number, number][] = [];
    const r = await fit(model, { train: data.source }, { epochs: 2, batchSize: 32, seed: 5, patience: 0, onBatch: (d, t) => batches.push([d, t]) });
    model.dispose();
    return { r, batches };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.batches, [[1, 4], [2, 4], [3, 4], [4, 4], [1, 4], [2, 4], [3, 4], [4, 4]]);
  assert.equal(a.r.bestEpoch, 2, 'without validation the last epoch is kept');
  assert.equal(a.r.history[0].valLoss, null);
  assert.ok(a.r.history.every((h) => h.flowsPerSec > 0 && h.seconds > 0));
  assert.deepEqual(a.r.history.map((h) => h.loss), b.r.history.map((h) => h.loss));
});

test('bad fit options are refused', async () => {
  const model = await createModel(spec);
  const { source } = markerTask(10, 5);
  await assert.rejects(fit(model, { train: source }, { epochs: 0, batchSize: 8, seed: 1, patience: 1 }), /epochs/);
  await assert.rejects(fit(model, { train: source }, { epochs: 1, batchSize: 0, seed: 1, patience: 1 }), /batchSize/);
  model.dispose();
});

test('a diverging loss stops training with a message naming the epoch and batch', async () => {
  const { source } = markerTask(64, 6);
  const model = await createModel({ ...spec, lr: 3e38 });
  await assert.rejects(
    fit(model, { train: source }, { epochs: 5, batchSize: 16, seed: 1, patience: 1 }),
    (err: Error) => err instanceof TrainingDivergedError && /diverged at epoch \d+, batch \d+\/4: loss is NaN; try a lower learning rate/.test(err.message),
  );
  model.dispose();
});

/**
 * trainRun on real lab flows, in process: the training split is scored from the sequences training
 * already built (not rebuilt from the flows), and that must change nothing a user sees.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EMBEDDED_TRAIN } from '../../src/commands/run.js';
import { NORMAL } from '../../src/features/index.js';
import { computeMetrics } from '../../src/evaluate/metrics.js';
import type { Metrics } from '../../src/evaluate/types.js';
import { readFlows } from '../../src/flows/read.js';
import type { FlowDataset } from '../../src/flows/schema.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/pipeline/config.js';
import { predictFlows } from '../../src/pipeline/predict-flows.js';
import { splitRows, trainRun, type TrainRunResult } from '../../src/pipeline/train-run.js';

/** Small and one epoch: the test is about what scoring computes, not about model quality. */
const CONFIG: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, layers: [8], epochs: 1, seed: 5 };

let ds: FlowDataset;
let first: TrainRunResult;

before(async () => {
  ds = await readFlows([EMBEDDED_TRAIN]);
  first = await trainRun({ train: ds }, CONFIG);
});

function withoutTiming(m: Metrics): Omit<Metrics, 'timing'> {
  const { timing: _timing, ...rest } = m;
  return rest;
}

test('the training split scores equal those of predicting its flows afresh with the trained model', async () => {
  const split = splitRows({ train: ds }, CONFIG);
  const fresh = await predictFlows(first.model, first.preprocessor, ds, split.train, { batchSize: Math.max(256, CONFIG.batchSize), labelled: true });
  const p = first.preprocessor;
  const expected = computeMetrics({ yTrue: fresh.targets!, yPred: fresh.classOf, classes: p.classes, normalClass: p.classes.includes(NORMAL) ? NORMAL : p.classes[0], split: 'train' });
  assert.deepEqual(first.trainMetrics.confusion, expected.confusion);
  assert.equal(first.trainMetrics.accuracy, expected.accuracy);
  assert.equal(first.trainMetrics.flows.train, split.train.length);
});

test('the same seed gives the same history and scores', async () => {
  const again = await trainRun({ train: ds }, CONFIG);
  assert.deepEqual(again.history.map(({ seconds: _s, flowsPerSec: _f, ...r }) => r), first.history.map(({ seconds: _s, flowsPerSec: _f, ...r }) => r));
  assert.deepEqual(withoutTiming(again.metrics), withoutTiming(first.metrics));
  assert.deepEqual(withoutTiming(again.trainMetrics), withoutTiming(first.trainMetrics));
  again.model.dispose();
});

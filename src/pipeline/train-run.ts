/**
 * One training run on flows already read: split, fit preprocessing on the training rows only,
 * train, and score on held-out flows. No file I/O here; the commands read and write.
 */
import { fitPreprocessor, NORMAL, type Preprocessor } from '../features/index.js';
import { computeMetrics, encodedClassValue, r2Score } from '../evaluate/metrics.js';
import type { EpochRecord, Metrics } from '../evaluate/types.js';
import type { FlowDataset } from '../flows/schema.js';
import { createModel, type ModelSpec, type SequenceModel } from '../nn/engine.js';
import { balancedClassWeights } from '../train/class-weights.js';
import { fit } from '../train/fit.js';
import { splitByTime, splitRandom, type Split } from '../train/split.js';
import { UserError } from '../util/errors.js';
import { effectiveSeqLen, type TrainConfig } from './config.js';
import { flowSequences, predictFlows, predictFlowSequences, type FlowSequences } from './predict-flows.js';

export interface TrainRunInput {
  train: FlowDataset;
  /** Held-out files (`--test`); without them the test split is cut from `train`. */
  test?: FlowDataset;
}

export interface TrainRunHooks {
  onEpoch?: (r: EpochRecord) => void;
  onBatch?: (done: number, total: number, loss: number) => void;
  onStage?: (stage: string) => void;
  /** Called once the model is built, before training: for a line saying what trains on what. */
  onModel?: (model: SequenceModel) => void;
}

export interface TrainRunResult {
  model: SequenceModel;
  preprocessor: Preprocessor;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Scores on the test split (the headline numbers). */
  metrics: Metrics;
  /** Scores on the training split (for the report; R² train comes from here). */
  trainMetrics: Metrics;
  counts: Record<string, number>;
}

function allRows(n: number): Uint32Array {
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/** Train/validation/test rows; with separate test files, `test` indexes `input.test`. */
export function splitRows(input: TrainRunInput, c: TrainConfig): Split {
  const rows = allRows(input.train.length);
  const testFraction = input.test ? 0 : c.testFraction;
  // Validation is a share of what remains for training, so --validation means the same with or without --test.
  const fractions = { validation: c.validationFraction * (1 - testFraction), test: testFraction };
  const split = c.split === 'time' ? splitByTime(input.train.columns.start, rows, fractions) : splitRandom(rows, fractions, c.seed);
  return input.test ? { ...split, test: allRows(input.test.length) } : split;
}

export async function trainRun(input: TrainRunInput, c: TrainConfig, hooks: TrainRunHooks = {}): Promise<TrainRunResult> {
  const split = splitRows(input, c);
  const testDs = input.test ?? input.train;
  if (split.train.length === 0) throw new UserError('no flows left for training after the split');
  if (split.test.length === 0) throw new UserError('no flows left for the test split');

  hooks.onStage?.('preprocessing');
  const p = fitPreprocessor(input.train, split.train, { features: c.features, target: c.target });
  if (p.classes.length < 2) {
    throw new UserError(`the training flows hold only the class ${JSON.stringify(p.classes)}: a classifier needs at least two (target ${c.target})`);
  }
  const seqLen = effectiveSeqLen(c);
  // Held in `let`s and cleared once used: at CIDDS scale (16M flows) each feature matrix is GBs, and
  // the training matrix is gone before the test one is built, so the two never add up.
  let train: FlowSequences | undefined = flowSequences(p, input.train, split.train, seqLen, true);
  let validation = split.validation.length > 0 ? flowSequences(p, input.train, split.validation, seqLen, true) : undefined;

  const classes = p.classes.length;
  const spec: ModelSpec = {
    inputSize: p.names.length,
    seqLen,
    layers: c.layers,
    dropout: c.dropout,
    outputs: c.loss === 'mse' ? 1 : classes,
    classes,
    loss: c.loss,
    classWeights: c.loss === 'crossentropy' ? balancedClassWeights(train.targets!, classes) : undefined,
    lr: c.lr,
    seed: c.seed,
  };
  const model = await createModel(spec);
  hooks.onModel?.(model);
  hooks.onStage?.('training');
  const fitted = await fit(model, { train: train.source, validation: validation?.source }, {
    epochs: c.epochs, batchSize: c.batchSize, seed: c.seed, patience: c.patience, onEpoch: hooks.onEpoch, onBatch: hooks.onBatch,
  });
  validation = undefined;

  hooks.onStage?.('scoring');
  const predictBatch = Math.max(256, c.batchSize);
  // The training split's sequences are exactly those training used: score them as they are
  // instead of building the features a second time.
  const onTrain = await predictFlowSequences(model, train, predictBatch);
  train = undefined;
  const onTest = await predictFlows(model, p, testDs, split.test, { batchSize: predictBatch, labelled: true });
  const r2 = {
    train: r2Score(onTrain.targets!, encodedClassValue(onTrain.prob, onTrain.outputs)),
    test: r2Score(onTest.targets!, encodedClassValue(onTest.prob, onTest.outputs)),
  };
  const counts = { train: split.train.length, validation: split.validation.length, test: split.test.length };
  const trainSteps = fitted.history.reduce((s, e) => s + e.flowsPerSec * e.seconds, 0);
  const trainSeconds = fitted.history.reduce((s, e) => s + e.seconds, 0);
  const timing = {
    trainFlowsPerSec: trainSeconds > 0 ? trainSteps / trainSeconds : null,
    predictFlowsPerSec: onTest.seconds > 0 ? split.test.length / onTest.seconds : null,
  };
  const common = { classes: p.classes, normalClass: p.classes.includes(NORMAL) ? NORMAL : p.classes[0], r2, timing, flows: counts };
  const metrics = computeMetrics({ ...common, yTrue: onTest.targets!, yPred: onTest.classOf, split: testSplitName(input, c) });
  const trainMetrics = computeMetrics({ ...common, yTrue: onTrain.targets!, yPred: onTrain.classOf, split: 'train' });
  return { model, preprocessor: p, history: fitted.history, bestEpoch: fitted.bestEpoch, stoppedEarly: fitted.stoppedEarly, metrics, trainMetrics, counts };
}

function testSplitName(input: TrainRunInput, c: TrainConfig): string {
  if (input.test) return 'test (held-out files)';
  const pct = Math.round(c.testFraction * 100);
  return c.split === 'time' ? `test (latest ${pct}% of flows by time)` : `test (random ${pct}% of flows)`;
}

/**
 * Everything that decides what a training run computes. Saved with the model and shown in the
 * report, so a run can be repeated from its own output.
 */
import type { FeatureSet, TargetKind } from '../features/index.js';
import type { LossKind } from '../nn/engine.js';
import { UserError } from '../util/errors.js';

export type SequenceMode = 'sequence' | 'flow';
export type SplitKind = 'time' | 'random';

export interface TrainConfig {
  mode: SequenceMode;
  /** Flows per window in sequence mode (1 in flow mode). */
  seqLen: number;
  layers: number[];
  dropout: number;
  epochs: number;
  batchSize: number;
  lr: number;
  loss: LossKind;
  target: TargetKind;
  features: FeatureSet;
  split: SplitKind;
  /** Shares of the (training) flows held out, by time or at random. */
  validationFraction: number;
  /** Share of flows held out for the test split when no separate test files are given. */
  testFraction: number;
  /** Epochs without a lower validation loss before training stops. */
  patience: number;
  seed: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  mode: 'sequence',
  seqLen: 16,
  layers: [64, 32],
  dropout: 0.2,
  epochs: 12,
  batchSize: 64,
  lr: 0.003,
  loss: 'crossentropy',
  target: 'attackType',
  features: 'full',
  split: 'time',
  validationFraction: 0.15,
  testFraction: 0.25,
  patience: 3,
  seed: 42,
};

/** What the replaced Keras project did: per-flow MSE regression on the encoded class, random split, host identities as features. */
export const COMPAT_OVERRIDES: Partial<TrainConfig> = { mode: 'flow', loss: 'mse', split: 'random', features: 'compat' };

/** Checks a config assembled from flags; the message names the flag. */
export function validateTrainConfig(c: TrainConfig): TrainConfig {
  const fail = (flag: string, why: string): never => {
    throw new UserError(`--${flag}: ${why}`);
  };
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  if (c.mode !== 'sequence' && c.mode !== 'flow') fail('mode', `must be sequence or flow, got ${c.mode}`);
  if (!posInt(c.seqLen)) fail('seq-len', `must be a positive integer, got ${c.seqLen}`);
  if (c.layers.length === 0 || !c.layers.every(posInt)) fail('layers', `must be a comma-separated list of positive integers, got ${c.layers.join(',')}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) fail('dropout', `must be in [0, 1), got ${c.dropout}`);
  if (!posInt(c.epochs)) fail('epochs', `must be a positive integer, got ${c.epochs}`);
  if (!posInt(c.batchSize)) fail('batch-size', `must be a positive integer, got ${c.batchSize}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) fail('lr', `must be a positive number, got ${c.lr}`);
  if (c.loss !== 'crossentropy' && c.loss !== 'mse') fail('loss', `must be crossentropy or mse, got ${c.loss}`);
  if (c.target !== 'attackType' && c.target !== 'class') fail('target', `must be attackType or class, got ${c.target}`);
  if (c.features !== 'full' && c.features !== 'compat') fail('features', `must be full or compat, got ${c.features}`);
  if (c.split !== 'time' && c.split !== 'random') fail('split', `must be time or random, got ${c.split}`);
  if (!(c.validationFraction > 0 && c.validationFraction < 0.5)) fail('validation', `must be in (0, 0.5), got ${c.validationFraction}`);
  if (!(c.testFraction > 0 && c.testFraction < 0.9)) fail('test-fraction', `must be in (0, 0.9), got ${c.testFraction}`);
  if (!(Number.isInteger(c.patience) && c.patience >= 0)) fail('patience', `must be a whole number, got ${c.patience}`);
  if (!Number.isInteger(c.seed)) fail('seed', `must be an integer, got ${c.seed}`);
  return c;
}

/** Steps per sequence the model sees: 1 in flow mode. */
export function effectiveSeqLen(c: TrainConfig): number {
  return c.mode === 'flow' ? 1 : c.seqLen;
}

/** The flags that configure a training run, shared by `ntc train` and `ntc run`. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { COMPAT_OVERRIDES, DEFAULT_TRAIN_CONFIG as D, validateTrainConfig, type TrainConfig } from '../pipeline/config.js';

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${v}"`);
  return n;
}

function num(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${v}"`);
  return n;
}

function intList(v: string): number[] {
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (parts.some((n) => !Number.isInteger(n) || n <= 0)) throw new InvalidArgumentError(`expected units per layer such as 64,32, got "${v}"`);
  return parts;
}

export function addTrainOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--mode <mode>', 'sequence: judge each flow with the earlier flows of its source; flow: each flow alone').choices(['sequence', 'flow']).default(D.mode))
    .option('--seq-len <n>', 'flows per source window in sequence mode', int, D.seqLen)
    .option('--layers <units>', 'units of each stacked LSTM layer', intList, D.layers)
    .option('--dropout <rate>', 'dropout after each LSTM layer', num, D.dropout)
    .option('--epochs <n>', 'most epochs to train (early stopping may end sooner)', int, D.epochs)
    .option('--batch-size <n>', 'sequences per batch', int, D.batchSize)
    .option('--lr <rate>', 'Adam learning rate', num, D.lr)
    .option('--patience <n>', 'epochs without a better validation loss before stopping', int, D.patience)
    .addOption(new Option('--loss <loss>', 'crossentropy (class-weighted), or mse on the encoded class as the replaced project did').choices(['crossentropy', 'mse']).default(D.loss))
    .addOption(new Option('--target <column>', 'what to predict: attackType (--- is normal) or class (normal/attacker/victim)').choices(['attackType', 'class']).default(D.target))
    .addOption(new Option('--features <set>', 'full: no host identities; compat: the replaced project\'s encoded addresses and ports').choices(['full', 'compat']).default(D.features))
    .addOption(new Option('--split <kind>', 'time: train on earlier flows, test on later ones; random: for comparison only').choices(['time', 'random']).default(D.split))
    .option('--validation <fraction>', 'share of the training flows used for validation (the latest ones with --split time)', num, D.validationFraction)
    .option('--test-fraction <fraction>', 'share of flows held out for testing when no --test files are given', num, D.testFraction)
    .option('--compat', 'reproduce the replaced project: --mode flow --loss mse --split random --features compat')
    .option('--seed <n>', 'seed for the split, initial weights, dropout and batch order', int, D.seed);
}

export function trainConfigFrom(o: Record<string, unknown>): TrainConfig {
  const c: TrainConfig = {
    mode: o.mode as TrainConfig['mode'],
    seqLen: o.seqLen as number,
    layers: o.layers as number[],
    dropout: o.dropout as number,
    epochs: o.epochs as number,
    batchSize: o.batchSize as number,
    lr: o.lr as number,
    loss: o.loss as TrainConfig['loss'],
    target: o.target as TrainConfig['target'],
    features: o.features as TrainConfig['features'],
    split: o.split as TrainConfig['split'],
    validationFraction: o.validation as number,
    testFraction: o.testFraction as number,
    patience: o.patience as number,
    seed: o.seed as number,
  };
  return validateTrainConfig(o.compat ? { ...c, ...COMPAT_OVERRIDES } : c);
}

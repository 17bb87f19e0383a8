import type { EpochRecord } from '../evaluate/types.js';
import type { BatchResult, NamedTensor, SequenceModel } from '../nn/engine.js';
import { UserError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { bucketedBatches, lengthOrderedBatches, sequenceSpans } from './batching.js';
import type { SequenceSource } from './source.js';

export interface FitOptions {
  epochs: number;
  /** Sequences per batch. */
  batchSize: number;
  /** Seeds the order of sequences in each epoch. */
  seed: number;
  /**
   * Early stopping as Keras does it: stop once this many epochs in a row brought no lower
   * validation loss (0 and 1 both stop at the first such epoch; Infinity never stops).
   * Ignored without validation.
   */
  patience: number;
  /** Called after each epoch, validation included. */
  onEpoch?: (record: EpochRecord) => void;
  /** Called after each training batch: batches done, batches in the epoch, that batch's loss. */
  onBatch?: (done: number, total: number, loss: number) => void;
}

export interface FitResult {
  history: EpochRecord[];
  /**
   * 1-based epoch whose weights the model holds on return: the lowest validation loss, or the
   * last epoch without validation.
   */
  bestEpoch: number;
  stoppedEarly: boolean;
}

/**
 * Raised when the loss stops being a finite number; the message says where and what to try. A
 * UserError: the usual cause is a learning rate too high for the data, which the user chooses.
 */
export class TrainingDivergedError extends UserError {}

/**
 * Trains `model` in place with shuffled, length-bucketed mini-batches (see batching.ts) and early
 * stopping on validation loss. On return the model holds the best epoch's weights (Keras
 * `restore_best_weights`).
 */
export async function fit(
  model: SequenceModel,
  data: { train: SequenceSource; validation?: SequenceSource },
  opts: FitOptions,
): Promise<FitResult> {
  checkOptions(opts);
  if (data.train.count === 0) throw new Error('no training sequences');
  const rng = new Rng(opts.seed);
  const spans = sequenceSpans(data.train);
  const valBatches = data.validation && data.validation.count > 0
    ? lengthOrderedBatches(sequenceSpans(data.validation), opts.batchSize) : undefined;
  const history: EpochRecord[] = [];
  let best: { epoch: number; loss: number; weights: NamedTensor[] } | undefined;
  let stoppedEarly = false;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const t0 = performance.now();
    const epochBatches = bucketedBatches(spans, opts.batchSize, rng);
    const batches = epochBatches.length;
    const sum = emptySum();
    for (let b = 0; b < batches; b++) {
      const r = await model.trainBatch(data.train.gather(epochBatches[b]));
      if (!Number.isFinite(r.loss)) {
        throw new TrainingDivergedError(
          `training diverged at epoch ${epoch}, batch ${b + 1}/${batches}: loss is ${r.loss}; try a lower learning rate`,
        );
      }
      add(sum, r);
      opts.onBatch?.(b + 1, batches, r.loss);
      // Let timers and signal handlers (progress bars, Ctrl-C) run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (performance.now() - t0) / 1000;
    const val = valBatches ? await evaluateBatches(model, data.validation!, valBatches) : undefined;
    const valSteps = val && val.steps > 0 ? val : undefined;
    const record: EpochRecord = {
      epoch,
      loss: mean(sum.loss, sum.steps),
      accuracy: mean(sum.correct, sum.steps),
      valLoss: valSteps ? valSteps.loss : null,
      valAccuracy: valSteps ? valSteps.correct / valSteps.steps : null,
      seconds,
      flowsPerSec: sum.steps / Math.max(seconds, 1e-9),
    };
    history.push(record);
    opts.onEpoch?.(record);

    if (record.valLoss !== null) {
      if (!best || record.valLoss < best.loss) best = { epoch, loss: record.valLoss, weights: model.getWeights() };
      else if (epoch - best.epoch >= Math.max(1, opts.patience)) {
        stoppedEarly = epoch < opts.epochs;
        break;
      }
    }
  }
  const last = history[history.length - 1].epoch;
  if (best && best.epoch !== last) model.setWeights(best.weights);
  return { history, bestEpoch: best ? best.epoch : last, stoppedEarly };
}

/** Mean loss per real step, correct steps and real steps over all of `source` (no dropout, no update). */
export async function evaluateSource(model: SequenceModel, source: SequenceSource, batchSize: number): Promise<BatchResult> {
  return evaluateBatches(model, source, lengthOrderedBatches(sequenceSpans(source), batchSize));
}

async function evaluateBatches(model: SequenceModel, source: SequenceSource, batches: Uint32Array[]): Promise<BatchResult> {
  const sum = emptySum();
  for (const ids of batches) add(sum, await model.evaluateBatch(source.gather(ids)));
  return { loss: mean(sum.loss, sum.steps), correct: sum.correct, steps: sum.steps };
}

/** `loss` here is a sum of per-step losses, so that the epoch figure is a mean per real step. */
function emptySum(): BatchResult {
  return { loss: 0, correct: 0, steps: 0 };
}

function add(sum: BatchResult, r: BatchResult): void {
  sum.loss += r.loss * r.steps;
  sum.correct += r.correct;
  sum.steps += r.steps;
}

function mean(total: number, steps: number): number {
  return steps > 0 ? total / steps : 0;
}

function checkOptions(o: FitOptions): void {
  if (!(Number.isInteger(o.epochs) && o.epochs > 0)) throw new Error(`epochs must be a positive integer, got ${o.epochs}`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize > 0)) throw new Error(`batchSize must be a positive integer, got ${o.batchSize}`);
  if (!(o.patience >= 0)) throw new Error(`patience must be 0 or more, got ${o.patience}`);
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
}

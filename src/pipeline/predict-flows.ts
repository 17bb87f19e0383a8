/**
 * Flows in, one prediction per flow out: the one path that training's test scores, `ntc evaluate`
 * and (later) `ntc classify` share, so all three judge a flow with the same features and context.
 */
import { buildSequences, encodeTargets, gatherSequenceBatch, transformFlows, type Preprocessor } from '../features/index.js';
import type { FlowDataset } from '../flows/schema.js';
import type { SequenceModel } from '../nn/engine.js';
import { predictSequences, type FlowPredictions } from '../train/predict.js';
import { sequenceSource, type SequenceSource } from '../train/source.js';

export interface FlowSequences {
  source: SequenceSource;
  /** True class per row, when the data is labelled. */
  targets: Int32Array | null;
}

/** Features, targets (when `labelled`) and sequences for `rows` of `ds`, as a SequenceSource. */
export function flowSequences(p: Preprocessor, ds: FlowDataset, rows: Uint32Array, seqLen: number, labelled: boolean): FlowSequences {
  const features = transformFlows(p, ds, rows);
  const targets = labelled ? encodeTargets(p, ds, rows) : null;
  const gatherTargets = targets ?? new Int32Array(rows.length).fill(-1);
  const seqs = buildSequences(ds, rows, seqLen);
  const source = sequenceSource(seqs, rows.length, (ids) => gatherSequenceBatch(features, gatherTargets, seqs, ids));
  return { source, targets };
}

export interface FlowPredictionResult extends FlowPredictions {
  /** True class per row of `rows`, when the data is labelled. */
  targets: Int32Array | null;
  seconds: number;
}

export async function predictFlows(model: SequenceModel, p: Preprocessor, ds: FlowDataset, rows: Uint32Array, opts: { batchSize: number; labelled: boolean }): Promise<FlowPredictionResult> {
  const t0 = performance.now();
  const pred = await predictFlowSequences(model, flowSequences(p, ds, rows, model.spec.seqLen, opts.labelled), opts.batchSize);
  return { ...pred, seconds: (performance.now() - t0) / 1000 };
}

/** predictFlows for sequences already built; `seconds` counts the prediction alone. */
export async function predictFlowSequences(model: SequenceModel, seqs: FlowSequences, batchSize: number): Promise<FlowPredictionResult> {
  const t0 = performance.now();
  const pred = await predictSequences(model, seqs.source, batchSize);
  return { ...pred, targets: seqs.targets, seconds: (performance.now() - t0) / 1000 };
}

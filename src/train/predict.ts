import { type SequenceModel, classOfOutput } from '../nn/engine.js';
import { lengthOrderedBatches, sequenceSpans } from './batching.js';
import type { SequenceSource } from './source.js';

export interface FlowPredictions {
  /** Per flow row: predicted class, or -1 for a row that is in no sequence. */
  classOf: Int32Array;
  /**
   * Per flow row, `outputs` values (flowCount * outputs): class probabilities for cross-entropy
   * models, the raw regression value for mse models; zeros for rows in no sequence.
   */
  prob: Float32Array;
  outputs: number;
}

/**
 * Runs the model over every sequence and maps step outputs back to flow rows, skipping padding.
 * A row that sits in several (overlapping) sequences takes the output from the step with the most
 * history before it — the latest position in its sequence; on a tie, the lowest sequence id.
 */
export async function predictSequences(model: SequenceModel, source: SequenceSource, batchSize: number): Promise<FlowPredictions> {
  const { spec } = model;
  if (source.seqLen !== spec.seqLen) throw new Error(`sequences have ${source.seqLen} steps, the model expects ${spec.seqLen}`);
  const k = spec.outputs;
  const classOf = new Int32Array(source.flowCount).fill(-1);
  const prob = new Float32Array(source.flowCount * k);
  const position = new Int32Array(source.flowCount).fill(-1);
  const owner = new Int32Array(source.flowCount);
  for (const ids of lengthOrderedBatches(sequenceSpans(source), batchSize)) {
    const batch = source.gather(ids);
    const out = await model.predict(batch.x, batch.batch, batch.mask);
    for (let b = 0; b < ids.length; b++) {
      for (let t = 0; t < spec.seqLen; t++) {
        const row = source.rowIndex[ids[b] * spec.seqLen + t];
        if (row < 0 || batch.mask[b * spec.seqLen + t] === 0) continue;
        if (row >= source.flowCount) throw new Error(`sequence ${ids[b]} refers to flow row ${row}, beyond ${source.flowCount} rows`);
        if (t < position[row] || (t === position[row] && ids[b] > owner[row])) continue;
        position[row] = t;
        owner[row] = ids[b];
        const off = (b * spec.seqLen + t) * k;
        // A plain copy: a subarray per flow would be millions of short-lived objects.
        for (let j = 0; j < k; j++) prob[row * k + j] = out[off + j];
        classOf[row] = classOfOutput(spec, out, off);
      }
    }
  }
  return { classOf, prob, outputs: k };
}

/**
 * Per-source sequences for the LSTM: each source's flows in time order, cut into consecutive
 * windows of seqLen flows. Each window starts from an empty LSTM state, which a streaming
 * classifier reproduces by resetting a source's state every seqLen flows.
 */
import type { FlowDataset } from '../flows/schema.js';
import { UserError } from '../util/errors.js';
import { sourceTimeOrder } from './order.js';
import type { FeatureMatrix, SequenceBatch, Sequences } from './types.js';

export function buildSequences(ds: FlowDataset, rows: Uint32Array, seqLen: number): Sequences {
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new UserError(`sequence length must be a positive integer, got ${seqLen}`);
  const { order, groupStart } = sourceTimeOrder(ds, rows);
  let count = 0;
  for (let g = 0; g + 1 < groupStart.length; g++) count += Math.ceil((groupStart[g + 1] - groupStart[g]) / seqLen);
  const rowIndex = new Int32Array(count * seqLen).fill(-1);
  let s = 0;
  for (let g = 0; g + 1 < groupStart.length; g++) {
    for (let k = groupStart[g]; k < groupStart[g + 1]; k += seqLen) {
      const end = Math.min(k + seqLen, groupStart[g + 1]);
      for (let t = k; t < end; t++) rowIndex[s * seqLen + (t - k)] = order[t];
      s++;
    }
  }
  return { seqLen, count, rowIndex };
}

export function gatherSequenceBatch(features: FeatureMatrix, targets: Int32Array, seqs: Sequences, seqIds: ArrayLike<number>): SequenceBatch {
  const { seqLen, rowIndex } = seqs;
  const cols = features.cols;
  const batch = seqIds.length;
  const x = new Float32Array(batch * seqLen * cols);
  const y = new Int32Array(batch * seqLen).fill(-1);
  const mask = new Float32Array(batch * seqLen);
  for (let b = 0; b < batch; b++) {
    const s = seqIds[b];
    if (!(s >= 0 && s < seqs.count)) throw new RangeError(`sequence id ${s} out of range 0..${seqs.count - 1}`);
    for (let t = 0; t < seqLen; t++) {
      const r = rowIndex[s * seqLen + t];
      if (r < 0) continue;
      const step = b * seqLen + t;
      x.set(features.data.subarray(r * cols, (r + 1) * cols), step * cols);
      y[step] = targets[r];
      mask[step] = 1;
    }
  }
  return { x, y, mask };
}

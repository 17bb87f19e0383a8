import type { SequenceBatch } from '../nn/engine.js';

/**
 * Where training and prediction get sequences from. The glue builds one from the features
 * stage: `sequenceSource(seqs, rows, (ids) => gatherSequenceBatch(features, targets, seqs, ids))`.
 */
export interface SequenceSource {
  /** Number of sequences; ids run 0..count-1. */
  readonly count: number;
  readonly seqLen: number;
  /**
   * count * seqLen: the flow row (index into the feature matrix / targets) at each step, -1 at
   * padding. Used to map per-step predictions back to flows.
   */
  readonly rowIndex: Int32Array;
  /** Number of flow rows `rowIndex` refers to (the length of per-flow prediction arrays). */
  readonly flowCount: number;
  /** The sequences `ids`, in that order, as one batch. */
  gather(ids: Uint32Array): SequenceBatch;
}

/** The fields of the features stage's `Sequences` this module needs. */
export interface SequenceIndex {
  seqLen: number;
  count: number;
  rowIndex: Int32Array;
}

/** Wraps a gather function (x, y, mask for given sequence ids) as a SequenceSource. */
export function sequenceSource(
  seqs: SequenceIndex,
  flowCount: number,
  gather: (ids: Uint32Array) => { x: Float32Array; y: Int32Array; mask: Float32Array },
): SequenceSource {
  if (seqs.rowIndex.length !== seqs.count * seqs.seqLen) {
    throw new Error(`rowIndex has ${seqs.rowIndex.length} entries, expected count * seqLen = ${seqs.count * seqs.seqLen}`);
  }
  return {
    count: seqs.count,
    seqLen: seqs.seqLen,
    rowIndex: seqs.rowIndex,
    flowCount,
    gather(ids) {
      const b = gather(ids);
      return { x: b.x, y: b.y, mask: b.mask, batch: ids.length };
    },
  };
}

/**
 * A source over in-memory arrays: `x` is count * seqLen * inputSize, `y` and `rowIndex` are
 * count * seqLen; the mask is 1 where rowIndex >= 0. Used by tests and small tools.
 */
export function arraySequenceSource(a: {
  x: Float32Array; y: Int32Array; rowIndex: Int32Array; seqLen: number; inputSize: number; flowCount: number;
}): SequenceSource {
  const { seqLen, inputSize } = a;
  const count = a.rowIndex.length / seqLen;
  if (!Number.isInteger(count) || a.y.length !== a.rowIndex.length || a.x.length !== a.rowIndex.length * inputSize) {
    throw new Error('arraySequenceSource: x, y and rowIndex lengths disagree');
  }
  return sequenceSource({ seqLen, count, rowIndex: a.rowIndex }, a.flowCount, (ids) => {
    const n = ids.length;
    const x = new Float32Array(n * seqLen * inputSize);
    const y = new Int32Array(n * seqLen);
    const mask = new Float32Array(n * seqLen);
    ids.forEach((id, b) => {
      x.set(a.x.subarray(id * seqLen * inputSize, (id + 1) * seqLen * inputSize), b * seqLen * inputSize);
      for (let t = 0; t < seqLen; t++) {
        const real = a.rowIndex[id * seqLen + t] >= 0;
        mask[b * seqLen + t] = real ? 1 : 0;
        y[b * seqLen + t] = real ? a.y[id * seqLen + t] : -1;
      }
    });
    return { x, y, mask };
  });
}

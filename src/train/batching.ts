import type { Rng } from '../util/rng.js';
import type { SequenceSource } from './source.js';

/**
 * Batching that keeps sequences of similar length together. The model skips steps that are
 * padding in every sequence of a batch, and per-source windows are often short (a source with 3
 * flows gives one 3-step window), so grouping by length saves most of the padded work.
 */

/** Steps up to the last real one, per sequence. */
export function sequenceSpans(source: Pick<SequenceSource, 'count' | 'seqLen' | 'rowIndex'>): Uint16Array {
  const { count, seqLen, rowIndex } = source;
  const spans = new Uint16Array(count);
  for (let s = 0; s < count; s++) {
    for (let t = seqLen - 1; t >= 0; t--) {
      if (rowIndex[s * seqLen + t] >= 0) {
        spans[s] = t + 1;
        break;
      }
    }
  }
  return spans;
}

/**
 * Training batches for one epoch: shuffle, then within pools of `poolBatches` batches sort by
 * length and cut, then shuffle the order of the batches. Every sequence appears exactly once;
 * batches stay random in content (each pool is a random sample) but homogeneous in length.
 */
export function bucketedBatches(spans: Uint16Array, batchSize: number, rng: Rng, poolBatches = 16): Uint32Array[] {
  const order = rng.shuffle(new Uint32Array(spans.length).map((_, i) => i));
  const pool = batchSize * poolBatches;
  const batches: Uint32Array[] = [];
  for (let p = 0; p < order.length; p += pool) {
    const ids = Array.from(order.subarray(p, Math.min(order.length, p + pool)));
    // Stable sort on length only: equal lengths keep their shuffled order, so a batch is a random
    // sample of its length group rather than a run of neighbouring ids (neighbours share a source).
    ids.sort((a, b) => spans[a] - spans[b]);
    for (let b = 0; b < ids.length; b += batchSize) batches.push(Uint32Array.from(ids.slice(b, b + batchSize)));
  }
  // Shuffle the batch order too, so long and short batches interleave across the epoch.
  const idx = rng.shuffle(new Uint32Array(batches.length).map((_, i) => i));
  return Array.from(idx, (i) => batches[i]);
}

/** All sequences once, grouped by length (for evaluation and prediction, where order is irrelevant). */
export function lengthOrderedBatches(spans: Uint16Array, batchSize: number): Uint32Array[] {
  // Counting sort by length, ids ascending within a length: the order of sorting by (length, id),
  // in linear time and without a JS array of ids (CIDDS-002's training split has a million sequences).
  let maxSpan = 0;
  for (let s = 0; s < spans.length; s++) if (spans[s] > maxSpan) maxSpan = spans[s];
  const next = new Uint32Array(maxSpan + 2);
  for (let s = 0; s < spans.length; s++) next[spans[s] + 1]++;
  for (let l = 1; l <= maxSpan + 1; l++) next[l] += next[l - 1];
  const ids = new Uint32Array(spans.length);
  for (let s = 0; s < spans.length; s++) ids[next[spans[s]]++] = s;
  const batches: Uint32Array[] = [];
  for (let b = 0; b < ids.length; b += batchSize) batches.push(ids.slice(b, b + batchSize));
  return batches;
}

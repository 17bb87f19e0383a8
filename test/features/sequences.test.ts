import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSequences, gatherSequenceBatch, type FeatureMatrix } from '../../src/features/index.js';
import { datasetFromFlows, T0 } from './dataset.js';

// Rows:          0    1    2    3    4    5    6
const ds = datasetFromFlows([
  { srcAddr: 'A', start: T0 + 5 },
  { srcAddr: 'B', start: T0 + 1 },
  { srcAddr: 'A', start: T0 + 2 },
  { srcAddr: 'A', start: T0 + 2 },
  { srcAddr: 'B', start: T0 + 9 },
  { srcAddr: 'A', start: T0 + 7 },
  { srcAddr: 'C', start: T0 + 3 },
]);
const all = Uint32Array.from({ length: 7 }, (_, i) => i);

function windows(rowIndex: Int32Array, seqLen: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < rowIndex.length; s += seqLen) out.push([...rowIndex.subarray(s, s + seqLen)]);
  return out;
}

test('sequences group flows by source, in start-time order (ties keep row order), padded with -1', () => {
  const seqs = buildSequences(ds, all, 3);
  assert.equal(seqs.seqLen, 3);
  assert.equal(seqs.count, 4);
  // A: rows 2,3 (t=2), 0 (t=5), 5 (t=7) -> two windows; B: 1, 4; C: 6.
  assert.deepEqual(windows(seqs.rowIndex, 3), [[2, 3, 0], [5, -1, -1], [1, 4, -1], [6, -1, -1]]);
});

test('flow mode: sequence length 1 gives one sequence per flow', () => {
  const seqs = buildSequences(ds, all, 1);
  assert.equal(seqs.count, 7);
  assert.deepEqual([...seqs.rowIndex].sort(), [0, 1, 2, 3, 4, 5, 6]);
});

test('with a row subset, sequence entries are positions into that subset', () => {
  const rows = Uint32Array.of(5, 0, 4); // A t=7, A t=5, B t=9
  const seqs = buildSequences(ds, rows, 2);
  assert.deepEqual(windows(seqs.rowIndex, 2), [[1, 0], [2, -1]]);
});

test('a batch gathers features and targets per step, zeros and -1 at padding, and a mask', () => {
  const cols = 2;
  const features: FeatureMatrix = { names: ['a', 'b'], rows: 7, cols, data: Float32Array.from({ length: 14 }, (_, i) => i) };
  const targets = Int32Array.from([10, 11, 12, 13, 14, 15, 16]);
  const seqs = buildSequences(ds, all, 3);
  const b = gatherSequenceBatch(features, targets, seqs, [1, 0]);
  // Sequence 1 = [5, -1, -1]; sequence 0 = [2, 3, 0].
  assert.deepEqual([...b.x], [10, 11, 0, 0, 0, 0, 4, 5, 6, 7, 0, 1]);
  assert.deepEqual([...b.y], [15, -1, -1, 12, 13, 10]);
  assert.deepEqual([...b.mask], [1, 0, 0, 1, 1, 1]);
  assert.throws(() => gatherSequenceBatch(features, targets, seqs, [4]), /out of range/);
});

test('a sequence length below 1 is refused', () => {
  assert.throws(() => buildSequences(ds, all, 0), /positive integer/);
});

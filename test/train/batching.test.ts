import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketedBatches, lengthOrderedBatches, sequenceSpans } from '../../src/train/batching.js';
import { Rng } from '../../src/util/rng.js';

test('a sequence spans up to its last real step', () => {
  const rowIndex = Int32Array.from([0, 1, -1, -1, /**/ -1, -1, -1, -1, /**/ -1, 2, -1, 3, /**/ 4, 5, 6, 7]);
  assert.deepEqual(Array.from(sequenceSpans({ count: 4, seqLen: 4, rowIndex })), [2, 0, 4, 4]);
});

test('bucketed batches hold every sequence once, similar lengths together, seeded', () => {
  const rng = new Rng(1);
  const spans = new Uint16Array(1000).map(() => 1 + rng.int(16));
  const a = bucketedBatches(spans, 32, new Rng(9));
  const b = bucketedBatches(spans, 32, new Rng(9));
  assert.deepEqual(a, b);
  const all = a.flatMap((x) => Array.from(x)).sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i));
  assert.ok(a.every((x) => x.length <= 32));
  // Within a batch the span range is far narrower than across the data (1..16).
  const ranges = a.map((x) => Math.max(...Array.from(x, (i) => spans[i])) - Math.min(...Array.from(x, (i) => spans[i])));
  assert.ok(ranges.reduce((s, r) => s + r, 0) / ranges.length < 3, `mean span range per batch ${ranges}`);
  // Sequences of equal length are not grouped by id: a batch is not a run of neighbouring ids.
  const same = bucketedBatches(new Uint16Array(1000).fill(4), 32, new Rng(3));
  assert.ok(same.every((x) => Math.max(...x) - Math.min(...x) > 100), 'equal-length batches stay random samples');
  // Batch order is shuffled: not sorted by length across the epoch.
  const firsts = a.map((x) => spans[x[0]]);
  assert.notDeepEqual(firsts, [...firsts].sort((x, y) => x - y));
});

test('length-ordered batches cover all sequences in order of length', () => {
  const spans = Uint16Array.from([3, 1, 2, 1, 3]);
  assert.deepEqual(lengthOrderedBatches(spans, 2).map((x) => Array.from(x)), [[1, 3], [2, 0], [4]]);
});

test('length-ordered batches order sequences by length, then by id', () => {
  const rng = new Rng(9);
  const spans = new Uint16Array(3000).map(() => 1 + Math.floor(rng.next() * 16));
  const expected = Array.from({ length: spans.length }, (_, i) => i).sort((a, b) => spans[a] - spans[b] || a - b);
  const batches = lengthOrderedBatches(spans, 64);
  assert.deepEqual(batches.flatMap((x) => Array.from(x)), expected);
  assert.ok(batches.slice(0, -1).every((x) => x.length === 64));
  assert.deepEqual(lengthOrderedBatches(new Uint16Array(0), 8), []);
});

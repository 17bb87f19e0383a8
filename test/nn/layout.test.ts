import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countReal, needsCarry, realSpan, toBatchMajor, toTimeMajor } from '../../src/nn/layout.js';

const mask = (rows: number[][]) => Float32Array.from(rows.flat());

test('realSpan ends at the last real step of any sequence in the batch', () => {
  assert.equal(realSpan(mask([[1, 1, 0, 0], [1, 0, 0, 0]]), 2, 4), 2);
  assert.equal(realSpan(mask([[0, 0, 0, 1], [1, 0, 0, 0]]), 2, 4), 4);
  assert.equal(realSpan(mask([[0, 0, 0, 0]]), 1, 4), 0);
});

test('state carry is needed only when a real step follows padding', () => {
  assert.equal(needsCarry(mask([[1, 1, 0, 0], [1, 1, 1, 1]]), 2, 4), false);
  assert.equal(needsCarry(mask([[0, 1, 1, 1]]), 1, 4), true);
  assert.equal(needsCarry(mask([[1, 0, 1, 0]]), 1, 4), true);
  assert.equal(countReal(mask([[1, 0, 1, 0]])), 2);
});

test('time-major conversion keeps the first span steps and round-trips', () => {
  // batch 2, seqLen 3, width 2: value = 100 * b + 10 * t + i
  const a = Float32Array.from([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
  const tm = toTimeMajor(a, 2, 3, 2, 2);
  assert.deepEqual(Array.from(tm), [0, 1, 100, 101, 10, 11, 110, 111]);
  assert.deepEqual(Array.from(toBatchMajor(tm, 2, 3, 2, 2)), [0, 1, 10, 11, 0, 0, 100, 101, 110, 111, 0, 0]);
});

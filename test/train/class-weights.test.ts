import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancedClassWeights } from '../../src/train/class-weights.js';

test('balanced weights are n / (k * count), padding skipped, absent classes 1', () => {
  // 6 of class 0, 2 of class 1, 1 of class 2, none of class 3; -1 is padding.
  const y = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 2, -1, -1]);
  const w = balancedClassWeights(y, 4);
  assert.deepEqual(w, [9 / (3 * 6), 9 / (3 * 2), 9 / (3 * 1), 1]);
  // The mean weight per training flow is 1 before capping.
  assert.equal((6 * w[0] + 2 * w[1] + 1 * w[2]) / 9, 1);
});

test('weights are capped so a very rare class cannot dominate a batch', () => {
  const y = new Int32Array(10001);
  y[0] = 1;
  const w = balancedClassWeights(y, 2);
  assert.equal(w[1], 50);
  assert.equal(w[0], 10001 / (2 * 10000));
  assert.equal(balancedClassWeights(y, 2, 1e6)[1], 10001 / 2);
  assert.throws(() => balancedClassWeights(Int32Array.from([2]), 2), /outside 0\.\.1/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatProbability } from '../../src/serve/prediction-format.js';

test('property: a probability prints as the shortest text of its value rounded to 6 decimals', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (p) => {
      const s = formatProbability(p);
      assert.equal(Number(s), Number(p.toFixed(6)), `${p} -> ${s}`);
      assert.equal(s, String(Number(s)), `${p} -> ${s} is not the shortest form`);
    }),
    { numRuns: 2000, seed: 1 },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatCsvRows, formatProbability } from '../../src/serve/prediction-format.js';
import { datasetFromFlows, T0 } from '../features/dataset.js';

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

test('CSV rows give each flow its exact ISO time, millisecond included, across seconds and days', () => {
  const starts = [T0, T0 + 7, T0 + 999, T0 + 1000, T0 + 1001, T0 + 86_400_000 + 42, T0 + 86_400_000 + 42, T0 - 1];
  const ds = datasetFromFlows(starts.map((start) => ({ start })));
  const pred = { classOf: new Int32Array(starts.length), prob: new Float32Array(starts.length * 2).fill(0.5), outputs: 2 };
  const lines = formatCsvRows(ds, pred, ['normal', 'attack']).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.split(',')[0]), starts.map((s) => new Date(s).toISOString()));
  assert.match(lines[0], /,normal,0\.5,0\.5,0\.5$/);
});

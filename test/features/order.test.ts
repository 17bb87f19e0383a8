import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeOrder } from '../../src/features/index.js';
import { datasetFromFlows, rng, T0 } from './dataset.js';

function reference(start: Float64Array, rows: Uint32Array): number[] {
  return Array.from(rows.keys()).sort((a, b) => start[rows[a]] - start[rows[b]] || a - b);
}

test('time order of rows made of sorted runs (files read out of order) is a stable sort, ties in row order', () => {
  const r = rng(3);
  for (const runs of [2, 3, 5, 8, 64, 65, 200]) {
    // Each run sorted, coarse times so equal starts occur within and across runs.
    const starts: number[] = [];
    for (let k = 0; k < runs; k++) {
      const len = 1 + Math.floor(r() * 40);
      let t = T0 + Math.floor(r() * 20) * 1000;
      for (let i = 0; i < len; i++) starts.push((t += Math.floor(r() * 3) * 1000));
    }
    const ds = datasetFromFlows(starts.map((start) => ({ start })));
    const all = Uint32Array.from(starts.keys());
    const subset = all.filter((_, i) => i % 3 !== 1);
    for (const rows of [all, subset]) {
      assert.deepEqual(Array.from(timeOrder(ds, rows)), reference(ds.columns.start, rows), `${runs} runs, ${rows.length} rows`);
    }
  }
});

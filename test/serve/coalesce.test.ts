import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowDataset } from '../../src/flows/schema.js';
import { coalesceBatches, IDLE, idleTicks } from '../../src/serve/coalesce.js';
import { datasetFromFlows, T0 } from '../features/dataset.js';

function batch(n: number, from: number): FlowDataset {
  return datasetFromFlows(Array.from({ length: n }, (_, i) => ({ start: T0 + from + i })));
}

async function* source(sizes: number[], gapsMs: number[] = []): AsyncGenerator<FlowDataset> {
  let at = 0;
  for (let i = 0; i < sizes.length; i++) {
    if (gapsMs[i]) await sleep(gapsMs[i]);
    yield batch(sizes[i], at);
    at += sizes[i];
  }
}

test('small batches are joined until they reach the minimum, rows kept in order; the rest comes out at the end', async () => {
  const out: FlowDataset[] = [];
  for await (const b of coalesceBatches(source([3, 4, 2, 5, 1]), 8, 60_000)) out.push(b);
  assert.deepEqual(out.map((b) => b.length), [9, 6]);
  const starts = out.flatMap((b) => Array.from(b.columns.start, (s) => s - T0));
  assert.deepEqual(starts, Array.from({ length: 15 }, (_, i) => i));
});

test('a stalled stream still hands over what it holds after the delay, before more input arrives', async () => {
  const t0 = Date.now();
  const seen: Array<{ rows: number; ms: number }> = [];
  for await (const b of coalesceBatches(source([3, 2], [0, 600]), 1000, 100)) seen.push({ rows: b.length, ms: Date.now() - t0 });
  assert.equal(seen.length, 2);
  assert.equal(seen[0].rows, 3);
  assert.ok(seen[0].ms < 400, `first rows waited ${seen[0].ms} ms`);
  assert.equal(seen[1].rows, 2);
});

test('while results are held back, a quiet source yields IDLE after the delay, and only then', async () => {
  const t0 = Date.now();
  let waiting = true;
  const seen: Array<{ what: number | 'idle'; ms: number }> = [];
  for await (const b of idleTicks(source([3, 2, 4], [0, 500, 500]), 150, () => waiting)) {
    seen.push({ what: b === IDLE ? 'idle' : b.length, ms: Date.now() - t0 });
    // Once IDLE has released what was held, nothing is held until the next batch.
    waiting = b !== IDLE && b.length !== 2;
  }
  assert.deepEqual(seen.map((s) => s.what), [3, 'idle', 2, 4]);
  assert.ok(seen[1].ms < 450, `IDLE came after ${seen[1].ms} ms`);
});

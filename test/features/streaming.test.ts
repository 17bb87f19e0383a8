import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor, SourceContextStore, transformFlows } from '../../src/features/index.js';
import { datasetFromFlows, syntheticFlows, rng, T0, type TestFlow } from './dataset.js';

test('streaming with per-source contexts and idle eviction gives features bit-identical to batch', () => {
  // A long pause at flow 1096 (a chunk boundary: 8 x 137) so sources go idle and are evicted.
  const r = rng(7);
  const flows: TestFlow[] = syntheticFlows(2000, 3).map((f, i) => ({ ...f, start: T0 + i * 900 + (i >= 1096 ? 5_000_000 : 0) + Math.floor(r() * 400) }));
  flows.sort((a, b) => (a.start as number) - (b.start as number));
  const ds = datasetFromFlows(flows);
  const p = fitPreprocessor(ds, Uint32Array.from({ length: 1200 }, (_, i) => i), { contextIdleSeconds: 600 });
  const batch = transformFlows(p, ds);

  const store = new SourceContextStore(p.options.contextIdleSeconds);
  const streamed = new Float32Array(batch.data.length);
  let evicted = 0;
  for (let from = 0; from < flows.length; from += 137) {
    // Each chunk arrives as its own small data set, with its own dictionaries.
    const chunk = datasetFromFlows(flows.slice(from, from + 137));
    evicted += store.evictIdle(chunk.columns.start[0]);
    const m = transformFlows(p, chunk, undefined, { contexts: store });
    streamed.set(m.data, from * batch.cols);
  }
  assert.ok(evicted > 0, 'the test must exercise eviction');
  assert.deepEqual(Buffer.from(streamed.buffer), Buffer.from(batch.data.buffer));
});

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

test('property: any time-ordered flows cut into any chunks stream to the batch features exactly', async () => {
  const fc = await import('fast-check');
  const flow = fc.record({
    gapMs: fc.integer({ min: 0, max: 900_000 }),
    src: fc.constantFrom('A', 'B', 'C', '10000_34'),
    dst: fc.constantFrom('X', 'Y', 'DNS'),
    dstPort: fc.constantFrom(22, 80, 443, 50000),
    proto: fc.constantFrom('TCP', 'UDP', 'ICMP'),
    bytes: fc.integer({ min: 0, max: 1_000_000 }),
  });
  fc.assert(
    fc.property(fc.array(flow, { minLength: 2, maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 10 }), (rows, cuts) => {
      let t = T0;
      const flows: TestFlow[] = rows.map((r) => ({ start: (t += r.gapMs), srcAddr: r.src, dstAddr: r.dst, dstPort: r.dstPort, proto: r.proto, bytes: r.bytes, packets: 1 + (r.bytes % 7) }));
      const ds = datasetFromFlows(flows);
      const p = fitPreprocessor(ds, undefined, { contextIdleSeconds: 300 });
      const batch = transformFlows(p, ds);
      const store = new SourceContextStore(300);
      const streamed = new Float32Array(batch.data.length);
      let from = 0;
      for (let c = 0; from < flows.length; c++) {
        const n = cuts[c % cuts.length];
        const chunk = datasetFromFlows(flows.slice(from, from + n));
        store.evictIdle(chunk.columns.start[0]);
        streamed.set(transformFlows(p, chunk, undefined, { contexts: store }).data, from * batch.cols);
        from += n;
      }
      return Buffer.from(streamed.buffer).equals(Buffer.from(batch.data.buffer));
    }),
    { numRuns: 200, seed: 42 },
  );
});

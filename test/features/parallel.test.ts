import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DictColumn, FlowDataset } from '../../src/flows/schema.js';
import { toShared } from '../../src/flows/shared-arrays.js';
import { fitPreprocessor, transformFlows, type PreprocessOptions } from '../../src/features/index.js';
import { runBlocks, setParallelFeatures, type BlockJob } from '../../src/features/row-pool.js';
import { batchContext } from '../../src/features/source-context.js';
import { datasetFromFlows, rng, syntheticFlows, T0, type TestFlow } from './dataset.js';

// Small data sets are normally featurised on one thread; here blocks of 97 rows go to 3 threads.
const savedThreads = process.env.NTC_FEATURE_THREADS;
before(() => (process.env.NTC_FEATURE_THREADS = '3'));
after(() => {
  if (savedThreads === undefined) delete process.env.NTC_FEATURE_THREADS;
  else process.env.NTC_FEATURE_THREADS = savedThreads;
  setParallelFeatures({ minRows: 1 << 18, blockRows: 1 << 16 });
});

const onThreads = () => setParallelFeatures({ minRows: 0, blockRows: 97 });
const onOneThread = () => setParallelFeatures({ minRows: Infinity });

/** A copy of `ds` with its columns in shared memory, as the parallel reader leaves them. */
function shared(ds: FlowDataset): FlowDataset {
  const columns = Object.fromEntries(
    Object.entries(ds.columns).map(([k, c]) => [k, ArrayBuffer.isView(c) ? toShared(c as Float64Array) : { codes: toShared((c as DictColumn).codes), values: (c as DictColumn).values }]),
  ) as unknown as FlowDataset['columns'];
  return { ...ds, columns };
}

/** Time-ordered flows from many sources, with pauses longer than the idle limit and repeated starts. */
function orderedFlows(n: number, seed: number): TestFlow[] {
  const r = rng(seed);
  let t = T0;
  return syntheticFlows(n, seed).map((f, i) => {
    t += r() < 0.02 ? 120_000 : r() < 0.2 ? 0 : Math.floor(r() * 3000);
    return { ...f, start: t, srcAddr: i % 3 === 0 ? `10000_${Math.floor(r() * 40)}` : f.srcAddr, dstPort: f.proto === 'ICMP' ? f.dstPort : [80, 443][i % 2] };
  });
}

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function featurise(ds: FlowDataset, fitRows: Uint32Array | undefined, rows: Uint32Array | undefined, options: PreprocessOptions) {
  const p = fitPreprocessor(ds, fitRows, options);
  return { p, m: transformFlows(p, ds, rows) };
}

for (const [name, flows] of [
  ['time-ordered', orderedFlows(5000, 3)],
  ['out-of-order', syntheticFlows(5000, 4)],
] as const) {
  test(`${name} flows get the same preprocessing and features, to the bit, on threads as on one`, () => {
    const base = datasetFromFlows(flows);
    const subset = Uint32Array.from({ length: 1700 }, (_, i) => (i * 2.9) | 0);
    for (const [fitRows, rows] of [[undefined, undefined], [subset, subset.subarray(100, 1300)]] as const) {
      for (const options of [{}, { contextIdleSeconds: 60 }]) {
        onOneThread();
        const one = featurise(shared(base), fitRows, rows, options);
        onThreads();
        const many = featurise(shared(base), fitRows, rows, options);
        assert.ok(many.m.data.buffer instanceof SharedArrayBuffer, 'the threaded path must have run');
        assert.deepEqual(many.p, one.p);
        assert.deepEqual(bytes(many.m.data), bytes(one.m.data));
      }
    }
  });
}

test('per-source context computed a block at a time equals the walk over all rows', () => {
  const base = datasetFromFlows(orderedFlows(3000, 8));
  const all = Uint32Array.from({ length: base.length }, (_, i) => i);
  for (const idle of [1, 60, 3600]) {
    onOneThread();
    const one = batchContext(shared(base), all, idle);
    onThreads();
    const many = batchContext(shared(base), all, idle);
    assert.ok(many.bits.buffer instanceof SharedArrayBuffer, 'the threaded path must have run');
    assert.deepEqual(bytes(many.bits), bytes(one.bits), `bits, idle ${idle}`);
    assert.deepEqual(bytes(many.logGap), bytes(one.logGap), `gaps, idle ${idle}`);
    assert.ok(one.bits.some((b) => b === 1) && one.bits.some((b) => b > 1), 'the data must exercise new sources and changes');
  }
});

test('columns in ordinary memory are featurised on one thread, with the same result', () => {
  const ds = datasetFromFlows(orderedFlows(2000, 5));
  onThreads();
  const { m } = featurise(ds, undefined, undefined, {});
  assert.ok(!(m.data.buffer instanceof SharedArrayBuffer));
  onOneThread();
  assert.deepEqual(bytes(featurise(shared(ds), undefined, undefined, {}).m.data), bytes(m.data));
});

test('a kernel that fails on a worker thread fails the call instead of leaving it waiting', () => {
  onThreads();
  const bogus = { call: { kernel: 'no-such-kernel' } as unknown as BlockJob['call'], rows: 5000 };
  assert.throws(() => runBlocks([bogus]), /no row kernel|feature worker failed/);
  // The pool still works afterwards.
  const ds = shared(datasetFromFlows(orderedFlows(1000, 2)));
  assert.ok(transformFlows(fitPreprocessor(ds), ds).data.buffer instanceof SharedArrayBuffer);
});

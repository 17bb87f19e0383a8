import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor } from '../../src/features/index.js';
import { correlationOf, distributionOf } from '../../src/report/distribution.js';
import { summarizeDataset } from '../../src/report/explore.js';
import { datasetFromFlows, syntheticFlows } from '../features/dataset.js';

test('counts per class, attack type (--- as normal) and protocol, largest first', () => {
  const ds = datasetFromFlows([
    { label: 'normal', attackType: '---', proto: 'TCP' },
    { label: 'attacker', attackType: 'portScan', proto: 'TCP' },
    { label: 'victim', attackType: 'portScan', proto: 'UDP' },
    { label: 'normal', attackType: '---', proto: 'ICMP', dstPort: 2048 },
    { label: 'normal', attackType: '---', proto: 'TCP' },
  ]);
  const s = summarizeDataset(ds);
  assert.deepEqual(s.classCounts, [{ name: 'normal', count: 3 }, { name: 'attacker', count: 1 }, { name: 'victim', count: 1 }]);
  assert.deepEqual(s.attackTypeCounts, [{ name: 'normal', count: 3 }, { name: 'portScan', count: 2 }]);
  assert.deepEqual(s.protocolCounts, [{ name: 'TCP', count: 3 }, { name: 'ICMP', count: 1 }, { name: 'UDP', count: 1 }]);
  assert.equal(s.flows, 5);
  assert.equal(s.distinctSources, 1);
  // ICMP's dstPort is type/code, not a port: left out of the port histogram.
  assert.equal(s.features.find((f) => f.name === 'dstPort')?.count, 4);
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'the summary is plain JSON');
});

test('flows from files without labels count as unlabelled, not as normal', () => {
  const ds = datasetFromFlows(
    [{ attackType: 'dos', label: 'attacker' }, { label: 'normal' }, { label: '---' }, { label: '---' }],
    [
      { path: 'cidds.csv', format: 'cidds', rows: 2, badRows: 0, labelled: true },
      { path: 'capture.csv', format: 'nfdump', rows: 2, badRows: 0, labelled: false },
    ],
  );
  const s = summarizeDataset(ds);
  assert.deepEqual(s.attackTypeCounts, [{ name: '(unlabelled)', count: 2 }, { name: 'dos', count: 1 }, { name: 'normal', count: 1 }]);
  assert.deepEqual(s.classCounts, [{ name: '(unlabelled)', count: 2 }, { name: 'attacker', count: 1 }, { name: 'normal', count: 1 }]);
});

test('histogram bins cover every value once; skewed non-negative values get log bins', () => {
  const skewed = Float64Array.from({ length: 1000 }, (_, i) => (i < 990 ? i % 50 : 1e6 + i));
  const d = distributionOf('bytes', 'bytes', skewed);
  assert.equal(d.scale, 'log');
  assert.equal(d.bins.reduce((a, b) => a + b.count, 0), 1000);
  assert.equal(d.bins[0].start, 0);
  assert.equal(d.bins[d.bins.length - 1].end, d.max);
  for (let i = 1; i < d.bins.length; i++) assert.equal(d.bins[i].start, d.bins[i - 1].end);
  const even = Float64Array.from({ length: 300 }, (_, i) => i / 10);
  const e = distributionOf('duration', 's', even);
  assert.equal(e.scale, 'linear');
  assert.ok(e.bins.every((b) => b.count === 10), JSON.stringify(e.bins.map((b) => b.count)));
  const withGaps = Float64Array.from([1, NaN, 3, NaN]);
  assert.equal(distributionOf('p', 'p', withGaps).count, 2);
  // Sub-second durations: log bins scaled by the smallest positive value, not lumped into one bin.
  const durations = Float64Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0.001 * (1 + (i % 90)) : 100 + i));
  const dd = distributionOf('duration', 's', durations);
  assert.equal(dd.scale, 'log');
  assert.equal(dd.logConstant, 0.001);
  assert.ok(Math.max(...dd.bins.map((b) => b.count)) < 500, JSON.stringify(dd.bins.map((b) => b.count)));
  const constant = distributionOf('tos', 'tos', new Float64Array(5));
  assert.deepEqual(constant.bins, [{ start: -0.5, end: 0.5, count: 5 }]);
});

test('correlation: r = 1 and -1 for linear relations, null for a constant column', () => {
  const x = Float64Array.from({ length: 100 }, (_, i) => i);
  const c = correlationOf(['x', '2x', '-x', 'c'], [x, x.map((v) => 2 * v + 1), x.map((v) => -v), new Float64Array(100)]);
  assert.deepEqual(c.matrix[0], [1, 1, -1, null]);
  assert.equal(c.matrix[3][3], null);
  assert.equal(c.sampleRows, 100);
});

test('with a preprocessor, the correlation matrix is over the model\'s input features', () => {
  const ds = datasetFromFlows(syntheticFlows(300));
  const p = fitPreprocessor(ds);
  const s = summarizeDataset(ds, p);
  assert.deepEqual(s.correlation.names, p.names);
  const j = p.names.indexOf('logBytes');
  assert.equal(s.correlation.matrix[j][j], 1);
  const plain = summarizeDataset(ds);
  assert.ok(plain.correlation.names.includes('log bytes') || plain.correlation.names.includes('bytes'));
});

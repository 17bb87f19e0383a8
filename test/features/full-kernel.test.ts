import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateGroups } from '../../src/features/candidates.js';
import type { ColumnTarget } from '../../src/features/column-groups.js';
import { FeatureEnv } from '../../src/features/feature-env.js';
import { fusedFullFit, fusedFullTransform } from '../../src/features/full-kernel.js';
import { fitPreprocessor, SourceContextStore, transformFlows, type Preprocessor } from '../../src/features/index.js';
import { writeByGroups } from '../../src/features/preprocess.js';
import { datasetFromFlows, syntheticFlows, T0 } from './dataset.js';

function targets(p: Preprocessor): (name: string) => ColumnTarget {
  return (name) => {
    const j = p.names.indexOf(name);
    return j < 0 ? { col: -1, mean: 0, std: 1 } : { col: j, mean: p.scaler.mean[j], std: p.scaler.std[j] };
  };
}

test('the fused full-feature pass writes exactly what the per-group writers write', () => {
  const flows = syntheticFlows(3000, 9);
  // Edge values: negative and fractional counts, durations off the millisecond grid, huge bytes, portless protocols.
  flows.push(
    { bytes: -5, packets: 0, duration: -1 },
    { bytes: 1.5, packets: 3, duration: 0.0005 },
    { bytes: 3e9, packets: 70000, duration: 40000.123 },
    { proto: 'GRE', srcPort: 0, dstPort: 0 },
    { proto: 'ICMP', dstPort: 771 },
    ...[0, 1000, 1023, 1024, 49151, 49152, 65535].map((port) => ({ srcPort: port, dstPort: 65535 - port })),
  );
  const ds = datasetFromFlows(flows);
  const p = fitPreprocessor(ds, Uint32Array.from({ length: 2000 }, (_, i) => i * 1.5 | 0));
  const subset = Uint32Array.from({ length: 900 }, (_, i) => (i * 7) % ds.length);
  for (const rows of [Uint32Array.from({ length: ds.length }, (_, i) => i), subset]) {
    for (const store of [undefined, new SourceContextStore(p.options.contextIdleSeconds)]) {
      const groups = candidateGroups(p.options, p.vocabularies);
      const fused = new Float32Array(rows.length * p.names.length);
      const byGroups = new Float32Array(rows.length * p.names.length);
      fusedFullTransform(new FeatureEnv(ds, rows, p.options, p.vocabularies, store), targets(p), fused, p.names.length);
      // A fresh store, so the group path sees the same stream history.
      const store2 = store && new SourceContextStore(p.options.contextIdleSeconds);
      writeByGroups(new FeatureEnv(ds, rows, p.options, p.vocabularies, store2), groups, targets(p), byGroups, p.names.length);
      assert.deepEqual(Buffer.from(fused.buffer), Buffer.from(byGroups.buffer));
    }
  }
});

test('a saved preprocessor that scales a 0/1 column is applied as saved', () => {
  const ds = datasetFromFlows([{ flags: 2, start: T0 }, { flags: 0, start: T0 + 1000 }, { flags: 2, start: T0 + 2000 }]);
  const p = fitPreprocessor(ds);
  const j = p.names.indexOf('flagSyn');
  const edited: Preprocessor = { ...p, scaler: { mean: [...p.scaler.mean], std: [...p.scaler.std] } };
  edited.scaler.mean[j] = 0.5;
  edited.scaler.std[j] = 2;
  const m = transformFlows(edited, ds);
  assert.deepEqual([0, 1, 2].map((r) => m.data[r * m.cols + j]), [0.25, -0.25, 0.25]);
});

test('the fused full-feature fit learns exactly what the per-group fits learn', () => {
  const flows = syntheticFlows(3000, 11);
  flows.push({ bytes: -5, packets: 0, duration: -1 }, { proto: 'GRE', srcPort: 0, dstPort: 0 }, ...[1023, 1024, 49151, 49152].map((srcPort) => ({ srcPort })));
  const ds = datasetFromFlows(flows);
  for (const rows of [Uint32Array.from({ length: ds.length }, (_, i) => i), Uint32Array.from({ length: 500 }, (_, i) => i * 3)]) {
    const p = fitPreprocessor(ds, rows);
    const env = new FeatureEnv(ds, rows, p.options, p.vocabularies);
    const fused = fusedFullFit(env);
    for (const g of candidateGroups(p.options, p.vocabularies)) {
      const fits = g.fit(env);
      g.candidates.forEach((c, k) => assert.deepEqual(fused.get(c.name), fits[k], c.name));
    }
  }
});

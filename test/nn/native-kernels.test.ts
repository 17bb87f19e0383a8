import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compareCpu, nativeModule, nativeUnavailableReason } from '../../src/nn/native-kernels.js';
import { createModel } from '../../src/nn/engine.js';

function compilerPresent(): boolean {
  try {
    execFileSync(process.env.CXX || 'g++', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const headers = [join(dirname(process.execPath), '..', 'include', 'node', 'node_api.h'), '/usr/include/node/node_api.h'].some(existsSync);

test('the native kernels are built and load wherever a C++ compiler and Node\'s headers exist, and auto picks them', async () => {
  if (!compilerPresent() || !headers || process.env.NTC_NATIVE === '0') {
    assert.equal(nativeModule(), null);
    assert.match(nativeUnavailableReason(), /not built|does not load/);
  } else {
    assert.ok(nativeModule(), `native kernels missing: ${nativeUnavailableReason()}`);
    assert.ok([4, 8, 16].includes(nativeModule()!.vectorWidth()));
  }
  const model = await createModel({ inputSize: 2, seqLen: 2, layers: [4], dropout: 0, outputs: 2, loss: 'crossentropy', lr: 0.01, seed: 1 });
  assert.equal(model.engine, nativeModule() ? 'native' : 'wasm');
  model.dispose();
});

test('a native build is not loaded on a CPU that lacks its instructions (it would die with SIGILL)', () => {
  const build = { cpu: 'AMD EPYC', flags: ['avx', 'avx2', 'avx512f', 'fma', 'sse2'] };
  assert.equal(compareCpu(build, new Set(['avx', 'avx2', 'avx512f', 'fma', 'sse2', 'sha_ni']), 'other name'), '');
  assert.match(compareCpu(build, new Set(['avx', 'avx2', 'fma', 'sse2']), 'AMD EPYC'), /this CPU lacks avx512f/);
  // Without flags on either side only the same CPU model is trusted.
  assert.equal(compareCpu({ cpu: 'M2', flags: null }, null, 'M2'), '');
  assert.match(compareCpu({ cpu: 'M2', flags: null }, null, 'M3'), /built on "M2", running on "M3"/);
});

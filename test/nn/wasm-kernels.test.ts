import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemory, instantiateKernels } from '../../src/nn/wasm-kernels.js';
import { Rng } from '../../src/util/rng.js';

const memory = createMemory(64);
const k = instantiateKernels(memory);
const base = Math.ceil(k.heapBase() / 1024) * 1024;

test('the matrix product matches a float64 product for every block shape, transposed A, accumulation and a bias row', () => {
  const rng = new Rng(3);
  const f32 = new Float32Array(memory.buffer);
  // Shapes that hit the 4x8 and 4x4 blocks, the scalar column tail and the single-row tail.
  // [6, 1000, 300] runs k in cache-sized chunks.
  for (const [m, n, kk] of [[1, 1, 1], [4, 8, 3], [7, 13, 5], [9, 4, 16], [33, 70, 9], [5, 3, 40], [6, 1000, 300]]) {
    for (const transposedA of [false, true]) {
      for (const start of ['zero', 'accumulate', 'bias']) {
        const accumulate = start === 'accumulate' ? 1 : 0;
        const a = base;
        const b = a + m * kk * 4;
        const c = b + kk * n * 4;
        const bias = start === 'bias' ? c + m * n * 4 : 0;
        for (let i = 0; i < m * kk + kk * n + m * n + n; i++) f32[a / 4 + i] = rng.normal();
        const c0 = f32.slice(c / 4, c / 4 + m * n);
        // A(i, p): row-major m x k, or stored k x m and read transposed.
        const aAt = (i: number, p: number) => f32[a / 4 + (transposedA ? p * m + i : i * kk + p)];
        const expected = new Float64Array(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = accumulate ? c0[i * n + j] : bias ? f32[bias / 4 + j] : 0;
            for (let p = 0; p < kk; p++) s += aAt(i, p) * f32[b / 4 + p * n + j];
            expected[i * n + j] = s;
          }
        }
        if (transposedA) k.gemm(a, 1, m, b, n, c, n, m, n, kk, accumulate, bias);
        else k.gemm(a, kk, 1, b, n, c, n, m, n, kk, accumulate, bias);
        for (let i = 0; i < m * n; i++) {
          assert.ok(Math.abs(f32[c / 4 + i] - expected[i]) < 1e-4 * (1 + Math.abs(expected[i])),
            `${m}x${n}x${kk} ${transposedA ? 'A^T' : 'A'} ${start} [${i}]: ${f32[c / 4 + i]} vs ${expected[i]}`);
        }
      }
    }
  }
});

test('dropout masks drop about the rate, keep the rest scaled by 1/(1-rate), and depend only on the position', () => {
  const f32 = new Float32Array(memory.buffer);
  const n = 20_003;
  k.dropoutMask(base, n, 0, 77, 0.3);
  const whole = f32.slice(base / 4, base / 4 + n);
  const dropped = whole.filter((v) => v === 0).length / n;
  assert.ok(Math.abs(dropped - 0.3) < 0.015, `dropped ${dropped}`);
  assert.ok(whole.every((v) => v === 0 || v === Math.fround(1 / 0.7)));
  // The same positions computed as two pieces (as two threads do), the second starting mid-vector.
  k.dropoutMask(base, 1001, 0, 77, 0.3);
  k.dropoutMask(base + 1001 * 4, n - 1001, 1001, 77, 0.3);
  assert.deepEqual(f32.slice(base / 4, base / 4 + n), whole);
  k.dropoutMask(base, n, 0, 78, 0.3);
  assert.notDeepEqual(f32.slice(base / 4, base / 4 + n), whole);
});

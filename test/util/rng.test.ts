import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';

test('the same seed repeats the same stream; nearby seeds differ', () => {
  const take = (seed: number) => { const r = new Rng(seed); return Array.from({ length: 5 }, () => r.nextUint32()); };
  assert.deepEqual(take(1), take(1));
  assert.notDeepEqual(take(1), take(2));
});

test('uniform values stay in [0, 1) with a mean near 1/2, normals near N(0, 1)', () => {
  const r = new Rng(3);
  let sum = 0;
  let sq = 0;
  let nsum = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    const z = r.normal();
    nsum += z;
    sq += z * z;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01, `uniform mean ${sum / n}`);
  assert.ok(Math.abs(nsum / n) < 0.03, `normal mean ${nsum / n}`);
  assert.ok(Math.abs(sq / n - 1) < 0.05, `normal variance ${sq / n}`);
});

test('shuffle is a seeded permutation', () => {
  const a = new Rng(5).shuffle(Uint32Array.from({ length: 100 }, (_, i) => i));
  const b = new Rng(5).shuffle(Uint32Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(a, b);
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(Array.from(a), Array.from({ length: 100 }, (_, i) => i));
});

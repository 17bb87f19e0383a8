import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitByTime, splitRandom } from '../../src/train/split.js';
import { Rng } from '../../src/util/rng.js';

function union(...parts: Uint32Array[]): number[] {
  return parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
}

test('time split: earliest flows train, then validation, latest test, sizes by quantile', () => {
  const rng = new Rng(1);
  const start = new Float64Array(1000).map(() => Math.floor(rng.next() * 1e9)); // distinct enough, unsorted
  const rows = new Uint32Array(1000).map((_, i) => i);
  const s = splitByTime(start, rows, { validation: 0.1, test: 0.2 });
  assert.deepEqual([s.train.length, s.validation.length, s.test.length], [700, 100, 200]);
  assert.deepEqual(union(s.train, s.validation, s.test), Array.from(rows), 'every row exactly once');
  const max = (a: Uint32Array) => Math.max(...Array.from(a, (r) => start[r]));
  const min = (a: Uint32Array) => Math.min(...Array.from(a, (r) => start[r]));
  assert.ok(max(s.train) <= min(s.validation) && max(s.validation) <= min(s.test));
  for (const part of [s.train, s.validation, s.test]) assert.ok(part.every((r, i) => i === 0 || part[i - 1] < r), 'ascending rows');
});

test('time split keeps flows with the same start time in one split', () => {
  // 10 flows; starts 0,0,0,1,1,1,1,2,2,3. A 0.5 cut would fall inside the "1" group.
  const start = Float64Array.from([1, 0, 2, 1, 0, 3, 1, 2, 0, 1]);
  const rows = new Uint32Array(10).map((_, i) => i);
  const s = splitByTime(start, rows, { validation: 0, test: 0.5 });
  assert.deepEqual(Array.from(s.train).map((r) => start[r]).sort(), [0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(s.test).map((r) => start[r]).sort(), [2, 2, 3]);
  assert.equal(s.validation.length, 0);
});

test('time split works on a subset of rows and refuses bad input', () => {
  const start = Float64Array.from([5, 4, 3, 2, 1, 0]);
  const s = splitByTime(start, Uint32Array.from([0, 2, 4, 5]), { validation: 0.25, test: 0.25 });
  assert.deepEqual([Array.from(s.train), Array.from(s.validation), Array.from(s.test)], [[4, 5], [2], [0]]);
  assert.throws(() => splitByTime(start, Uint32Array.from([9]), { validation: 0, test: 0 }), /row 9 is outside/);
  assert.throws(() => splitByTime(Float64Array.from([NaN]), Uint32Array.from([0]), { validation: 0, test: 0 }), /no valid start time/);
  assert.throws(() => splitByTime(start, Uint32Array.from([0]), { validation: 0.5, test: 0.5 }), /leave flows to train/);
});

test('random split: seeded, disjoint, complete, sized by fraction', () => {
  const a = splitRandom(1000, { validation: 0.1, test: 0.2 }, 7);
  const b = splitRandom(1000, { validation: 0.1, test: 0.2 }, 7);
  const c = splitRandom(1000, { validation: 0.1, test: 0.2 }, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  assert.deepEqual([a.train.length, a.validation.length, a.test.length], [700, 100, 200]);
  assert.deepEqual(union(a.train, a.validation, a.test), Array.from({ length: 1000 }, (_, i) => i));
  const sub = splitRandom(Uint32Array.from([10, 20, 30, 40]), { validation: 0, test: 0.5 }, 1);
  assert.deepEqual(union(sub.train, sub.test), [10, 20, 30, 40]);
});

test('time split of flows already in time order equals the split of the same rows given in any order', () => {
  const rng = new Rng(4);
  // Non-decreasing starts with many ties, as flow files are written.
  let t = 0;
  const start = new Float64Array(500).map(() => (t += rng.next() < 0.4 ? 0 : 1));
  const inOrder = new Uint32Array(500).map((_, i) => i);
  const shuffled = rng.shuffle(Uint32Array.from(inOrder));
  // Time order but ties in descending row order: still needs the sort for ties to go by row.
  const tiesReversed = Uint32Array.from(inOrder).sort((a, b) => start[a] - start[b] || b - a);
  const fractions = { validation: 0.15, test: 0.25 };
  const expected = splitByTime(start, shuffled, fractions);
  assert.deepEqual(splitByTime(start, inOrder, fractions), expected);
  assert.deepEqual(splitByTime(start, tiesReversed, fractions), expected);
});

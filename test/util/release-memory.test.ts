import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { canTrimMemory, releaseMemory } from '../../src/util/release-memory.js';

function rssMB(): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

test('the native memory helper is built wherever the C++ kernels are (npm install compiles both)', () => {
  // CI installs g++; a machine without it gets a message at install and this test says why.
  assert.ok(canTrimMemory(), 'dist/src/util/native/ntc-release-memory.node is missing: is g++ installed? (scripts/build-native.js)');
});

test('memory freed by dead buffers goes back to the system: resident memory falls by what they held', { skip: !canTrimMemory() && 'no native helper' }, () => {
  // 200 MB in 10 KB buffers (malloc'ed inside glibc's heap), then one more that stays alive after
  // them, so the heap cannot just shrink from its top: only malloc_trim gives the pages back.
  let junk: Uint8Array[] | null = [];
  for (let i = 0; i < 20_000; i++) junk.push(new Uint8Array(10_000).fill(1));
  const pin = new Uint8Array(10_000).fill(2);
  const before = rssMB();
  junk = null;
  const r = releaseMemory();
  const after = rssMB();
  assert.equal(r.gcOnly, false);
  assert.ok(before - after > 120, `resident memory ${before.toFixed(0)} -> ${after.toFixed(0)} MB`);
  assert.equal(pin[0], 2);
});

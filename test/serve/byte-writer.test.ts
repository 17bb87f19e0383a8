import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteWriter, EncodedValues, roundNonNegative, WORD_SLACK } from '../../src/serve/byte-writer.js';

function written(f: (w: ByteWriter) => void): string {
  const w = new ByteWriter(256);
  f(w);
  return Buffer.from(w.take().bytes).toString('latin1');
}

test('property: a number is written exactly as String() writes it', () => {
  const numbers = fc.oneof(
    fc.double(),
    fc.integer({ min: -1e12, max: 1e12 }).map((m) => m / 1000),
    fc.integer({ min: -1e9, max: 1e9 }).map((m) => m / 100),
    fc.maxSafeInteger(),
    fc.integer(),
    fc.constantFrom(0, -0, 0.001, 0.1, 0.3, 999999999.999, 1e9, 1e21, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 2 ** 31, 5e-7, NaN, Infinity, -Infinity),
  );
  fc.assert(
    fc.property(numbers, (v) => {
      assert.equal(written((w) => w.number(v)), String(v), `${v}`);
    }),
    { numRuns: 20000, seed: 7 },
  );
});

test('property: a number needs no more room than its text and WORD_SLACK bytes', () => {
  const numbers = fc.oneof(fc.double(), fc.integer({ min: 0, max: 1e7 }).map((m) => m / 1000), fc.nat(), fc.constantFrom(0, 7, 42, 100, 0.5, 0.125, 65535));
  fc.assert(
    fc.property(numbers, (v) => {
      const w = new ByteWriter(String(v).length + WORD_SLACK);
      w.number(v);
      assert.equal(Buffer.from(w.take().bytes).toString('latin1'), String(v));
    }),
    { numRuns: 5000, seed: 3 },
  );
});

test('property: roundNonNegative rounds as Math.round, halves and the double just below one half included', () => {
  const ys = fc.oneof(
    fc.double({ min: 0, max: 2 ** 52, noNaN: true }),
    fc.integer({ min: 0, max: 2 ** 31 }).map((n) => n + 0.5),
    fc.float({ min: 0, max: 1, noNaN: true }).map((x) => x * 1e6),
    fc.constantFrom(0, 0.49999999999999994, 0.5, 1.5, 2 ** 52 - 0.5, 4503599627370495.5),
  );
  fc.assert(
    fc.property(ys, (y) => {
      assert.equal(roundNonNegative(y), Math.round(y), `${y}`);
    }),
    { numRuns: 20000, seed: 9 },
  );
});

test('a released buffer is filled again: a long run of chunks uses two buffers', () => {
  const w = new ByteWriter(64);
  const seen = new Set<ArrayBufferLike>();
  for (let i = 0; i < 100; i++) {
    w.number(i);
    const chunk = w.take();
    assert.equal(Buffer.from(chunk.bytes).toString(), String(i));
    seen.add(chunk.bytes.buffer);
    chunk.release();
  }
  assert.equal(seen.size, 2);
});

test('a row longer than a chunk gets a buffer of its own', () => {
  const w = new ByteWriter(16);
  w.reserve(100);
  w.latin1('x'.repeat(100));
  assert.equal(w.take().bytes.length, 100);
  assert.throws(() => {
    w.byte(1);
    w.reserve(10);
  }, /empty buffer/);
});

test('dictionary values are encoded once per code, and another dictionary starts afresh', () => {
  let calls = 0;
  const enc = new EncodedValues((s) => {
    calls++;
    return `<${s}>`;
  });
  const a = ['x', 'ü"y'];
  const b = ['other', 'x'];
  const out = written((w) => {
    for (const code of [0, 1, 1, 0]) enc.write(w, a, code);
    assert.equal(enc.byteLength(a, 1), Buffer.byteLength('<ü"y>'));
    for (const code of [0, 1]) enc.write(w, b, code);
  });
  assert.equal(Buffer.from(out, 'latin1').toString('utf8'), '<x><ü"y><ü"y><x><other><x>');
  assert.equal(calls, 4);
});

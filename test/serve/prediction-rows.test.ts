/**
 * `ntc classify` writes its rows as bytes; they must be exactly the text the string formatters
 * (reference-format.ts: csvHeader's columns, JSON.stringify(classifiedFlow)) give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FlowPredictions } from '../../src/train/predict.js';
import { datasetFromFlows, T0, type TestFlow } from '../features/dataset.js';
import { ByteWriter } from '../../src/serve/byte-writer.js';
import { predictionRows } from '../../src/serve/prediction-rows.js';
import { byteRows, referenceCsvRows, referenceJsonlRows } from './reference-format.js';

const text = fc.oneof(fc.constantFrom('TCP', '192.168.1.2', 'EXT_SERVER', 'a,b', 'say "hi"', 'two\nlines', '', 'ü'), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const flow: fc.Arbitrary<TestFlow> = fc.record({
  start: fc.oneof(
    fc.integer({ min: T0 - 5000, max: T0 + 90_000_000 }),
    fc.integer({ min: -63_000_000_000_000, max: 254_000_000_000_000 }), // years -27 to 10018
    fc.double({ min: -1e14, max: 3e14, noNaN: true }),
    fc.integer({ min: 253402300799000, max: 253402300801000 }), // the end of year 9999
    fc.integer({ min: -62167219201000, max: -62167219199000 }), // the start of year 0
  ),
  duration: fc.oneof(fc.integer({ min: 0, max: 10_000_000 }).map((m) => m / 1000), fc.double()),
  proto: text,
  srcAddr: text,
  dstAddr: text,
  srcPort: fc.integer({ min: -1, max: 65535 }),
  dstPort: fc.integer({ min: 0, max: 65535 }),
  packets: fc.oneof(fc.integer({ min: 0, max: 1e9 }), fc.double()),
  bytes: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 1e22, noNaN: true })),
});
const classNames = fc.oneof(
  fc.constant(['normal', 'attacker', 'victim']),
  fc.constant(['normal', 'a,b', 'say "x"', '1', '0', 'normal']),
  fc.uniqueArray(fc.string({ maxLength: 5 }), { minLength: 2, maxLength: 5 }),
);

const cases = fc
  .record({ flows: fc.array(flow, { maxLength: 25 }), classes: classNames, mse: fc.boolean(), chunk: fc.integer({ min: 16, max: 2048 }), seed: fc.integer() })
  .chain((c) => {
    const k = c.mse ? 1 : c.classes.length;
    const value = c.mse ? fc.oneof(fc.float(), fc.float({ min: -1, max: 10, noNaN: true })) : fc.oneof(fc.float({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.5, 1e-7, 0.9999996));
    return fc.record({
      c: fc.constant(c),
      classOf: fc.array(fc.integer({ min: 0, max: c.classes.length - 1 }), { minLength: c.flows.length, maxLength: c.flows.length }),
      prob: fc.array(value, { minLength: c.flows.length * k, maxLength: c.flows.length * k }),
    });
  });

interface FormatCase {
  c: { flows: TestFlow[]; classes: readonly string[]; mse: boolean; chunk: number };
  classOf: number[];
  prob: number[];
}

/**
 * assert.equal on two texts, reporting the first line that differs: node's diff of two long texts
 * that differ in many places takes minutes, and a failing property calls it again for every
 * shrinking step.
 */
function assertSameText(actual: string, expected: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  assert.equal(`line ${i + 1}: ${a[i] ?? '(none)'}`, `line ${i + 1}: ${e[i] ?? '(none)'}`);
}

/** Both formats' bytes equal the string formatters' text on every generated case. */
function assertBytesEqualStrings(cases: fc.Arbitrary<FormatCase>, params: fc.Parameters<[FormatCase]>): void {
  fc.assert(
    fc.property(cases, ({ c, classOf, prob }) => {
      const ds = datasetFromFlows(c.flows);
      const pred: FlowPredictions = { classOf: Int32Array.from(classOf), prob: Float32Array.from(prob), outputs: c.mse ? 1 : c.classes.length };
      assertSameText(byteRows('csv', ds, pred, c.classes, c.chunk), referenceCsvRows(ds, pred, c.classes));
      assertSameText(byteRows('jsonl', ds, pred, c.classes, c.chunk), referenceJsonlRows(ds, pred, c.classes));
    }),
    // No shrinking: the first differing line says enough, and shrinking cases of a thousand rows
    // took longer than a test run may.
    { ...params, endOnFailure: true },
  );
}

test('property: CSV and JSONL bytes equal the string formatters, whatever the values, names and chunk size', () => {
  assertBytesEqualStrings(cases, { numRuns: 1500, seed: 11 });
});

test('CSV rows give each flow its exact ISO time, millisecond included, across seconds and days', () => {
  const starts = [T0, T0 + 7, T0 + 999, T0 + 1000, T0 + 1001, T0 + 86_399_999, T0 + 86_400_000, T0 + 86_400_000 + 42, T0 + 86_400_000 + 42, T0 - 1, T0 + 0.5, 253402300800123];
  const ds = datasetFromFlows(starts.map((start) => ({ start })));
  const pred = { classOf: new Int32Array(starts.length), prob: new Float32Array(starts.length * 2).fill(0.5), outputs: 2 };
  const lines = byteRows('csv', ds, pred, ['normal', 'attack']).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.split(',')[0]), starts.map((s) => new Date(s).toISOString()));
  assert.match(lines[0], /,normal,0\.5,0\.5,0\.5$/);
});

/** Odd values for every field at once, in data sets long enough to span several runs of rows. */
const oddFlow: fc.Arbitrary<TestFlow> = fc.record({
  start: fc.oneof(
    fc.integer({ min: T0, max: T0 + 3 * 86_400_000 }),
    fc.tuple(fc.integer({ min: T0, max: T0 + 1000 }), fc.constantFrom(0.5, 0.25, 1e-3)).map(([ms, part]) => ms + part), // fractional ms
    fc.constantFrom(T0 - 0.5, -0.5, 0, -1, 86_400_000 - 1, 8.64e15),
  ),
  duration: fc.oneof(fc.constantFrom(0, -0, 0.001, 2147483.647, 2147483.648, 1e21, -1.5, NaN, Infinity), fc.integer({ min: 0, max: 3e9 }).map((m) => m / 1000)),
  proto: fc.constantFrom('TCP', 'ÜDP', 'a"b', ''),
  srcAddr: fc.oneof(fc.constantFrom('192.168.100.134', 'a,b', 'say "hi"', 'two\r\nlines', 'ü', '日本', '😀x', 'x'.repeat(300)), fc.string({ unit: 'binary', maxLength: 40 })),
  dstAddr: fc.oneof(fc.constantFrom('EXT_SERVER', '\u0000\u001f\u2028', '"', ','), fc.string({ unit: 'grapheme', maxLength: 9 })),
  srcPort: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(-1, -2147483648, 2147483647)),
  dstPort: fc.integer({ min: -70000, max: 70000 }),
  packets: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 + 5 }), fc.constantFrom(2 ** 53, 2 ** 53 + 2, 1e300, -7, 0.5)),
  bytes: fc.oneof(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.constantFrom(1e21, 1.5e22, 123456789012.345, Number.MAX_VALUE, NaN)),
});
const oddProbability = fc.oneof(
  fc.float({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom(NaN, -0, -1e-9, 1.0000001, 5e-7, 4.9999e-7, 0.9999995, 0.0005, 0.1, Infinity, -Infinity, 1e9, -3.25),
);

test('property: odd values (NaN and out-of-range scores, fractional ms, huge counts, quoting, non-ASCII) give the string formatters\' bytes over many runs of rows', () => {
  const cases = fc
    .record({ flows: fc.array(oddFlow, { minLength: 513, maxLength: 1300 }), mse: fc.boolean(), chunk: fc.constantFrom(64, 700, 1 << 16) })
    .chain((c) => {
      const classes = ['normal', 'a,b', '1', 'ünï "q"'];
      const k = c.mse ? 1 : classes.length;
      const n = c.flows.length;
      return fc.record({
        c: fc.constant({ ...c, classes }),
        // -1 (a row in no sequence) only after the first row: the formatters read the score at i*k - 1.
        classOf: fc.array(fc.integer({ min: -1, max: classes.length - 1 }), { minLength: n, maxLength: n }).map((a) => (a[0] < 0 ? [0, ...a.slice(1)] : a)),
        prob: fc.array(c.mse ? fc.oneof(oddProbability, fc.double()) : oddProbability, { minLength: n * k, maxLength: n * k }),
      });
    });
  assertBytesEqualStrings(cases, { numRuns: 30, seed: 5 });
});

test('an address table that grows between batches (the same values array, new codes) writes the new addresses', () => {
  const first = datasetFromFlows([{ srcAddr: 'a', dstAddr: 'b' }]);
  const values = first.columns.srcAddr.values;
  const rows = predictionRows('csv', ['normal', 'attack'], 2);
  const pred = { classOf: new Int32Array(1), prob: new Float32Array([0.5, 0.5]), outputs: 2 };
  const out = new ByteWriter();
  rows.fill(out, first, pred, 0);
  values.push('c,"new"', 'd');
  const second = datasetFromFlows([{}]);
  second.columns.srcAddr = { codes: Uint32Array.of(1), values };
  second.columns.dstAddr = { codes: Uint32Array.of(2), values };
  rows.fill(out, second, pred, 0);
  const classes = ['normal', 'attack'];
  assert.equal(Buffer.from(out.take().bytes).toString(), referenceCsvRows(first, pred, classes) + referenceCsvRows(second, pred, classes));
  assert.match(referenceCsvRows(second, pred, classes), /^[^,]+,[^,]+,TCP,"c,""new""",50000,d,80,/);
});

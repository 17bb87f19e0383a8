/**
 * `ntc classify` writes its rows as bytes; they must be exactly the text the string formatters
 * (reference-format.ts: csvHeader's columns, JSON.stringify(classifiedFlow)) give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FlowPredictions } from '../../src/train/predict.js';
import { datasetFromFlows, T0, type TestFlow } from '../features/dataset.js';
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

test('property: CSV and JSONL bytes equal the string formatters, whatever the values, names and chunk size', () => {
  fc.assert(
    fc.property(cases, ({ c, classOf, prob }) => {
      const ds = datasetFromFlows(c.flows);
      const pred: FlowPredictions = { classOf: Int32Array.from(classOf), prob: Float32Array.from(prob), outputs: c.mse ? 1 : c.classes.length };
      assert.equal(byteRows('csv', ds, pred, c.classes, c.chunk), referenceCsvRows(ds, pred, c.classes));
      assert.equal(byteRows('jsonl', ds, pred, c.classes, c.chunk), referenceJsonlRows(ds, pred, c.classes));
    }),
    { numRuns: 1500, seed: 11 },
  );
});

test('CSV rows give each flow its exact ISO time, millisecond included, across seconds and days', () => {
  const starts = [T0, T0 + 7, T0 + 999, T0 + 1000, T0 + 1001, T0 + 86_400_000 + 42, T0 + 86_400_000 + 42, T0 - 1, T0 + 0.5, 253402300800123];
  const ds = datasetFromFlows(starts.map((start) => ({ start })));
  const pred = { classOf: new Int32Array(starts.length), prob: new Float32Array(starts.length * 2).fill(0.5), outputs: 2 };
  const lines = byteRows('csv', ds, pred, ['normal', 'attack']).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.split(',')[0]), starts.map((s) => new Date(s).toISOString()));
  assert.match(lines[0], /,normal,0\.5,0\.5,0\.5$/);
});

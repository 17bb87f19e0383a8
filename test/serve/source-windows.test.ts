import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildSequences } from '../../src/features/index.js';
import { SourceWindows, type SourceColumn, type WindowBatch } from '../../src/serve/source-windows.js';
import { datasetFromFlows, T0 } from '../features/dataset.js';

/**
 * With one feature column holding each flow's global id, a window's features name its flows, so
 * "the flows a flow is judged with" can be read from a batch: the steps of its sequence up to it.
 * Only sequences that run give outputs: to batch rows, and to prefix rows that carry an origin
 * (a deferred window's flows); other prefix rows only rebuild state. Each flow is judged once.
 */
function historiesOf(wb: WindowBatch, batchIds: number[], out = new Map<number, number[]>()): Map<number, number[]> {
  const n = batchIds.length;
  const idOf = (r: number): number => (r < n ? batchIds[r] : wb.prefix[r - n]);
  for (let s = 0; s < wb.count; s++) {
    if (wb.run[s] === 0) continue;
    const steps: number[] = [];
    for (let t = 0; t < wb.seqLen; t++) {
      const r = wb.rowIndex[s * wb.seqLen + t];
      if (r < 0) break;
      steps.push(idOf(r));
      if (r < n || wb.prefixOrigin[r - n] >= 0) {
        assert.ok(!out.has(idOf(r)), `flow ${idOf(r)} judged twice`);
        out.set(idOf(r), [...steps]);
      }
    }
  }
  return out;
}

/** Sources given by key as a dictionary column (a fresh dictionary per call, as batches may bring). */
function column(keys: (string | number)[]): SourceColumn {
  const values = [...new Set(keys)];
  return { codes: keys.map((k) => values.indexOf(k)), values };
}

function batchHistories(sources: string[], starts: number[], seqLen: number): Map<number, number[]> {
  const ds = datasetFromFlows(sources.map((s, i) => ({ srcAddr: s, start: starts[i] })));
  const seqs = buildSequences(ds, Uint32Array.from(sources, (_, i) => i), seqLen);
  const out = new Map<number, number[]>();
  for (let s = 0; s < seqs.count; s++) {
    const steps: number[] = [];
    for (let t = 0; t < seqLen; t++) {
      const r = seqs.rowIndex[s * seqLen + t];
      if (r < 0) break;
      steps.push(r);
      out.set(r, [...steps]);
    }
  }
  return out;
}

function streamHistories(sources: string[], starts: number[], seqLen: number, cuts: number[], idleSeconds = 3600, defer = false): Map<number, number[]> {
  const w = new SourceWindows(seqLen, 1, idleSeconds);
  // Batches share one growing dictionary, as a read's batches do, except every third batch, which
  // brings its own (as after a dictionary restart).
  const shared: string[] = [];
  const out = new Map<number, number[]>();
  let from = 0;
  for (let c = 0; from < sources.length; c++) {
    const to = Math.min(sources.length, from + cuts[c % cuts.length]);
    const ids = Array.from({ length: to - from }, (_, i) => from + i);
    const keys = ids.map((i) => sources[i]);
    let src = column(keys);
    if (c % 3 !== 2) {
      for (const k of keys) if (!shared.includes(k)) shared.push(k);
      src = { codes: keys.map((k) => shared.indexOf(k)), values: shared };
    }
    // Within a batch the classifier hands flows over in time order; here they already are.
    const wb = w.assign(src, ids.map((i) => starts[i]), Float32Array.from(ids), ids.map((_, k) => k), defer);
    historiesOf(wb, ids, out);
    w.evictIdle(starts[to - 1]);
    from = to;
  }
  historiesOf(w.assign(column([]), [], new Float32Array(0), [], false), [], out);
  assert.equal(w.owing, false);
  return out;
}

test('a source\'s window carries over batch boundaries: flow k is judged with the k-1 flows before it, as in batch', () => {
  const sources = ['A', 'A', 'B', 'A', 'A', 'B', 'A', 'A'];
  const starts = sources.map((_, i) => T0 + i * 1000);
  const streamed = streamHistories(sources, starts, 3, [2]);
  assert.deepEqual(streamed.get(3), [0, 1, 3]); // third flow of A, two batches after its first
  assert.deepEqual(streamed.get(4), [4]); // A's second window starts fresh
  assert.deepEqual(streamed.get(7), [4, 6, 7]);
  assert.deepEqual(streamed, batchHistories(sources, starts, 3));
});

test('property: any time-ordered flows cut into any batches get the windows buildSequences gives, open windows deferred or not', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ src: fc.constantFrom('A', 'B', 'C', 'D'), gap: fc.integer({ min: 0, max: 5000 }) }), { minLength: 1, maxLength: 80 }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.boolean(),
      (flows, cuts, seqLen, defer) => {
        let t = T0;
        const starts = flows.map((f) => (t += f.gap));
        const sources = flows.map((f) => f.src);
        assert.deepEqual(streamHistories(sources, starts, seqLen, cuts, 3600, defer), batchHistories(sources, starts, seqLen));
      },
    ),
    { numRuns: 600, seed: 11 },
  );
});

test('property: with deferred windows, idle gaps and eviction sweeps still judge each flow once, as the undeferred stream does', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ src: fc.constantFrom('A', 'B', 'C'), gap: fc.integer({ min: 0, max: 90_000 }) }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 2, max: 5 }),
      (flows, cuts, seqLen) => {
        let t = T0;
        const starts = flows.map((f) => (t += f.gap));
        const sources = flows.map((f) => f.src);
        assert.deepEqual(streamHistories(sources, starts, seqLen, cuts, 60, true), streamHistories(sources, starts, seqLen, cuts, 60, false));
      },
    ),
    { numRuns: 600, seed: 5 },
  );
});

test('a window open at a batch end is deferred once: its flows are judged with the next batch, and a window deferred and silent since is run then', () => {
  const w = new SourceWindows(4, 1, 3600);
  const first = w.assign(column(['A', 'A', 'B']), [T0, T0 + 1, T0 + 2], Float32Array.of(0, 1, 2), [0, 1, 2], true);
  assert.deepEqual([...first.run], [0, 0], 'both windows are open: nothing runs yet');
  assert.equal(first.deferredRows, 3);
  assert.ok(w.owing);
  const second = w.assign(column(['A']), [T0 + 3], Float32Array.of(3), [0], true);
  // A continues with its deferred flows in front (their outputs go to the first batch's rows 0, 1);
  // B got nothing, so it runs alone now; A is still open but owed output, so it runs too.
  assert.deepEqual([...second.run], [1, 1]);
  assert.deepEqual([...second.prefixOrigin], [0, 1, 2]);
  assert.equal(second.deferredRows, 0);
  assert.equal(w.owing, false);
  const third = w.assign(column(['A']), [T0 + 4], Float32Array.of(4), [0], true);
  assert.deepEqual([...third.prefixOrigin], [-1, -1, -1], 'A\'s flows only rebuild its state now');
  assert.deepEqual([...third.run], [1], 'A is full');
});

test('a source silent for longer than the idle time starts a new window (batch would continue it) and its state is freed', () => {
  const w = new SourceWindows(4, 1, 60);
  const first = w.assign(column([0, 0]), [T0, T0 + 1000], Float32Array.of(0, 1), [0, 1]);
  assert.equal(first.count, 1);
  assert.equal(w.size, 1);
  assert.equal(w.evictIdle(T0 + 1000 + 60_001), 1);
  assert.equal(w.size, 0);
  const later = w.assign(column([0]), [T0 + 1000 + 61_000], Float32Array.of(2), [0]);
  assert.equal(later.prefixRows, 0, 'no history from before the gap');
  assert.deepEqual([...later.rowIndex], [0, -1, -1, -1]);
});

test('the idle reset does not depend on when eviction sweeps run', () => {
  // Same flows, no sweep at all: the gap alone restarts the window.
  const w = new SourceWindows(4, 1, 60);
  w.assign(column([0, 0]), [T0, T0 + 1000], Float32Array.of(0, 1), [0, 1]);
  const later = w.assign(column([0]), [T0 + 1000 + 61_000], Float32Array.of(2), [0]);
  assert.equal(later.prefixRows, 0);
  // A gap within the idle time keeps the window open.
  const w2 = new SourceWindows(4, 1, 60);
  w2.assign(column([0, 0]), [T0, T0 + 1000], Float32Array.of(0, 1), [0, 1]);
  const soon = w2.assign(column([0]), [T0 + 1000 + 59_000], Float32Array.of(2), [0]);
  assert.equal(soon.prefixRows, 2);
  assert.deepEqual([...soon.rowIndex], [1, 2, 0, -1]);
});

test('flow mode (seqLen 1) keeps no state', () => {
  const w = new SourceWindows(1, 1, 60);
  const wb = w.assign(column([0, 1, 0]), [T0, T0, T0 + 1], Float32Array.of(0, 1, 2), [0, 1, 2]);
  assert.equal(wb.count, 3);
  assert.equal(w.size, 0);
});

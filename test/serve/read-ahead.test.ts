import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newContext, sourceBatches } from '../../src/flows/read.js';
import { COLUMN_NAMES, type DictColumn, type FlowDataset } from '../../src/flows/schema.js';
import { loadTrained } from '../../src/pipeline/load-trained.js';
import { boundedAddresses, type AddressStats } from '../../src/serve/bounded-addresses.js';
import { classifyToSink } from '../../src/serve/classify-stream.js';
import { readAhead, type ReadAheadSummary } from '../../src/serve/read-ahead.js';
import { InputError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';
import { memorySink, writeFlowFile, writeModelDir } from './fixtures.js';

let dir = '';
let first = '';
let second = '';
let model = '';

before(async () => {
  dir = await tempDir('ntc-read-ahead-');
  first = await writeFlowFile(dir, 'first.csv', { rows: 3000, seed: 11 });
  // The second file has malformed rows: a bad port and a short row.
  const lines = (await readFile(await writeFlowFile(dir, 'second-src.csv', { rows: 2500, seed: 12 }), 'utf8')).split('\n');
  lines[40] = lines[40].replace(/^([^,]+,[^,]+,[^,]+,[^,]+,)[^,]+/, '$1notaport');
  lines[900] = 'a,b,c';
  second = join(dir, 'second.csv');
  await writeFile(second, lines.join('\n'));
  model = await writeModelDir(join(dir, 'seq'), first, { seqLen: 16, seed: 3 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every value of a batch, text columns as their texts: what a batch means, whatever its codes. */
function decoded(ds: FlowDataset): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of COLUMN_NAMES) {
    const col = ds.columns[name];
    out[name] = 'codes' in col ? Array.from((col as DictColumn).codes, (c) => (col as DictColumn).values[c]) : Array.from(col as ArrayLike<number>);
  }
  return out;
}

async function inThread(inputs: string[], batchRows: number, maxAddresses: number, maxBadRows?: number): Promise<{ batches: FlowDataset[]; badRowCount: number; badRows: unknown[]; addresses: AddressStats }> {
  const ctx = newContext({ maxBadRows }, 0);
  const addresses: AddressStats = { peak: 0, restarts: 0 };
  const batches: FlowDataset[] = [];
  for (const path of inputs) {
    for await (const b of boundedAddresses(sourceBatches(path, ctx, { batchRows, grow: false, flushEachChunk: false }), ctx, maxAddresses, addresses)) batches.push(b);
  }
  ctx.log.checkFinal(ctx.rowsBefore);
  return { batches, badRowCount: ctx.log.count, badRows: ctx.log.kept, addresses };
}

test('batches parsed on the reader thread equal those read here: columns, texts, bad rows, across files and address-table restarts', async () => {
  const expected = await inThread([first, second], 700, 150, 10);
  const summary: ReadAheadSummary = { badRowCount: -1, badRows: [], addresses: { peak: 0, restarts: 0 } };
  const got: FlowDataset[] = [];
  for await (const b of readAhead({ inputs: [first, second], batchRows: 700, maxAddresses: 150, maxBadRows: 10 }, summary)) got.push(b);
  assert.ok(expected.addresses.restarts > 0, 'the test must restart the address table');
  assert.equal(got.length, expected.batches.length);
  got.forEach((b, i) => {
    const e = expected.batches[i];
    assert.equal(b.length, e.length, `batch ${i}`);
    // Same properties in the same order as a batch read here: one object shape for every batch
    // (a shape per batch made the main thread's column reads megamorphic).
    assert.deepEqual(Object.keys(b), Object.keys(e), `batch ${i}`);
    assert.deepEqual(Object.keys(b.columns), Object.keys(e.columns), `batch ${i}`);
    assert.deepEqual(decoded(b), decoded(e), `batch ${i}`);
    assert.deepEqual(b.sources, e.sources, `batch ${i}`);
    assert.equal(b.badRowCount, e.badRowCount, `batch ${i}`);
    assert.deepEqual(b.badRows, e.badRows, `batch ${i}`);
  });
  assert.equal(summary.badRowCount, 2);
  assert.equal(summary.badRowCount, expected.badRowCount);
  assert.deepEqual(summary.badRows, expected.badRows);
  assert.deepEqual(summary.addresses, expected.addresses);
});

test('classify writes the same bytes and summary with and without the reader thread', async () => {
  const trained = await loadTrained(model);
  try {
    const run = async (readThread: boolean) => {
      const sink = memorySink();
      const s = await classifyToSink(trained, sink, { inputs: [first, second], format: 'csv', read: { maxBadRows: 10 }, batchRows: 500, maxAddresses: 150, readThread });
      return { text: sink.text(), flows: s.flows, badRowCount: s.badRowCount, badRows: s.badRows, addresses: s.addresses, prefixSteps: s.stream.prefixSteps };
    };
    const here = await run(false);
    const there = await run(true);
    assert.equal(here.flows, 5498);
    assert.deepEqual(there, here);
  } finally {
    trained.model.dispose();
  }
});

test('too many malformed rows: the reader thread stops the run with the same input error, naming file, line and field', async () => {
  const expected = await inThread([first, second], 700, 1 << 18, 1).then(() => assert.fail('expected an error'), (e: unknown) => e as Error);
  assert.ok(expected instanceof InputError);
  const trained = await loadTrained(model);
  try {
    await assert.rejects(
      classifyToSink(trained, memorySink(), { inputs: [first, second], format: 'csv', read: { maxBadRows: 1 }, batchRows: 700 }),
      (err: Error) => {
        assert.ok(err instanceof InputError, String(err));
        assert.equal(err.message, expected.message);
        assert.match(err.message, /second\.csv:41 .*port/i);
        return true;
      },
    );
  } finally {
    trained.model.dispose();
  }
});

test('a missing file is the same clear error from the reader thread', async () => {
  const missing = join(dir, 'nope.csv');
  const expected = await inThread([missing], 700, 1 << 18).then(() => assert.fail('expected an error'), (e: unknown) => e as Error);
  const summary: ReadAheadSummary = { badRowCount: 0, badRows: [], addresses: { peak: 0, restarts: 0 } };
  await assert.rejects(
    (async () => {
      for await (const _ of readAhead({ inputs: [missing], batchRows: 700, maxAddresses: 1 << 18 }, summary)) void _;
    })(),
    (err: Error) => {
      assert.equal(err.constructor, expected.constructor);
      assert.equal(err.message, expected.message);
      return true;
    },
  );
});

test('a consumer that stops early ends the reader thread (nothing left running)', async () => {
  const summary: ReadAheadSummary = { badRowCount: 0, badRows: [], addresses: { peak: 0, restarts: 0 } };
  let taken = 0;
  for await (const b of readAhead({ inputs: [first, second], batchRows: 100, maxAddresses: 1 << 18 }, summary)) {
    taken += b.length;
    break;
  }
  assert.equal(taken, 100);
  // The test runner would report a hang here if the thread were still running.
});

test('the first batches are small and each twice the last up to the batch size, with the same rows as one read here', async () => {
  const expected = await inThread([first], 3000, 1 << 18);
  const summary: ReadAheadSummary = { badRowCount: 0, badRows: [], addresses: { peak: 0, restarts: 0 } };
  const got: FlowDataset[] = [];
  for await (const b of readAhead({ inputs: [first], batchRows: 1000, firstBatchRows: 100, maxAddresses: 1 << 18 }, summary)) got.push(b);
  assert.deepEqual(got.map((b) => b.length), [100, 200, 400, 800, 1000, 500]);
  const all = (bs: FlowDataset[]): Record<string, unknown[]> => {
    const out: Record<string, unknown[]> = {};
    for (const b of bs) for (const [k, v] of Object.entries(decoded(b))) (out[k] ??= []).push(...v);
    return out;
  };
  assert.deepEqual(all(got), all(expected.batches));
});

/**
 * An endless stream of new hosts must run in bounded memory: the reader's address dictionary is
 * restarted between batches once it passes a limit, and that must not change a single prediction.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTrained } from '../../src/pipeline/load-trained.js';
import { classifyToSink, type ClassifySummary } from '../../src/serve/classify-stream.js';
import { tempDir } from '../helpers.js';
import { memorySink, writeFlowFile, writeModelDir } from './fixtures.js';

const BATCH_ROWS = 1024;
const LIMIT = 300;

let dir = '';
let flowFile = '';
let model = '';

before(async () => {
  dir = await tempDir('ntc-classify-memory-');
  // A fifth of the flows come from one-off hosts: the dictionary grows all along the file.
  flowFile = await writeFlowFile(dir, 'flows.csv', { rows: 20000, seed: 9 });
  model = await writeModelDir(join(dir, 'model'), flowFile, { seqLen: 8, seed: 2 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function classify(maxAddresses: number, format: 'csv' | 'jsonl'): Promise<{ text: string; summary: ClassifySummary }> {
  const trained = await loadTrained(model);
  try {
    const sink = memorySink();
    const summary = await classifyToSink(trained, sink, { inputs: [flowFile], format, read: {}, batchRows: BATCH_ROWS, maxAddresses });
    return { text: sink.text(), summary };
  } finally {
    trained.model.dispose();
  }
}

test('a long stream of new hosts keeps the address dictionary under its limit, and restarting it changes no output byte', async () => {
  for (const format of ['csv', 'jsonl'] as const) {
    const unbounded = await classify(Infinity, format);
    const bounded = await classify(LIMIT, format);
    assert.equal(unbounded.summary.addresses.restarts, 0);
    assert.ok(unbounded.summary.addresses.peak > 10 * LIMIT, `the fixture should grow the dictionary, got ${unbounded.summary.addresses.peak}`);
    assert.ok(bounded.summary.addresses.restarts >= 10, `restarts ${bounded.summary.addresses.restarts}`);
    // At a batch boundary the dictionary holds at most the limit plus what one batch added (two addresses a row).
    assert.ok(bounded.summary.addresses.peak <= LIMIT + 2 * BATCH_ROWS, `peak ${bounded.summary.addresses.peak}`);
    assert.equal(bounded.summary.flows, 20000);
    assert.equal(bounded.text, unbounded.text, `${format} output changed when the dictionary was restarted`);
  }
});

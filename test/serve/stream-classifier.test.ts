import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readFlowBatches } from '../../src/flows/read.js';
import { loadTrained, type TrainedModel } from '../../src/pipeline/load-trained.js';
import { StreamClassifier } from '../../src/serve/stream-classifier.js';
import { tempDir } from '../helpers.js';
import { ciddsText, makeFlows, writeFlowFile, writeModelDir } from './fixtures.js';

let dir = '';
let trained: TrainedModel;

before(async () => {
  dir = await tempDir('ntc-stream-');
  const file = await writeFlowFile(dir, 'fit.csv', { rows: 2000, seed: 12 });
  trained = await loadTrained(await writeModelDir(dir, file, { seqLen: 8, seed: 6, preprocess: { contextIdleSeconds: 60 } }));
});

after(async () => {
  trained.model.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('state stays flat on a long stream: sources idle past the timeout are forgotten', async () => {
  // 40 rounds of 300 flows from fresh one-off sources, an hour apart: without eviction the
  // classifier would hold 12,000 sources at the end.
  const rounds = Array.from({ length: 40 }, (_, k) =>
    makeFlows({ rows: 300, seed: 100 + k }).map((f) => ({ ...f, start: f.start + k * 3_600_000, srcAddr: `${f.srcAddr}#${k}` })),
  );
  const text = ciddsText(rounds.flat());
  const classifier = new StreamClassifier(trained.model, trained.preprocessor);
  let maxOpen = 0;
  for await (const batch of readFlowBatches(Readable.from([Buffer.from(text)]), { batchRows: 300 })) {
    await classifier.classify(batch);
    maxOpen = Math.max(maxOpen, classifier.stats.openWindows, classifier.stats.openContexts);
  }
  assert.equal(classifier.stats.flows, 12_000);
  const distinct = new Set(rounds.flat().map((f) => f.srcAddr)).size;
  assert.ok(distinct > 1000, `the stream must have many sources (${distinct})`);
  assert.ok(maxOpen <= distinct / 20, `held up to ${maxOpen} sources of ${distinct}`);
});

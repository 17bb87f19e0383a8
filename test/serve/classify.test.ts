/**
 * `ntc classify` must judge every flow exactly as `ntc evaluate` does on the whole file: same
 * predicted class per flow, same probabilities, whatever the read batches.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeTargets } from '../../src/features/index.js';
import { readFlows } from '../../src/flows/read.js';
import { EMBEDDED_TEST, EMBEDDED_TRAIN } from '../../src/commands/run.js';
import type { Metrics } from '../../src/evaluate/types.js';
import { loadTrained, type TrainedModel } from '../../src/pipeline/load-trained.js';
import { predictFlows } from '../../src/pipeline/predict-flows.js';
import { classifyToSink, type ClassifySummary } from '../../src/serve/classify-stream.js';
import { NTC_BIN, ROOT, runNtc, tempDir } from '../helpers.js';
import { memorySink, writeFlowFile, writeModelDir } from './fixtures.js';

let dir = '';
let flowFile = '';
let seqModel = '';
let flowModel = '';

before(async () => {
  dir = await tempDir('ntc-classify-');
  flowFile = await writeFlowFile(dir, 'flows.csv', { rows: 6000, seed: 5 });
  seqModel = await writeModelDir(join(dir, 'seq'), flowFile, { seqLen: 16, seed: 3 });
  flowModel = await writeModelDir(join(dir, 'flow'), flowFile, { seqLen: 1, seed: 4 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Parsed {
  header: string[];
  predicted: string[];
  probs: number[][];
}

function parseCsv(text: string): Parsed {
  const lines = text.trimEnd().split('\n');
  const header = lines[0].split(',');
  const pi = header.indexOf('predicted');
  const firstP = header.findIndex((h) => h.startsWith('p_'));
  const rows = lines.slice(1).map((l) => l.split(','));
  return { header, predicted: rows.map((r) => r[pi]), probs: rows.map((r) => r.slice(firstP).map(Number)) };
}

/**
 * Two classify outputs of the same flows are byte-identical: a window's outputs do not depend on
 * the other windows of its model call (the engines guarantee it; test/nn/wasm-model.test.ts), so
 * how the stream was cut into batches cannot show.
 */
function assertSameClassified(got: string, expected: string): void {
  assert.equal(got, expected);
}

/** The path `ntc evaluate` takes: every flow of the file at once through predictFlows. */
async function wholeFile(trained: TrainedModel, file: string): Promise<{ predicted: string[]; probs: number[][]; truth: string[] }> {
  const ds = await readFlows([file]);
  const rows = Uint32Array.from({ length: ds.length }, (_, i) => i);
  const pred = await predictFlows(trained.model, trained.preprocessor, ds, rows, { batchSize: 512, labelled: false });
  const k = pred.outputs;
  const classes = trained.preprocessor.classes;
  const truth = Array.from(encodeTargets(trained.preprocessor, ds), (c) => classes[c]);
  return { predicted: Array.from(pred.classOf, (c) => classes[c]), probs: Array.from({ length: ds.length }, (_, i) => Array.from(pred.prob.subarray(i * k, (i + 1) * k))), truth };
}

async function assertSameAsWholeFile(modelDir: string, file: string, batchRows: number, deferOpenWindows = true): Promise<ClassifySummary> {
  const trained = await loadTrained(modelDir);
  try {
    const expected = await wholeFile(trained, file);
    const sink = memorySink();
    const summary = await classifyToSink(trained, sink, { inputs: [file], format: 'csv', read: {}, batchRows, deferOpenWindows });
    const got = parseCsv(sink.text());
    assert.equal(got.predicted.length, expected.predicted.length);
    const differing = got.predicted.map((c, i) => (c === expected.predicted[i] ? -1 : i)).filter((i) => i >= 0);
    assert.deepEqual(differing, [], `flows whose class differs from evaluate's: ${differing.slice(0, 10)}`);
    for (let i = 0; i < got.probs.length; i++) {
      for (let j = 0; j < got.probs[i].length; j++) assert.ok(Math.abs(got.probs[i][j] - expected.probs[i][j]) < 1e-5, `flow ${i} class ${j}: ${got.probs[i][j]} vs ${expected.probs[i][j]}`);
    }
    if (trained.model.spec.seqLen > 1 && batchRows < 1000) assert.ok(summary.stream.prefixSteps > 0, 'the test must make windows span batches');
    return summary;
  } finally {
    trained.model.dispose();
  }
}

test('sequence mode: classify in small read batches gives every flow the class and probabilities evaluate gives it', async () => {
  const summary = await assertSameAsWholeFile(seqModel, flowFile, 997);
  assert.ok(summary.stream.deferredFlows > 0, 'windows open at a batch end should have been left for the next batch');
});

test('sequence mode without deferred windows (as for stdin): open windows run in each batch and still agree with evaluate', async () => {
  const summary = await assertSameAsWholeFile(seqModel, flowFile, 997, false);
  assert.equal(summary.stream.deferredFlows, 0);
});

test('sequence mode with the default batch size agrees with evaluate too', async () => {
  await assertSameAsWholeFile(seqModel, flowFile, 65536);
});

test('flow mode: classify agrees with evaluate flow by flow', async () => {
  await assertSameAsWholeFile(flowModel, flowFile, 1000);
});

test('lab capture: classify and evaluate agree on data/lab-test.csv.gz', { skip: !existsSync(EMBEDDED_TEST) && 'the lab capture is not in data/ yet' }, async () => {
  const labDir = join(dir, 'lab');
  const model = await writeModelDir(labDir, EMBEDDED_TRAIN, { seqLen: 16, seed: 9, layers: [32, 16] });
  await assertSameAsWholeFile(model, EMBEDDED_TEST, 8192);
});

test('ntc classify --format jsonl: the confusion matrix of its output equals ntc evaluate --json\'s', async () => {
  const [c, e] = await Promise.all([
    runNtc(['classify', '--model', seqModel, flowFile, '--format', 'jsonl']),
    runNtc(['evaluate', '--model', seqModel, flowFile, '--json']),
  ]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(e.code, 0, e.stderr);
  const metrics = JSON.parse(e.stdout) as Metrics;
  const classes = metrics.classes;
  const lines = c.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { predicted: string; score: number; probabilities: Record<string, number> });
  const trained = await loadTrained(seqModel);
  const { truth } = await wholeFile(trained, flowFile);
  trained.model.dispose();
  const matrix = classes.map(() => classes.map(() => 0));
  lines.forEach((l, i) => matrix[classes.indexOf(truth[i])][classes.indexOf(l.predicted)]++);
  assert.deepEqual(matrix, metrics.confusion.matrix);
  for (const l of lines) assert.equal(l.score, l.probabilities[l.predicted]);
  assert.match(c.stderr, /classified 6,000 flows/);
});

test('stdin gives the same CSV as the file, and stdout carries nothing but results', async () => {
  const text = await readFile(flowFile);
  const [fromFile, fromStdin] = await Promise.all([runNtc(['classify', '-m', seqModel, flowFile]), runNtc(['classify', '-m', seqModel], { input: text })]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assertSameClassified(fromStdin.stdout, fromFile.stdout);
  const lines = fromFile.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 6001);
  assert.match(lines[0], /^start,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets,bytes,predicted,score,p_normal,/);
});

test('a live stream that goes quiet gets all its results without closing: windows held for the next batch are released', async () => {
  const lines = (await readFile(flowFile, 'utf8')).trimEnd().split('\n').slice(0, 301);
  const child = spawn(process.execPath, [NTC_BIN, 'classify', '-q', '-m', seqModel, '-'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const all = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${out.split('\n').length - 1} lines after 20 s`)), 20_000);
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.split('\n').length - 1 >= 301) {
        clearTimeout(timer);
        resolve(Date.now());
      }
    });
  });
  const sent = Date.now();
  child.stdin.write(`${lines.join('\n')}\n`); // stdin stays open: the feed is only quiet
  try {
    const at = await all;
    assert.ok(at - sent < 10_000, `results took ${at - sent} ms`);
  } finally {
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));
  }
  assert.equal(out.trimEnd().split('\n').length, 301);
});

test('--out writes the file atomically and nothing to stdout; a failed run leaves no file', async () => {
  const out = join(dir, 'out', 'pred.csv');
  const ok = await runNtc(['classify', '-m', seqModel, flowFile, '--out', out]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  assert.equal((await readFile(out, 'utf8')).trimEnd().split('\n').length, 6001);

  const bad = join(dir, 'bad.csv');
  const lines = (await readFile(flowFile, 'utf8')).split('\n');
  lines[40] = lines[40].replace(/,TCP  ,|,UDP  ,|,ICMP ,/, ',TCP  ,').replace(/^[^,]+/, 'yesterday');
  await writeFile(bad, lines.join('\n'));
  const failed = await runNtc(['classify', '-m', seqModel, bad, '--out', join(dir, 'out', 'bad-pred.csv'), '--max-bad-rows', '0']);
  assert.equal(failed.code, 3, failed.stderr);
  assert.match(failed.stderr, /bad\.csv:41 /);
  assert.deepEqual((await readdir(join(dir, 'out'))).sort(), ['pred.csv']);
});

test('malformed rows within the limit are skipped and reported with file, line and field', async () => {
  const bad = join(dir, 'one-bad.csv');
  const lines = (await readFile(flowFile, 'utf8')).split('\n');
  lines[100] = lines[100].replace(/^([^,]+,[^,]+,[^,]+,[^,]+,)[^,]+/, '$1notaport');
  await writeFile(bad, lines.join('\n'));
  const r = await runNtc(['classify', '-m', seqModel, bad, '--max-bad-rows', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').length, 6000);
  assert.match(r.stderr, /skipped 1 malformed row/);
  assert.match(r.stderr, /one-bad\.csv:101 /);
});

test('unlabelled nfdump CSV is classified (no labels needed)', async () => {
  const r = await runNtc(['classify', '-m', seqModel, join(ROOT, 'test', 'flows', 'fixtures', 'nfdump-1.7.1-real.csv'), '--format', 'jsonl']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { srcAddr: string; predicted: string });
  assert.equal(rows.length, 4); // the file's 4 flows; nfdump's summary block is not flows
  assert.equal(rows[0].srcAddr, '192.168.1.2');
});

test('a missing model directory is a clear error', async () => {
  const r = await runNtc(['classify', '-m', join(dir, 'nope'), flowFile]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /not a model directory/);
  assert.equal(r.stdout, '');
});

test('the files are read while the model loads: the same output as with a loaded model; a model that fails to load stops the reader', async () => {
  const loaded = await loadTrained(seqModel);
  const expected = memorySink();
  await classifyToSink(loaded, expected, { inputs: [flowFile], format: 'csv', read: {} });
  loaded.model.dispose();
  const later = loadTrained(seqModel);
  const got = memorySink();
  await classifyToSink(later, got, { inputs: [flowFile], format: 'csv', read: {} });
  (await later).model.dispose();
  assert.equal(got.text(), expected.text());
  // A failed load surfaces as its own error, with nothing written; the reader thread ends (a
  // thread left running would keep this test file from ever finishing).
  const failed = memorySink();
  const err = new Error('the model would not load');
  await assert.rejects(classifyToSink(Promise.reject(err), failed, { inputs: [flowFile], format: 'csv', read: {} }), err);
  assert.equal(failed.text(), '');
});

test('several files are one stream: the file cut in two classifies exactly as the whole', async () => {
  const lines = (await readFile(flowFile, 'utf8')).trimEnd().split('\n');
  const first = join(dir, 'part1.csv');
  const second = join(dir, 'part2.csv');
  await writeFile(first, `${lines.slice(0, 2501).join('\n')}\n`);
  await writeFile(second, `${[lines[0], ...lines.slice(2501)].join('\n')}\n`);
  const [whole, parts] = await Promise.all([runNtc(['classify', '-m', seqModel, flowFile]), runNtc(['classify', '-m', seqModel, first, second])]);
  assert.equal(parts.code, 0, parts.stderr);
  assertSameClassified(parts.stdout, whole.stdout);
});

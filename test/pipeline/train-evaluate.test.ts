/**
 * The whole job on real lab flows, through the real command: train on the earlier capture, test
 * on the later one, then check the scores, the saved model, `ntc evaluate` and the report.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metrics } from '../../src/evaluate/types.js';
import { EMBEDDED_TEST, EMBEDDED_TRAIN } from '../../src/commands/run.js';
import { runNtc, tempDir } from '../helpers.js';
import { checkPageInBrowser } from '../report/browser.js';

/** Quality the default model must reach on the held-out lab capture, even with few epochs. */
const MIN_ATTACK_F1 = 0.97;
const MAX_FALSE_POSITIVE_RATE = 0.005;

let dir = '';
let trained: { code: number | null; stdout: string; stderr: string };

before(async () => {
  dir = await tempDir('ntc-pipeline-');
  trained = await runNtc(['train', EMBEDDED_TRAIN, '--test', EMBEDDED_TEST, '--out', join(dir, 'run'), '--epochs', '6', '--seed', '3']);
});

test('ntc train on the lab capture exits 0 and prints the score table and where files went', () => {
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /attack vs normal: precision/);
  assert.match(trained.stdout, /report: .*report\.html/);
});

test('the model trained on the earlier capture detects attacks in the later one', async () => {
  const m = JSON.parse(await readFile(join(dir, 'run', 'metrics.json'), 'utf8')) as Metrics;
  assert.ok(m.attack.f1 >= MIN_ATTACK_F1, `attack F1 ${m.attack.f1} below ${MIN_ATTACK_F1}`);
  assert.ok(m.falsePositiveRate <= MAX_FALSE_POSITIVE_RATE, `false-positive rate ${m.falsePositiveRate} above ${MAX_FALSE_POSITIVE_RATE}`);
  assert.equal(m.classes[0], 'normal');
  assert.ok(m.classes.includes('portScan') && m.classes.includes('pingScan'), `classes ${m.classes}`);
  const total = m.confusion.matrix.flat().reduce((a, b) => a + b, 0);
  assert.equal(total, m.flows.test);
  for (const key of ['classes', 'confusion', 'perClass', 'accuracy', 'macroF1', 'attack', 'falsePositiveRate', 'r2', 'timing', 'flows']) {
    assert.ok(key in m, `metrics.json lacks ${key}`);
  }
  assert.ok(m.r2.train !== null && m.r2.test !== null);
});

test('ntc evaluate with the saved model reproduces the test scores exactly', async () => {
  const r = await runNtc(['evaluate', '--model', join(dir, 'run', 'model'), EMBEDDED_TEST, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const fromTrain = JSON.parse(await readFile(join(dir, 'run', 'metrics.json'), 'utf8')) as Metrics;
  const fromEvaluate = JSON.parse(r.stdout) as Metrics;
  assert.deepEqual(fromEvaluate.confusion, fromTrain.confusion);
  assert.equal(fromEvaluate.r2.test, fromTrain.r2.test);
});

test('the report renders every chart in a real browser without touching the network', async () => {
  const page = await checkPageInBrowser(join(dir, 'run', 'report.html'));
  assert.deepEqual(page.figuresWithoutSvg, []);
  assert.deepEqual(page.consoleErrors, []);
  assert.deepEqual(page.blockedRequests, []);
  const names = page.charts.map((c) => c.name);
  for (const want of ['confusion', 'loss-curve']) assert.ok(names.includes(want), `no ${want} chart in ${names}`);
  for (const c of page.charts) assert.ok(c.width > 0 && c.height > 0 && c.marks > 0, `chart ${c.name} is empty`);
});

test('ntc evaluate on a missing model directory is a clear input error', async () => {
  const r = await runNtc(['evaluate', '--model', join(dir, 'nowhere'), EMBEDDED_TEST]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /nowhere/);
});

async function runInFreshDir(args: string[]): Promise<{ cwd: string; latest: string }> {
  const cwd = await tempDir('ntc-run-');
  const r = await runNtc(['run', ...args], { cwd });
  assert.equal(r.code, 0, r.stderr);
  return { cwd, latest: await readlink(join(cwd, 'runs', 'latest')) };
}

test('ntc run with no files uses the embedded data set, points runs/latest at its output, and repeats itself with the same seed', async () => {
  const args = ['--epochs', '1', '--mode', 'flow', '--seed', '5'];
  const first = await runInFreshDir(args);
  const second = await runInFreshDir(args);
  const out = (r: { cwd: string; latest: string }, f: string) => join(r.cwd, 'runs', r.latest, f);
  assert.ok((await stat(out(first, 'model/model.json'))).isFile());
  assert.ok((await stat(out(first, 'report.html'))).isFile());
  const scores = async (r: { cwd: string; latest: string }) => {
    const m = JSON.parse(await readFile(out(r, 'metrics.json'), 'utf8')) as Partial<Metrics>;
    delete m.timing;
    return m;
  };
  assert.deepEqual(await scores(second), await scores(first));
  assert.deepEqual(await readFile(out(second, 'model/weights.bin')), await readFile(out(first, 'model/weights.bin')));
});


import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { computeMetrics, encodedClassValue, r2Score } from '../../src/evaluate/metrics.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('scores of a hand-worked three-class case', () => {
  const m = computeMetrics({
    yTrue: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]),
    yPred: Int32Array.from([0, 0, 1, 0, 1, 2, 1, 2, 0, 2]),
    classes: ['normal', 'portScan', 'dos'],
    normalClass: 'normal',
    split: 'test',
    flows: { test: 10 },
  });
  assert.deepEqual(m.confusion, { labels: ['normal', 'portScan', 'dos'], matrix: [[3, 1, 0], [0, 2, 1], [1, 0, 2]] });
  assert.deepEqual(m.perClass.normal, { precision: 0.75, recall: 0.75, f1: 0.75, support: 4 });
  close(m.perClass.portScan.precision, 2 / 3, 'portScan precision');
  close(m.perClass.dos.f1, 2 / 3, 'dos f1');
  assert.equal(m.accuracy, 0.7);
  close(m.macroF1, (0.75 + 2 / 3 + 2 / 3) / 3, 'macro F1');
  // Attack vs normal: 6 true attacks, 6 predicted attacks, 5 of them overlap (the dos->portScan mix-up still counts).
  close(m.attack.precision, 5 / 6, 'attack precision');
  close(m.attack.recall, 5 / 6, 'attack recall');
  close(m.attack.f1, 5 / 6, 'attack f1');
  assert.equal(m.falsePositiveRate, 0.25);
  assert.equal(m.split, 'test');
  assert.deepEqual(m.flows, { test: 10 });
  assert.deepEqual(m.r2, { train: null, test: null });
  assert.deepEqual(m.timing, { ingestRowsPerSec: null, trainFlowsPerSec: null, predictFlowsPerSec: null });
});

test('undefined ratios are 0 and macro-F1 skips classes absent from both sides', () => {
  const m = computeMetrics({
    yTrue: Int32Array.from([0, 0, 1, 2]),
    yPred: Int32Array.from([0, 1, 1, 0]),
    classes: ['normal', 'a', 'b', 'c'],
    normalClass: 'normal',
    split: 'validation',
  });
  assert.deepEqual(m.perClass.b, { precision: 0, recall: 0, f1: 0, support: 1 }, 'never predicted');
  assert.deepEqual(m.perClass.c, { precision: 0, recall: 0, f1: 0, support: 0 }, 'absent');
  close(m.perClass.a.f1, 2 / 3, 'a f1');
  close(m.macroF1, (0.5 + 2 / 3 + 0) / 3, 'macro F1 over normal, a, b');
  const empty = computeMetrics({ yTrue: new Int32Array(0), yPred: new Int32Array(0), classes: ['normal', 'a'], normalClass: 'normal', split: 'x' });
  assert.equal(empty.accuracy, 0);
  assert.equal(empty.falsePositiveRate, 0);
});

test('bad metric input is refused with the flow and value', () => {
  const base = { classes: ['normal', 'a'], normalClass: 'normal', split: 't' };
  assert.throws(() => computeMetrics({ ...base, yTrue: Int32Array.from([0, 1]), yPred: Int32Array.from([0, -1]) }), /flow 1: predicted class -1/);
  assert.throws(() => computeMetrics({ ...base, yTrue: Int32Array.from([2]), yPred: Int32Array.from([0]) }), /flow 0: true class 2/);
  assert.throws(() => computeMetrics({ ...base, normalClass: 'benign', yTrue: new Int32Array(0), yPred: new Int32Array(0) }), /"benign" is not among/);
});

test('r2 of hand-worked values, constant targets as sklearn scores them', () => {
  close(r2Score([0, 1, 2, 3], [0, 1, 2, 2]), 0.8, 'r2');
  assert.equal(r2Score([1, 1], [1, 1]), 1);
  assert.equal(r2Score([1, 1], [1, 2]), 0);
  assert.throws(() => r2Score([1], [1, 2]), /1 values, yPred 2/);
});

test('the encoded class value is the raw output for mse and the expected index for softmax', () => {
  assert.deepEqual(Array.from(encodedClassValue(Float32Array.from([1.5, -0.25]), 1)), [1.5, -0.25]);
  const v = encodedClassValue(Float32Array.from([0.5, 0.25, 0.25, 0, 0, 1]), 3);
  assert.deepEqual(Array.from(v), [0.75, 2]);
});

const PYTHON = '/usr/bin/python3';
const hasSklearn = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import sklearn.metrics'], { encoding: 'utf8' }).status === 0;

test('agrees with scikit-learn on a random case', { skip: hasSklearn ? false : `${PYTHON} with sklearn not available` }, () => {
  const rng = new Rng(11);
  const k = 5; // class 4 never occurs on either side
  const yTrue = new Int32Array(400).map(() => rng.int(4));
  const yPred = yTrue.map((t) => (rng.next() < 0.7 ? t : rng.int(4)));
  const ry = Array.from({ length: 300 }, () => rng.normal());
  const rp = ry.map((v) => v + rng.normal() * 0.5);
  const script = `
import json, sys
from sklearn import metrics as m
d = json.load(sys.stdin)
t, p, labels = d['t'], d['p'], list(range(${k}))
pr, rc, f1, sup = m.precision_recall_fscore_support(t, p, labels=labels, zero_division=0)
bt = [int(v != 0) for v in t]; bp = [int(v != 0) for v in p]
print(json.dumps({
  'confusion': m.confusion_matrix(t, p, labels=labels).tolist(),
  'precision': pr.tolist(), 'recall': rc.tolist(), 'f1': f1.tolist(), 'support': sup.tolist(),
  'accuracy': m.accuracy_score(t, p), 'macroF1': m.f1_score(t, p, average='macro', zero_division=0),
  'attack': [m.precision_score(bt, bp), m.recall_score(bt, bp), m.f1_score(bt, bp)],
  'r2': m.r2_score(d['ry'], d['rp']),
}))`;
  const res = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ t: Array.from(yTrue), p: Array.from(yPred), ry, rp }), encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  const sk = JSON.parse(res.stdout);
  const classes = ['normal', 'a', 'b', 'c', 'd'];
  const ours = computeMetrics({ yTrue, yPred, classes, normalClass: 'normal', split: 'test' });
  assert.deepEqual(ours.confusion.matrix, sk.confusion);
  classes.forEach((c, i) => {
    close(ours.perClass[c].precision, sk.precision[i], `${c} precision`);
    close(ours.perClass[c].recall, sk.recall[i], `${c} recall`);
    close(ours.perClass[c].f1, sk.f1[i], `${c} f1`);
    assert.equal(ours.perClass[c].support, sk.support[i]);
  });
  close(ours.accuracy, sk.accuracy, 'accuracy');
  close(ours.macroF1, sk.macroF1, 'macro F1');
  close(ours.attack.precision, sk.attack[0], 'attack precision');
  close(ours.attack.recall, sk.attack[1], 'attack recall');
  close(ours.attack.f1, sk.attack[2], 'attack f1');
  close(r2Score(ry, rp), sk.r2, 'r2');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeTargets, fitPreprocessor } from '../../src/features/index.js';
import { InputError } from '../../src/util/errors.js';
import { datasetFromFlows } from './dataset.js';

const flows = [
  { attackType: '---', label: 'normal' },
  { attackType: 'portScan', label: 'attacker' },
  { attackType: 'dos', label: 'victim' },
  { attackType: '---', label: 'normal' },
  { attackType: 'bruteForce', label: 'attacker' },
];

test('attack type is the default target, `---` is class normal and comes first', () => {
  const ds = datasetFromFlows(flows);
  const p = fitPreprocessor(ds);
  assert.deepEqual(p.classes, ['normal', 'bruteForce', 'dos', 'portScan']);
  assert.deepEqual([...encodeTargets(p, ds)], [0, 3, 2, 0, 1]);
});

test('the class target uses the CIDDS class/label column', () => {
  const ds = datasetFromFlows(flows);
  const p = fitPreprocessor(ds, undefined, { target: 'class' });
  assert.deepEqual(p.classes, ['normal', 'attacker', 'victim']);
  assert.deepEqual([...encodeTargets(p, ds, Uint32Array.of(1, 2))], [1, 2]);
});

test('classes are fitted on training rows; an unseen class in evaluation is an error naming it', () => {
  const ds = datasetFromFlows(flows);
  const p = fitPreprocessor(ds, Uint32Array.of(0, 1, 3));
  assert.deepEqual(p.classes, ['normal', 'portScan']);
  assert.throws(
    () => encodeTargets(p, ds),
    (err: unknown) => err instanceof InputError && /attackType "dos" in 1 flow/.test(err.message) && /bruteForce/.test(err.message) && /knows: normal, portScan/.test(err.message),
  );
});

test('flows from a file without labels cannot be encoded as targets', () => {
  const ds = datasetFromFlows(flows, [
    { path: 'a.csv', format: 'cidds', rows: 3, badRows: 0, labelled: true },
    { path: 'capture.nfcsv', format: 'nfdump', rows: 2, badRows: 0, labelled: false },
  ]);
  const p = fitPreprocessor(ds);
  assert.deepEqual(p.classes, ['normal', 'dos', 'portScan']);
  assert.deepEqual([...encodeTargets(p, ds, Uint32Array.of(0, 1))], [0, 2]);
  assert.throws(() => encodeTargets(p, ds), /capture\.nfcsv: the file carries no labels/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelSpec, createModel, registerEngine } from '../../src/nn/engine.js';
import { createTfjsModel } from '../../src/nn/tfjs-model.js';
import { MODEL_JSON, WEIGHTS_BIN, loadModel, saveModel } from '../../src/nn/model-io.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers.js';

const spec: ModelSpec = { inputSize: 4, seqLen: 6, layers: [5, 3], dropout: 0.1, outputs: 3, loss: 'crossentropy', classWeights: [1, 2, 3], lr: 0.01, seed: 3 };

async function trainedModelDir(): Promise<{ dir: string; x: Float32Array; expected: Float32Array }> {
  const model = await createModel(spec);
  const rng = new Rng(1);
  const batch = 4;
  const x = new Float32Array(batch * spec.seqLen * spec.inputSize).map(() => rng.normal());
  const y = new Int32Array(batch * spec.seqLen).map(() => rng.int(3));
  await model.trainBatch({ x, y, mask: new Float32Array(y.length).fill(1), batch });
  const dir = join(await tempDir(), 'model');
  await saveModel(dir, model, { preprocessor: { names: ['a', 'b'] } });
  const expected = await model.predict(x, batch);
  model.dispose();
  return { dir, x, expected };
}

test('a saved model loads with the same spec, extra JSON and bit-identical predictions', async () => {
  const { dir, x, expected } = await trainedModelDir();
  assert.deepEqual((await readdir(dir)).sort(), [MODEL_JSON, WEIGHTS_BIN]);
  const { model, extra, file } = await loadModel(dir);
  assert.deepEqual(model.spec, spec);
  assert.deepEqual(extra, { preprocessor: { names: ['a', 'b'] } });
  assert.equal(file.formatVersion, 1);
  assert.deepEqual(await model.predict(x, 4), expected);
  model.dispose();
});

test('saving over an existing model replaces it whole', async () => {
  const { dir } = await trainedModelDir();
  const other = await createModel({ ...spec, layers: [2], seed: 9 });
  await saveModel(dir, other, {});
  const { model } = await loadModel(dir);
  assert.deepEqual(model.spec.layers, [2]);
  model.dispose();
  other.dispose();
});

async function expectLoadError(mutate: (dir: string) => Promise<void>, pattern: RegExp): Promise<void> {
  const { dir } = await trainedModelDir();
  await mutate(dir);
  await assert.rejects(loadModel(dir), (err: Error) => {
    assert.ok(err instanceof InputError, `expected InputError, got ${err.name}: ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  });
}

async function editJson(dir: string, edit: (j: Record<string, any>) => void): Promise<void> {
  const path = join(dir, MODEL_JSON);
  const j = JSON.parse(await readFile(path, 'utf8'));
  edit(j);
  await writeFile(path, JSON.stringify(j));
}

test('a directory without model.json is named as not a model directory', async () => {
  await expectLoadError((d) => rm(join(d, MODEL_JSON)), /is not a model directory: .*model\.json is missing/);
});

test('a missing weights.bin is named', async () => {
  await expectLoadError((d) => rm(join(d, WEIGHTS_BIN)), /weights\.bin is missing/);
});

test('a truncated weights.bin is refused', async () => {
  await expectLoadError(async (d) => {
    const b = await readFile(join(d, WEIGHTS_BIN));
    await writeFile(join(d, WEIGHTS_BIN), b.subarray(0, b.length - 8));
  }, /weights\.bin: \d+ bytes, too short for dense\/bias/);
});

test('extra bytes after the weights are refused', async () => {
  await expectLoadError(async (d) => {
    const b = await readFile(join(d, WEIGHTS_BIN));
    await writeFile(join(d, WEIGHTS_BIN), Buffer.concat([b, Buffer.alloc(4)]));
  }, /weights\.bin: \d+ bytes, expected \d+/);
});

test('invalid JSON is reported with the file', async () => {
  await expectLoadError((d) => writeFile(join(d, MODEL_JSON), '{"format": '), /model\.json: not valid JSON/);
});

test('another format or a newer format version gives a clear message', async () => {
  await expectLoadError((d) => editJson(d, (j) => (j.format = 'keras')), /field "format" is "keras".*not an ntc model directory/);
  await expectLoadError((d) => editJson(d, (j) => (j.formatVersion = 2)), /field "formatVersion" is 2, this ntc reads version 1/);
});

test('a manifest whose shapes disagree with the spec is refused', async () => {
  await expectLoadError((d) => editJson(d, (j) => (j.weights[1].shape = [3, 20])), /weights\[1\]" \(lstm1\/recurrent_kernel\): shape \[3,20\] does not match the spec's \[5,20\]/);
  await expectLoadError((d) => editJson(d, (j) => (j.spec.layers = [5])), /lists 8 arrays, the spec needs 5/);
  await expectLoadError((d) => editJson(d, (j) => (j.spec.dropout = 2)), /field "spec": invalid model spec: dropout/);
});

test('a non-finite weight is refused as a corrupt model', async () => {
  await expectLoadError(async (d) => {
    const b = await readFile(join(d, WEIGHTS_BIN));
    b.writeFloatLE(Number.NaN, 8);
    await writeFile(join(d, WEIGHTS_BIN), b);
  }, /lstm1\/kernel\[2\] is NaN/);
});

test('a model loads on a registered engine by name, and an unknown engine is named', async () => {
  const { dir, x, expected } = await trainedModelDir();
  registerEngine('tfjs-wasm-ops', async () => (s, w) => createTfjsModel(s, w, { fusedCell: false }));
  const { model } = await loadModel(dir, { engine: 'tfjs-wasm-ops' });
  const p = await model.predict(x, 4);
  p.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `output ${i}`));
  model.dispose();
  await assert.rejects(loadModel(dir, { engine: 'nope' }), /unknown model engine "nope" \(available: wasm, native, auto, tfjs, tfjs-wasm, tfjs-wasm-ops\)/);
  // Trained on the default engine, the model loads on the reference tfjs engine too.
  const { model: onTfjs } = await loadModel(dir, { engine: 'tfjs' });
  assert.equal(onTfjs.engine, 'tfjs-wasm');
  const q = await onTfjs.predict(x, 4);
  q.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `tfjs output ${i}: ${v} vs ${expected[i]}`));
  onTfjs.dispose();
});

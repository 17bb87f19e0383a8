/**
 * Model directories as `ntc classify` and `ntc serve` load them: a save killed midway leaves the
 * previous model whole, a wrong format version is a clear error, and a crafted model.json cannot
 * make ntc read anything outside the directory.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModelDir, saveModel } from '../../src/nn/model-io.js';
import { loadTrained } from '../../src/pipeline/load-trained.js';
import { InputError } from '../../src/util/errors.js';
import { runNtc, tempDir } from '../helpers.js';
import { writeFlowFile, writeModelDir } from './fixtures.js';

const SAVER = join(dirname(fileURLToPath(import.meta.url)), 'model-saver.js');
let dir = '';
let flowFile = '';
let model = '';

before(async () => {
  dir = await tempDir('ntc-model-dir-');
  flowFile = await writeFlowFile(dir, 'flows.csv', { rows: 300, seed: 2 });
  model = await writeModelDir(dir, flowFile, { seqLen: 4, seed: 1 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the saver, waits for its first complete save, lets it run `ms` more, then SIGKILLs it. */
async function killSaverAfter(target: string, ms: number): Promise<void> {
  const child = spawn(process.execPath, [SAVER, target], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  await new Promise<void>((res, rej) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => /saved/.test(d) && res());
    void exited.then(() => rej(new Error(`saver exited before saving: ${err}`)));
  });
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGKILL');
  await exited;
}

test('a save killed midway (SIGKILL) leaves a model directory that loads whole: one generation, never a mix', async () => {
  const target = join(dir, 'killed', 'model');
  // Saves take ~20 ms; kill at spread-out moments so some land in every phase of the write.
  for (const ms of [0, 3, 7, 11, 16, 23, 31, 45]) {
    await killSaverAfter(target, ms);
    const { file, weights } = await readModelDir(target);
    const generation = file.extra.generation as number;
    assert.ok(Number.isInteger(generation) && generation >= 1, `generation ${generation}`);
    for (const w of weights) assert.ok(w.values.every((v) => v === generation + 0.5), `${w.name} is not all from generation ${generation}`);
  }
});

/** The pid of a process that has exited, as a save killed long ago would have left in its names. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

test('a save killed between its two renames (model directory missing) still loads: the whole previous model set aside beside it', async () => {
  const parent = join(dir, 'between-renames');
  const target = join(parent, 'model');
  await mkdir(parent, { recursive: true });
  const pid = await deadPid();
  // What replaceDirAtomic leaves when killed there: the previous model moved aside, nothing at `target`.
  const setAside = join(parent, `.model.tmp-${pid}-${(Date.now() - 60_000).toString(36)}-old`);
  await cp(model, setAside, { recursive: true });
  // A newer set-aside copy whose removal was cut short must be passed over, not half-read.
  const halfRemoved = join(parent, `.model.tmp-${pid}-${Date.now().toString(36)}-old`);
  await mkdir(halfRemoved);
  await writeFile(join(halfRemoved, 'model.json'), await readFile(join(model, 'model.json')));

  const expected = await readModelDir(model);
  const { file, weights } = await readModelDir(target);
  assert.deepEqual(file, expected.file);
  assert.deepEqual(weights, expected.weights);
  const r = await runNtc(['classify', '--model', target, flowFile]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, (await runNtc(['classify', '--model', model, flowFile])).stdout);
});

test('a save removes the temporaries that dead processes left beside the model directory, and keeps those of live ones', async () => {
  const parent = join(dir, 'stale');
  const target = join(parent, 'model');
  await mkdir(parent, { recursive: true });
  const pid = await deadPid();
  const stamp = Date.now().toString(36);
  const dead = [`.model.tmp-${pid}-${stamp}`, `.model.tmp-${pid}-${stamp}-old`];
  // This test process is alive: its temporaries may belong to a save still under way.
  const live = `.model.tmp-${process.pid}-${stamp}`;
  for (const name of [...dead, live]) await mkdir(join(parent, name));
  await writeFile(join(parent, 'unrelated.tmp-1-x'), 'kept');

  const trained = await loadTrained(model);
  try {
    await saveModel(target, trained.model, trained.extra as unknown as Record<string, unknown>);
  } finally {
    trained.model.dispose();
  }
  assert.deepEqual((await readdir(parent)).sort(), [live, 'model', 'unrelated.tmp-1-x'].sort());
  assert.deepEqual((await readModelDir(target)).file.spec, (await readModelDir(model)).file.spec);
});

test('a model.json with another formatVersion is refused with a message saying so (ntc classify exits 3)', async () => {
  const json = JSON.parse(await readFile(join(model, 'model.json'), 'utf8')) as { formatVersion: number };
  const future = join(dir, 'future');
  await mkdir(future, { recursive: true });
  await writeFile(join(future, 'model.json'), JSON.stringify({ ...json, formatVersion: 99 }));
  await writeFile(join(future, 'weights.bin'), await readFile(join(model, 'weights.bin')));
  await assert.rejects(loadTrained(future), (err: unknown) => err instanceof InputError && /"formatVersion" is 99, this ntc reads version 1/.test(err.message));
  const r = await runNtc(['classify', '--model', future, flowFile]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /formatVersion.*99.*retrain/);
  assert.equal(r.stdout, '');
});

test('a crafted model.json naming ../../etc/passwd-like paths reads nothing outside the model directory', async () => {
  const json = JSON.parse(await readFile(join(model, 'model.json'), 'utf8')) as Record<string, unknown> & { weights: Array<Record<string, unknown>> };
  const crafted = join(dir, 'crafted');
  await mkdir(crafted, { recursive: true });
  const evil = '../../../../../../etc/passwd';
  const variants: Array<Record<string, unknown>> = [
    { ...json, weights: json.weights.map((w, i) => (i === 0 ? { ...w, name: evil } : w)) },
    { ...json, weightsFile: evil, paths: { weights: evil }, extra: { ...(json.extra as object), preprocessorFile: evil } },
    { ...json, weights: json.weights.map((w) => ({ ...w, file: evil, path: '/etc/shadow' })) },
    { ...json, format: evil },
  ];
  const fsp = createRequire(import.meta.url)('node:fs/promises') as typeof import('node:fs/promises');
  const original = { readFile: fsp.readFile, open: fsp.open };
  const opened: string[] = [];
  const record = (p: unknown): void => void opened.push(resolve(String(p)));
  fsp.readFile = ((p: Parameters<typeof fsp.readFile>[0], ...rest: unknown[]) => (record(p), (original.readFile as (...a: unknown[]) => unknown)(p, ...rest))) as typeof fsp.readFile;
  fsp.open = ((p: Parameters<typeof fsp.open>[0], ...rest: unknown[]) => (record(p), (original.open as (...a: unknown[]) => unknown)(p, ...rest))) as typeof fsp.open;
  syncBuiltinESMExports();
  try {
    for (const v of variants) {
      await writeFile(join(crafted, 'model.json'), JSON.stringify(v));
      await writeFile(join(crafted, 'weights.bin'), await original.readFile(join(model, 'weights.bin')));
      opened.length = 0;
      try {
        const t = await loadTrained(crafted);
        t.model.dispose();
      } catch (err) {
        assert.ok(err instanceof InputError, `not an InputError: ${(err as Error).stack}`);
      }
      assert.ok(opened.some((p) => p.endsWith('model.json')), 'the hook must see the reads');
      const outside = opened.filter((p) => !p.startsWith(`${resolve(crafted)}/`));
      assert.deepEqual(outside, [], `read outside the model directory for ${JSON.stringify(v).slice(0, 120)}`);
    }
  } finally {
    fsp.readFile = original.readFile;
    fsp.open = original.open;
    syncBuiltinESMExports();
  }
});

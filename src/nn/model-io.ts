import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathExists, replaceDirAtomic, setAsideDirs } from '../util/atomic.js';
import { InputError } from '../util/errors.js';
import { type ModelSpec, type NamedTensor, type SequenceModel, createModel, validateSpec, weightShapes } from './engine.js';

/**
 * A model directory: `model.json` (format, spec, weight manifest, caller's extra JSON such as the
 * preprocessor) and `weights.bin` (all weights as float32 little-endian, manifest order).
 * The file names are fixed here, never read from the JSON, so a crafted model.json cannot make
 * ntc read outside the directory.
 */
export const MODEL_FORMAT = 'ntc-sequence-model';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface WeightEntry {
  name: string;
  shape: number[];
  /** Byte offset into weights.bin. */
  offset: number;
}

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** Engine that trained the weights (informational; any engine can load them). */
  engine: string;
  spec: ModelSpec;
  weights: WeightEntry[];
  extra: Record<string, unknown>;
}

export interface LoadedModel {
  model: SequenceModel;
  extra: Record<string, unknown>;
  file: ModelFile;
}

/** Writes `dir` atomically: readers see the previous model or the new one, never a mix. */
export async function saveModel(dir: string, model: SequenceModel, extra: Record<string, unknown> = {}): Promise<void> {
  const weights = model.getWeights();
  const { manifest, bytes } = packWeights(weights);
  const file: ModelFile = {
    format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, engine: model.engine, spec: model.spec, weights: manifest, extra,
  };
  await replaceDirAtomic(dir, async (tmp) => {
    await writeFile(join(tmp, WEIGHTS_BIN), bytes);
    await writeFile(join(tmp, MODEL_JSON), `${JSON.stringify(file, null, 2)}\n`);
  });
}

/** Reads and checks a model directory, then builds the model (on the default engine unless named). */
export async function loadModel(dir: string, opts: { engine?: string } = {}): Promise<LoadedModel> {
  const { file, weights } = await readModelDir(dir);
  return { model: await createModel(file.spec, { engine: opts.engine, weights }), extra: file.extra, file };
}

/**
 * Reads and validates model.json and weights.bin without creating a model. When `dir` itself is
 * missing because a save was killed between its two renames, reads the whole previous version that
 * save moved aside instead.
 */
export async function readModelDir(dir: string): Promise<{ file: ModelFile; weights: NamedTensor[] }> {
  const fallback = (await pathExists(dir)) ? undefined : await wholeSetAsideDir(dir);
  if (fallback === undefined) return readModelFiles(dir);
  try {
    return await readModelFiles(fallback);
  } catch (err) {
    // A live save may have put `dir` back and removed the set-aside copy while we read it.
    if (await pathExists(dir)) return readModelFiles(dir);
    throw err;
  }
}

async function wholeSetAsideDir(dir: string): Promise<string | undefined> {
  for (const old of await setAsideDirs(dir)) {
    if ((await pathExists(join(old, MODEL_JSON))) && (await pathExists(join(old, WEIGHTS_BIN)))) return old;
  }
  return undefined;
}

async function readModelFiles(dir: string): Promise<{ file: ModelFile; weights: NamedTensor[] }> {
  const jsonPath = join(dir, MODEL_JSON);
  const binPath = join(dir, WEIGHTS_BIN);
  const text = await readOrExplain(jsonPath, dir);
  let raw: unknown;
  try {
    raw = JSON.parse(text.toString('utf8'));
  } catch (err) {
    throw new InputError(`${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  const file = checkModelFile(raw, jsonPath);
  const bin = await readOrExplain(binPath, dir);
  return { file, weights: unpackWeights(file, bin, jsonPath, binPath) };
}

function checkModelFile(raw: unknown, path: string): ModelFile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${path}: expected a JSON object`);
  const f = raw as Partial<ModelFile>;
  if (f.format !== MODEL_FORMAT) {
    throw new InputError(`${path}: field "format" is ${JSON.stringify(f.format)}, expected "${MODEL_FORMAT}" — not an ntc model directory`);
  }
  if (f.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new InputError(
      `${path}: field "formatVersion" is ${JSON.stringify(f.formatVersion)}, this ntc reads version ${MODEL_FORMAT_VERSION}; ` +
        'retrain the model with this version of ntc',
    );
  }
  try {
    validateSpec(f.spec as ModelSpec);
  } catch (err) {
    throw new InputError(`${path}: field "spec": ${(err as Error).message}`);
  }
  if (!Array.isArray(f.weights)) throw new InputError(`${path}: field "weights" must be a list`);
  if (f.extra !== undefined && (typeof f.extra !== 'object' || f.extra === null || Array.isArray(f.extra))) {
    throw new InputError(`${path}: field "extra" must be an object`);
  }
  return { ...(f as ModelFile), extra: f.extra ?? {} };
}

function packWeights(weights: NamedTensor[]): { manifest: WeightEntry[]; bytes: Uint8Array } {
  const total = weights.reduce((n, w) => n + w.values.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  const manifest: WeightEntry[] = [];
  let offset = 0;
  for (const w of weights) {
    manifest.push({ name: w.name, shape: [...w.shape], offset });
    for (let i = 0; i < w.values.length; i++, offset += 4) view.setFloat32(offset, w.values[i], true);
  }
  return { manifest, bytes };
}

function unpackWeights(file: ModelFile, bin: Buffer, jsonPath: string, binPath: string): NamedTensor[] {
  const expected = weightShapes(file.spec);
  if (file.weights.length !== expected.length) {
    throw new InputError(`${jsonPath}: field "weights" lists ${file.weights.length} arrays, the spec needs ${expected.length}`);
  }
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let offset = 0;
  const out = expected.map((e, i) => {
    const entry = file.weights[i];
    const where = `${jsonPath}: field "weights[${i}]"`;
    if (entry?.name !== e.name) throw new InputError(`${where}: name ${JSON.stringify(entry?.name)}, expected "${e.name}"`);
    if (!Array.isArray(entry.shape) || entry.shape.join('x') !== e.shape.join('x')) {
      throw new InputError(`${where} (${e.name}): shape ${JSON.stringify(entry.shape)} does not match the spec's [${e.shape}]`);
    }
    if (entry.offset !== offset) throw new InputError(`${where} (${e.name}): offset ${entry.offset}, expected ${offset}`);
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (offset + size * 4 > bin.byteLength) {
      throw new InputError(`${binPath}: ${bin.byteLength} bytes, too short for ${e.name} at byte ${offset} (truncated file?)`);
    }
    const values = new Float32Array(size);
    for (let k = 0; k < size; k++, offset += 4) {
      values[k] = view.getFloat32(offset, true);
      if (!Number.isFinite(values[k])) throw new InputError(`${binPath}: ${e.name}[${k}] is ${values[k]} (a diverged or corrupt model)`);
    }
    return { name: e.name, shape: e.shape, values };
  });
  if (offset !== bin.byteLength) throw new InputError(`${binPath}: ${bin.byteLength} bytes, expected ${offset} for the manifest's weights`);
  return out;
}

async function readOrExplain(path: string, dir: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${dir} is not a model directory: ${path} is missing`);
    throw new InputError(`${path}: cannot read (${(err as Error).message})`);
  }
}

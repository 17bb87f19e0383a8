/**
 * The contract between training/serving code and whatever computes the network. Everything
 * outside src/nn talks to a `SequenceModel`; the engine behind it (tfjs on WebAssembly today, a
 * hand-written WebAssembly LSTM later) can change without touching its callers.
 *
 * Data layout everywhere: batch-major, `x[(b * seqLen + t) * inputSize + i]`; `y` and `mask` are
 * `batch * seqLen`. The network predicts at every step.
 */

export type LossKind = 'crossentropy' | 'mse';

export interface ModelSpec {
  /** Feature columns per step. */
  inputSize: number;
  /** Steps per sequence (fixed; shorter sequences are padded and masked). */
  seqLen: number;
  /** Units of each stacked LSTM layer, input side first, e.g. [64, 32]. */
  layers: number[];
  /** Inverted-dropout rate after each LSTM layer, training only; 0 turns it off. */
  dropout: number;
  /**
   * `crossentropy`: number of classes (softmax per step). `mse`: must be 1 — one linear output
   * regressed on the encoded class index, as the replaced Keras project did.
   */
  outputs: number;
  /**
   * Number of classes. Required for `mse` (a prediction is rounded and clamped to
   * [0, classes)); for `crossentropy` it must equal `outputs` when given.
   */
  classes?: number;
  loss: LossKind;
  /** Per-class loss weight, indexed by class; all 1 when absent. */
  classWeights?: number[];
  /** Adam learning rate. */
  lr: number;
  /** Seeds weight initialisation and dropout. */
  seed: number;
}

/** A weight array with its name, e.g. `lstm1/kernel` [inputSize, 4 * units]. Row-major. */
export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface SequenceBatch {
  /** batch * seqLen * inputSize. */
  x: Float32Array;
  /** batch * seqLen encoded classes; -1 (or anything, when masked) at padding. */
  y: Int32Array;
  /** batch * seqLen, 1 for a real step, 0 for padding. */
  mask: Float32Array;
  batch: number;
}

/** Loss and accuracy over the real (unmasked) steps of one batch. */
export interface BatchResult {
  /** Mean over real steps of the (class-weighted) per-step loss. */
  loss: number;
  /** Real steps whose predicted class equals the target. */
  correct: number;
  /** Real steps in the batch. */
  steps: number;
}

export interface SequenceModel {
  readonly spec: ModelSpec;
  /** Which engine computes this model, for logs and model.json (e.g. `native`, `tfjs-wasm`). */
  readonly engine: string;
  /** Threads the engine computes a batch on. */
  readonly threads: number;
  /**
   * Whether predict({ background: true }) runs off the calling thread. Such an engine cuts a
   * background batch into workspace-sized chunks itself, so a caller may pass any number of
   * sequences at once; otherwise a batch's workspace grows with its size.
   */
  readonly predictsInBackground: boolean;
  /** One Adam step on the batch. The result describes the batch before the update (as Keras reports). */
  trainBatch(batch: SequenceBatch): Promise<BatchResult>;
  /** Loss and accuracy without dropout and without updating weights. */
  evaluateBatch(batch: SequenceBatch): Promise<BatchResult>;
  /**
   * Outputs at every step: batch * seqLen * outputs. Softmax probabilities for `crossentropy`,
   * the raw regression value for `mse`. Values at padded steps are unspecified (trailing padding
   * is not computed when `mask` is given); callers skip them.
   */
  predict(x: Float32Array, batch: number, mask?: Float32Array, options?: PredictOptions): Promise<Float32Array>;
  /**
   * Where predictsInBackground: the engine's own input arrays for a background predict of `batch`
   * sequences (x as predict takes it, its contents left as they were; mask zeroed). Filled and
   * passed to predict, they save copying the batch into the engine. Valid until the next call.
   */
  backgroundInput?(batch: number): { x: Float32Array; mask: Float32Array };
  /** Copies of all weights, in `weightShapes(spec)` order. */
  getWeights(): NamedTensor[];
  /** Replaces all weights; names and shapes must match `weightShapes(spec)`. */
  setWeights(weights: NamedTensor[]): void;
  dispose(): void;
}

export interface PredictOptions {
  /**
   * Leave the calling thread free while the batch runs: it runs on the engine's worker threads
   * only, where it has some, and the promise resolves when they are done. `x` and `mask` may be
   * reused as soon as predict returns its promise; no other call may be made on the model until
   * that promise settles. Engines without worker threads run the batch as usual (see
   * SequenceModel.predictsInBackground).
   */
  background?: boolean;
}

/** Number of classes the model distinguishes. */
export function classCount(spec: ModelSpec): number {
  return spec.classes ?? spec.outputs;
}

/** The predicted class of one step's outputs: argmax, or for `mse` the rounded value clamped to [0, classes). */
export function classOfOutput(spec: ModelSpec, out: Float32Array, offset: number): number {
  if (spec.loss === 'mse') {
    const classes = classCount(spec);
    const v = Math.round(out[offset]);
    return Math.min(classes - 1, Math.max(0, Number.isFinite(v) ? v : 0));
  }
  let best = 0;
  for (let k = 1; k < spec.outputs; k++) if (out[offset + k] > out[offset + best]) best = k;
  return best;
}

/**
 * Names and shapes of every weight, in a fixed order every engine uses. Gate order inside the
 * 4 * units columns is input, forget, cell, output — the Keras order, so weights can be compared
 * with a Keras model.
 */
export function weightShapes(spec: ModelSpec): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  let inSize = spec.inputSize;
  spec.layers.forEach((units, i) => {
    const p = `lstm${i + 1}`;
    out.push({ name: `${p}/kernel`, shape: [inSize, 4 * units] });
    out.push({ name: `${p}/recurrent_kernel`, shape: [units, 4 * units] });
    out.push({ name: `${p}/bias`, shape: [4 * units] });
    inSize = units;
  });
  out.push({ name: 'dense/kernel', shape: [inSize, spec.outputs] });
  out.push({ name: 'dense/bias', shape: [spec.outputs] });
  return out;
}

export function checkLength(name: string, a: { length: number }, expected: number): void {
  if (a.length !== expected) throw new Error(`${name} has ${a.length} values, expected ${expected}`);
}

/** Weights given to an engine must be weightShapes(spec), in order, with matching sizes. */
export function checkWeights(spec: ModelSpec, weights: NamedTensor[]): void {
  const expected = weightShapes(spec);
  if (weights.length !== expected.length) throw new Error(`expected ${expected.length} weight arrays, got ${weights.length}`);
  expected.forEach((e, i) => {
    const w = weights[i];
    if (w.name !== e.name || w.shape.join('x') !== e.shape.join('x')) {
      throw new Error(`weight ${i}: expected ${e.name} [${e.shape}], got ${w.name} [${w.shape}]`);
    }
    checkLength(w.name, w.values, e.shape.reduce((a, b) => a * b, 1));
  });
}

/** Throws a message naming the bad field; returns the spec for chaining. */
export function validateSpec(spec: ModelSpec): ModelSpec {
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  const fail = (field: string, why: string): never => {
    throw new Error(`invalid model spec: ${field} ${why}`);
  };
  if (!posInt(spec.inputSize)) fail('inputSize', `must be a positive integer, got ${spec.inputSize}`);
  if (!posInt(spec.seqLen)) fail('seqLen', `must be a positive integer, got ${spec.seqLen}`);
  if (!Array.isArray(spec.layers) || spec.layers.length === 0 || !spec.layers.every(posInt)) {
    fail('layers', `must be a non-empty list of positive integers, got ${JSON.stringify(spec.layers)}`);
  }
  if (!(spec.dropout >= 0 && spec.dropout < 1)) fail('dropout', `must be in [0, 1), got ${spec.dropout}`);
  if (spec.loss !== 'crossentropy' && spec.loss !== 'mse') fail('loss', `must be crossentropy or mse, got ${spec.loss}`);
  if (!posInt(spec.outputs)) fail('outputs', `must be a positive integer, got ${spec.outputs}`);
  if (spec.loss === 'mse' && spec.outputs !== 1) fail('outputs', `must be 1 for mse, got ${spec.outputs}`);
  if (spec.loss === 'crossentropy' && spec.outputs < 2) fail('outputs', `must be at least 2 classes, got ${spec.outputs}`);
  if (spec.loss === 'mse' && !(posInt(spec.classes) && spec.classes! >= 2)) fail('classes', `must be at least 2 for mse, got ${spec.classes}`);
  if (spec.loss === 'crossentropy' && spec.classes !== undefined && spec.classes !== spec.outputs) {
    fail('classes', `must equal outputs (${spec.outputs}) for crossentropy, got ${spec.classes}`);
  }
  if (spec.classWeights !== undefined) {
    if (!Array.isArray(spec.classWeights) || !spec.classWeights.every((w) => Number.isFinite(w) && w >= 0)) {
      fail('classWeights', 'must be a list of finite non-negative numbers');
    }
    if (spec.classWeights.length !== classCount(spec)) fail('classWeights', `must have one weight per class (${classCount(spec)}), got ${spec.classWeights.length}`);
  }
  if (!(spec.lr > 0 && Number.isFinite(spec.lr))) fail('lr', `must be a positive number, got ${spec.lr}`);
  if (!Number.isInteger(spec.seed)) fail('seed', `must be an integer, got ${spec.seed}`);
  return spec;
}

/** Builds a model on one engine: fresh (seeded) weights, or the given ones. */
export type EngineFactory = (spec: ModelSpec, weights?: NamedTensor[]) => Promise<SequenceModel>;

/**
 * `auto`, the default, is ntc's own engine (wasm-model.ts) on the native kernels where they were
 * built at install (src/nn/native, the CPU's full vector width), else on the WebAssembly kernels.
 * `tfjs` (also `tfjs-wasm`, its name in model.json) stays as the reference engine that the
 * others are tested against. See `npm run bench` for their speeds.
 */
export const DEFAULT_ENGINE = 'auto';

const loadTfjs = async (): Promise<EngineFactory> => (await import('./tfjs-model.js')).createTfjsModel;

/** Engines by name, loaded on first use (so an unused engine's dependencies are never imported). */
const engines = new Map<string, () => Promise<EngineFactory>>([
  ['wasm', async () => (await import('./wasm-model.js')).createWasmModel],
  ['native', async () => {
    const { createWasmModel } = await import('./wasm-model.js');
    return (spec, weights) => createWasmModel(spec, weights, { kernels: 'native' });
  }],
  ['auto', async () => {
    const { createWasmModel } = await import('./wasm-model.js');
    const { nativeModule } = await import('./native-kernels.js');
    const kernels = nativeModule() ? 'native' : 'wasm';
    return (spec, weights) => createWasmModel(spec, weights, { kernels });
  }],
  ['tfjs', loadTfjs],
  ['tfjs-wasm', loadTfjs],
]);

/** Process-wide choices of the command line (--engine, --threads), used where a caller names none. */
const runtime: { engine: string; threads?: number } = { engine: DEFAULT_ENGINE };

export function setEngineDefaults(opts: { engine?: string; threads?: number }): void {
  if (opts.engine !== undefined) {
    if (!engines.has(opts.engine)) throw new Error(`unknown model engine "${opts.engine}" (available: ${engineNames().join(', ')})`);
    runtime.engine = opts.engine;
  }
  if (opts.threads !== undefined) {
    if (!(Number.isInteger(opts.threads) && opts.threads >= 1)) throw new Error(`threads must be a positive integer, got ${opts.threads}`);
    runtime.threads = opts.threads;
  }
}

/** Threads an engine should use when its caller names none (undefined: the engine decides). */
export function defaultThreadCount(): number | undefined {
  return runtime.threads;
}

/** Makes another engine available to createModel/loadModel. */
export function registerEngine(name: string, load: () => Promise<EngineFactory>): void {
  engines.set(name, load);
}

export function engineNames(): string[] {
  return [...engines.keys()];
}

/** Creates a model: freshly initialised from `spec.seed`, or holding `weights`. */
export async function createModel(spec: ModelSpec, opts: { engine?: string; weights?: NamedTensor[] } = {}): Promise<SequenceModel> {
  validateSpec(spec);
  const name = opts.engine ?? runtime.engine;
  const load = engines.get(name);
  if (!load) throw new Error(`unknown model engine "${name}" (available: ${engineNames().join(', ')})`);
  return (await load())(spec, opts.weights);
}

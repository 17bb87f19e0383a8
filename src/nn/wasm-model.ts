import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UserError } from '../util/errors.js';
import {
  type BatchResult, type ModelSpec, type NamedTensor, type PredictOptions, type SequenceBatch, type SequenceModel,
  checkLength, checkWeights, classCount, defaultThreadCount, validateSpec, weightShapes,
} from './engine.js';
import { initialWeights } from './init.js';
import { countReal, needsCarry, realSpan } from './layout.js';
import { C, EXIT, resultView, writeJob } from './wasm-control.js';
import { type KernelKind, type LstmKernels, MAX_PAGES, createMemory, kernelModule, kernelsFor } from './wasm-kernels.js';
import { BULK_CHUNK_ROWS } from './wasm-bulk.js';
import { LstmPass, type MemoryPlan, type PassJob, PassMode, memoryPlan, mixSeed } from './wasm-pass.js';

/**
 * ntc's own engine: the same network, loss and Adam as the tfjs engine, computed by hand-written
 * kernels in one flat shared WebAssembly.Memory — the AssemblyScript build (src/nn/kernels,
 * 128-bit SIMD, engine `wasm`) or the same functions in C++ compiled for this CPU
 * (src/nn/native, engine `native`), which work on that memory through its base address.
 * A batch is cut into one share of rows per thread; the main thread computes the first share and
 * each worker thread one more, all reading the same weights. Weight gradients of the shares are
 * summed in a fixed order and Adam runs once, so a batch's update is the same for any thread
 * timing, and dropout masks are hashed from the row's position in the whole batch, so they do not
 * depend on the split either. (Float sums split differently by thread count may differ in the
 * last bits; the same seed and thread count give bit-identical weights.)
 */

/** Sequences per share below which a batch is not split (handing over costs more than it saves). */
const MIN_ROWS_PER_THREAD = 16;
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
/** tfjs's Adam epsilon for float32, so both engines take the same steps. */
const ADAM_EPSILON = 1e-7;
/** A worker that does not finish a job in this time is taken for dead. */
const WORKER_TIMEOUT_MS = 120_000;

export interface WasmModelOptions {
  /** WebAssembly kernels (default, portable) or the native build (engine `native`). */
  kernels?: KernelKind;
  /** Threads (main + workers); default --threads, else NTC_THREADS, else one per core up to 8. */
  threads?: number;
}

export function defaultThreads(): number {
  const chosen = defaultThreadCount();
  if (chosen !== undefined) return chosen;
  const env = Number(process.env.NTC_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  // One per core, up to 8: a batch is cut into shares of at least MIN_ROWS_PER_THREAD sequences,
  // so the default batch of 64 uses at most 4 anyway.
  return Math.max(1, Math.min(8, availableParallelism()));
}

export async function createWasmModel(spec: ModelSpec, weights?: NamedTensor[], options: WasmModelOptions = {}): Promise<WasmSequenceModel> {
  validateSpec(spec);
  const threads = options.threads ?? defaultThreads();
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`threads must be a positive integer, got ${threads}`);
  const kind = options.kernels ?? 'wasm';
  const memory = createMemory(1);
  const model = new WasmSequenceModel(spec, weights ?? initialWeights(spec), threads, kind, memory, await kernelsFor(kind, memory));
  await model.startWorkers();
  return model;
}

interface WorkerHandle {
  worker: Worker;
  ctrl: Int32Array;
  result: Float64Array;
  seq: number;
}

export class WasmSequenceModel implements SequenceModel {
  readonly engine: string;
  private plan: MemoryPlan;
  private mainPass: LstmPass;
  private readonly workers: WorkerHandle[] = [];
  private readonly mainResult = new Float64Array(2);
  private f32!: Float32Array;
  private i32!: Int32Array;
  private adamStep = 0;
  private batchCounter = 0;
  private disposed = false;
  /** A background predict is running on the workers. */
  private busy = false;

  constructor(
    readonly spec: ModelSpec, weights: NamedTensor[], readonly threads: number, private readonly kind: KernelKind,
    private readonly memory: WebAssembly.Memory, private readonly k: LstmKernels,
  ) {
    checkWeights(spec, weights);
    this.engine = kind;
    this.plan = memoryPlan(spec, threads, MIN_ROWS_PER_THREAD, this.k.heapBase());
    this.growTo(this.plan.end);
    this.refreshViews();
    this.mainPass = this.passFor(0);
    this.writeWeights(weights);
  }

  get predictsInBackground(): boolean {
    return this.workers.length > 0;
  }

  /** The kernel build in use: `native`, `lstm-simd` or `lstm-relaxed-simd`. */
  get kernelBuild(): string {
    return this.kind === 'native' ? 'native' : kernelModule().build;
  }

  /** Starts the worker threads side by side; each answers an empty first job once its kernels are compiled. */
  async startWorkers(): Promise<void> {
    const started: Promise<void>[] = [];
    for (let index = 1; index < this.threads; index++) {
      const control = new SharedArrayBuffer(C.SIZE * 4);
      const worker = new Worker(new URL('./wasm-worker.js', import.meta.url), {
        workerData: { memory: this.memory, control, spec: this.spec, threads: this.threads, index, kind: this.kind },
      });
      worker.unref();
      const ctrl = new Int32Array(control);
      this.workers.push({ worker, ctrl, result: resultView(ctrl), seq: 1 });
      writeJob(ctrl, { mode: PassMode.Evaluate, rows: 0, span: 0, carry: false, rowOffset: 0, batchRows: 0, scale: 0, dropoutSeed: 0 }, this.plan.threads[0].capacity, this.plan.bulk.rows);
      Atomics.store(ctrl, C.SEQ, 1);
      Atomics.notify(ctrl, C.SEQ);
      const t0 = Date.now();
      started.push(new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        const poll = (): void => {
          if (Atomics.load(ctrl, C.DONE) === 1) resolve();
          else if (Date.now() - t0 > WORKER_TIMEOUT_MS) reject(new Error(`wasm engine: worker ${index} did not start in ${WORKER_TIMEOUT_MS / 1000} s`));
          else setTimeout(poll, 2);
        };
        poll();
      }));
    }
    try {
      await Promise.all(started);
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  async trainBatch(batch: SequenceBatch): Promise<BatchResult> {
    return this.runBatch(batch, PassMode.Train);
  }

  async evaluateBatch(batch: SequenceBatch): Promise<BatchResult> {
    return this.runBatch(batch, PassMode.Evaluate);
  }

  async predict(x: Float32Array, batch: number, mask?: Float32Array, options?: PredictOptions): Promise<Float32Array> {
    this.checkAlive();
    const { spec } = this;
    checkLength('x', x, batch * spec.seqLen * spec.inputSize);
    if (mask) checkLength('mask', mask, batch * spec.seqLen);
    const out = new Float32Array(batch * spec.seqLen * spec.outputs);
    const span = mask ? realSpan(mask, batch, spec.seqLen) : spec.seqLen;
    if (span === 0 || batch === 0) return out;
    if (options?.background && this.workers.length > 0) return this.predictOnWorkers(x, batch, mask, out);
    const carry = mask ? needsCarry(mask, batch, spec.seqLen) : false;
    const shares = this.shares(batch);
    this.stageInputs(x);
    shares.forEach((s, i) => this.upload(i, s, undefined, mask, span, carry));
    this.runShares(shares, { mode: PassMode.Predict, span, carry, batchRows: batch, scale: 0, dropoutSeed: 0 });
    const K = spec.outputs;
    shares.forEach((s, i) => {
      const base = this.plan.threads[i].logits / 4;
      for (let t = 0; t < span; t++) {
        for (let r = 0; r < s.rows; r++) {
          const src = base + (t * s.rows + r) * K;
          const dst = ((s.first + r) * spec.seqLen + t) * K;
          for (let j = 0; j < K; j++) out[dst + j] = this.f32[src + j];
        }
      }
    });
    return out;
  }

  backgroundInput(batch: number): { x: Float32Array; mask: Float32Array } {
    this.checkAlive();
    const { spec } = this;
    this.planBackground(batch);
    const { bulk } = this.plan;
    const x = new Float32Array(this.memory.buffer, bulk.x, batch * spec.seqLen * spec.inputSize);
    const mask = new Float32Array(this.memory.buffer, bulk.mask, batch * spec.seqLen).fill(0);
    return { x, mask };
  }

  /**
   * Sizes the plan for a background batch (so that backgroundInput's arrays stay where predict
   * looks for them); returns the rows per worker.
   */
  private planBackground(batch: number): number {
    const used = Math.max(1, Math.min(this.workers.length, Math.floor(batch / MIN_ROWS_PER_THREAD)));
    const per = Math.ceil(batch / used);
    this.ensurePlan(Math.min(per, BULK_CHUNK_ROWS), batch);
    return per;
  }

  private isView(a: Float32Array, offset: number): boolean {
    return a.buffer === this.memory.buffer && a.byteOffset === offset;
  }

  /**
   * The background predict: the whole batch into the bulk areas, one share per worker, each
   * worker runs its share in chunks (wasm-bulk.ts); this thread waits without blocking.
   */
  private async predictOnWorkers(x: Float32Array, batch: number, mask: Float32Array | undefined, out: Float32Array): Promise<Float32Array> {
    const { spec } = this;
    const S = spec.seqLen;
    const per = this.planBackground(batch);
    const { bulk } = this.plan;
    // Arrays from backgroundInput are in place already.
    if (!this.isView(x, bulk.x)) this.f32.set(x, bulk.x / 4);
    if (!mask) this.f32.fill(1, bulk.mask / 4, bulk.mask / 4 + batch * S);
    else if (!this.isView(mask, bulk.mask)) this.f32.set(mask, bulk.mask / 4);
    const started: WorkerHandle[] = [];
    for (let first = 0, i = 0; first < batch; first += per, i++) {
      const w = this.workers[i];
      this.post(w, { mode: PassMode.PredictBulk, rows: Math.min(per, batch - first), rowOffset: first, span: S, carry: false, batchRows: batch, scale: 0, dropoutSeed: 0 });
      started.push(w);
    }
    this.busy = true;
    // A pending waitAsync does not keep Node's event loop alive (and the workers are unref'ed).
    const keepAlive = setInterval(() => undefined, WORKER_TIMEOUT_MS);
    try {
      // Busy until the promise settles, even when the workers finish before this thread looks.
      await Promise.resolve();
      for (const [i, w] of started.entries()) {
        const t0 = Date.now();
        for (let d; (d = this.stillRunning(w, i + 1, t0)) !== null;) {
          const wait = Atomics.waitAsync(w.ctrl, C.DONE, d, 1000);
          if (wait.async) await wait.value;
        }
      }
    } finally {
      clearInterval(keepAlive);
      this.busy = false;
    }
    out.set(this.f32.subarray(bulk.out / 4, bulk.out / 4 + out.length));
    return out;
  }

  /** Gradient of the loss (without dropout) with respect to every weight; for gradient checks. */
  lossGradients(batch: SequenceBatch): NamedTensor[] {
    this.runBatch(batch, PassMode.Gradients);
    this.reduceGradients();
    return this.readTensors(this.plan.params.grads[0]);
  }

  getWeights(): NamedTensor[] {
    this.checkAlive();
    return this.readTensors(this.plan.params.weights);
  }

  /** Replaces the weights; Adam's moment estimates are kept (used to restore the best epoch). */
  setWeights(weights: NamedTensor[]): void {
    this.checkAlive();
    checkWeights(this.spec, weights);
    this.writeWeights(weights);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const w of this.workers) {
      w.ctrl[C.MODE] = EXIT;
      Atomics.add(w.ctrl, C.SEQ, 1);
      Atomics.notify(w.ctrl, C.SEQ);
      void w.worker.terminate();
    }
  }

  private runBatch(batch: SequenceBatch, mode: PassMode): BatchResult {
    this.checkAlive();
    const { spec } = this;
    const n = batch.batch;
    checkLength('x', batch.x, n * spec.seqLen * spec.inputSize);
    checkLength('y', batch.y, n * spec.seqLen);
    checkLength('mask', batch.mask, n * spec.seqLen);
    const steps = countReal(batch.mask);
    if (steps === 0) return { loss: 0, correct: 0, steps: 0 };
    const span = realSpan(batch.mask, n, spec.seqLen);
    const carry = needsCarry(batch.mask, n, spec.seqLen);
    const shares = this.shares(n);
    this.stageInputs(batch.x);
    shares.forEach((s, i) => this.upload(i, s, batch.y, batch.mask, span, carry));
    const dropoutSeed = mode === PassMode.Train ? mixSeed(spec.seed ^ 0x5eed, this.batchCounter++) : 0;
    const sums = this.runShares(shares, { mode, span, carry, batchRows: n, scale: 1 / steps, dropoutSeed });
    if (mode === PassMode.Train) {
      this.reduceGradients();
      this.adamStep++;
      const p = this.plan.params;
      this.k.adam(p.weights, p.grads[0], p.m, p.v, p.count, spec.lr, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON,
        1 - ADAM_BETA1 ** this.adamStep, 1 - ADAM_BETA2 ** this.adamStep);
    }
    return { loss: sums[0] / steps, correct: sums[1], steps };
  }

  /** Rows per thread: equal shares, none smaller than MIN_ROWS_PER_THREAD (so small batches stay on one thread). */
  private shares(batch: number): { first: number; rows: number }[] {
    const used = Math.max(1, Math.min(this.threads, Math.floor(batch / MIN_ROWS_PER_THREAD)));
    const per = Math.ceil(batch / used);
    this.ensureCapacity(per);
    const out: { first: number; rows: number }[] = [];
    for (let first = 0; first < batch; first += per) out.push({ first, rows: Math.min(per, batch - first) });
    return out;
  }

  private runShares(shares: { first: number; rows: number }[], common: Omit<PassJob, 'rows' | 'rowOffset'>): [number, number] {
    for (let i = 1; i < shares.length; i++) this.post(this.workers[i - 1], { ...common, rows: shares[i].rows, rowOffset: shares[i].first });
    this.mainPass.run({ ...common, rows: shares[0].rows, rowOffset: 0 }, this.mainResult);
    let loss = this.mainResult[0];
    let correct = this.mainResult[1];
    for (let i = 1; i < shares.length; i++) {
      const w = this.workers[i - 1];
      const t0 = Date.now();
      for (let d; (d = this.stillRunning(w, i, t0)) !== null;) Atomics.wait(w.ctrl, C.DONE, d, 1000);
      if (common.mode !== PassMode.Predict) {
        loss += w.result[0];
        correct += w.result[1];
      }
    }
    return [loss, correct];
  }

  /** Hands `job` to worker `w` (it runs it on the current memory plan). */
  private post(w: WorkerHandle, job: PassJob): void {
    writeJob(w.ctrl, job, this.plan.threads[0].capacity, this.plan.bulk.rows);
    w.ctrl[C.FAILED] = 0;
    w.seq++;
    Atomics.store(w.ctrl, C.SEQ, w.seq);
    Atomics.notify(w.ctrl, C.SEQ);
  }

  /**
   * The value of worker `w`'s DONE word to wait on while its job runs, or null once it is done;
   * throws when it failed or has run past the timeout since `t0`.
   */
  private stillRunning(w: WorkerHandle, index: number, t0: number): number | null {
    const done = Atomics.load(w.ctrl, C.DONE);
    if (done === w.seq) {
      if (w.ctrl[C.FAILED]) throw new Error(`wasm engine: worker ${index} failed (its error is on stderr)`);
      return null;
    }
    if (Date.now() - t0 > WORKER_TIMEOUT_MS) throw new Error(`wasm engine: worker ${index} did not finish its share in ${WORKER_TIMEOUT_MS / 1000} s`);
    return done;
  }

  /** Sums every thread's weight gradients into the first copy, always in thread order. */
  private reduceGradients(): void {
    const p = this.plan.params;
    for (let i = 1; i < this.threads; i++) this.k.addInto(p.grads[i], p.grads[0], p.count);
  }

  /** The batch's inputs, as given (batch-major), into the staging area: one copy. */
  private stageInputs(x: Float32Array): void {
    this.f32.set(x, this.plan.stage / 4);
  }

  /**
   * Lays one share's rows out time-major in its thread's workspace: inputs (from the staging
   * area); targets (-1 at padding) and loss weights (class weight x mask) when `y` is given, else
   * -1 and 0; the mask rows when padding precedes a real step.
   */
  private upload(thread: number, share: { first: number; rows: number }, y: Int32Array | undefined, mask: Float32Array | undefined, span: number, carry: boolean): void {
    const { spec, f32, i32 } = this;
    const plan = this.plan.threads[thread];
    const S = spec.seqLen;
    const R = share.rows;
    const cw = spec.classWeights;
    const classes = classCount(spec);
    this.k.toTimeMajor(this.plan.stage + share.first * S * spec.inputSize * 4, R, S, span, spec.inputSize, plan.x);
    const yb = plan.y / 4;
    const wb = plan.w / 4;
    const mb = plan.mask / 4;
    for (let t = 0; t < span; t++) {
      for (let r = 0; r < R; r++) {
        const b = share.first + r;
        const m = mask ? mask[b * S + t] : 1;
        const row = t * R + r;
        if (y && m !== 0) {
          const cls = y[b * S + t];
          if (!(cls >= 0 && cls < classes)) throw new Error(`target class ${cls} at sequence ${b}, step ${t} is outside 0..${classes - 1}`);
          i32[yb + row] = cls;
          f32[wb + row] = m * (cw ? cw[cls] : 1);
        } else {
          i32[yb + row] = -1;
          f32[wb + row] = 0;
        }
        if (carry) f32[mb + row] = m;
      }
    }
  }

  private ensureCapacity(rows: number): void {
    this.ensurePlan(rows, 0);
  }

  /** Workspaces of at least `rows` rows each, and bulk areas of at least `bulkRows` rows. */
  private ensurePlan(rows: number, bulkRows: number): void {
    const have = this.plan.threads[0].capacity;
    const haveBulk = this.plan.bulk.rows;
    if (rows <= have && bulkRows <= haveBulk) return;
    // Grow in steps of 2x, so a stream of growing batches re-plans only a few times.
    const capacity = rows <= have ? have : Math.max(rows, 2 * have);
    const bulk = bulkRows <= haveBulk ? haveBulk : Math.max(bulkRows, 2 * haveBulk);
    let plan = memoryPlan(this.spec, this.threads, capacity, this.k.heapBase(), bulk);
    if (plan.end > MAX_PAGES * 65536) plan = memoryPlan(this.spec, this.threads, Math.max(rows, have), this.k.heapBase(), Math.max(bulkRows, haveBulk));
    if (plan.end > MAX_PAGES * 65536) {
      throw new UserError(`a batch of ${Math.max(rows * this.threads, bulkRows)} sequences needs ${Math.ceil(plan.end / 2 ** 20)} MiB of engine memory, ` +
        `more than its ${MAX_PAGES / 16} MiB: use a smaller --batch-size`);
    }
    this.growTo(plan.end);
    this.plan = plan;
    this.refreshViews();
    this.mainPass = this.passFor(0);
  }

  private growTo(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  private passFor(thread: number): LstmPass {
    return new LstmPass(this.k, this.memory, this.spec, this.plan.params, this.plan.threads[thread], this.plan.params.grads[thread]);
  }

  private refreshViews(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  private readTensors(base: number): NamedTensor[] {
    const p = this.plan.params;
    return weightShapes(this.spec).map(({ name, shape }, i) => ({
      name, shape, values: this.f32.slice((base + p.offsets[i]) / 4, (base + p.offsets[i]) / 4 + p.sizes[i]),
    }));
  }

  private writeWeights(weights: NamedTensor[]): void {
    const p = this.plan.params;
    weights.forEach((w, i) => this.f32.set(w.values, (p.weights + p.offsets[i]) / 4));
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('model used after dispose()');
    if (this.busy) throw new Error('model used while a background predict is running (await its promise first)');
  }
}

/**
 * Classifies a stream of flow batches with a trained model, judging each flow as `ntc evaluate`
 * judges it in the whole file: the same features (per-source context carried across batches in a
 * SourceContextStore) and the same per-source windows (SourceWindows). Memory stays flat on an
 * endless stream: sources silent for longer than the idle times are forgotten.
 */
import { SourceContextStore, timeOrder, transformFlows, type Preprocessor } from '../features/index.js';
import type { FlowDataset } from '../flows/schema.js';
import { classOfOutput, type SequenceModel } from '../nn/engine.js';
import { sequenceSpans } from '../train/batching.js';
import type { FlowPredictions } from '../train/predict.js';
import { RowTable, SourceWindows, WINDOW_BUFFER_SETS, type WindowBatch } from './source-windows.js';

export interface StreamClassifierOptions {
  /**
   * Seconds of silence after which a source's open window is dropped (its next flow starts a new
   * window). Default: the preprocessor's contextIdleSeconds. The context features always use
   * contextIdleSeconds, so they stay identical to batch whatever this is.
   */
  idleSeconds?: number;
  /** Sequences per model call (default 512, as ntc evaluate). */
  batchSize?: number;
  /**
   * Leave windows still open at the end of a batch for the next batch to run with its flows,
   * instead of running them now and their flows again in the next batch (see SourceWindows.assign).
   * Saves most re-run steps, but a batch's results come out with the next batch (or `finish`).
   */
  deferOpenWindows?: boolean;
}

export interface StreamStats {
  /** Flows classified so far. */
  flows: number;
  /** Prefix steps run again (a window spanned two batches and was run in both). */
  prefixSteps: number;
  /** Flows whose window was deferred: their output came with the next batch. */
  deferredFlows: number;
  /** Sources whose window or context is kept now. */
  openWindows: number;
  openContexts: number;
}

/** A batch with the predictions of all its rows (`pred` row i belongs to `ds` row i). */
export interface ClassifiedBatch {
  ds: FlowDataset;
  pred: FlowPredictions;
}

export class StreamClassifier {
  private readonly contexts: SourceContextStore;
  private readonly windows: SourceWindows;
  private readonly batchSize: number;
  private readonly defer: boolean;
  /** The last batch, while some of its rows wait for the next batch's model run. */
  private held: ClassifiedBatch | null = null;
  /** 0, 1, 2, ...: the rows of a batch, all of which are classified. */
  private allRows = new Uint32Array(0);
  private readonly xBuffers = [new Float32Array(0), new Float32Array(0)];
  private readonly maskBuffers = [new Float32Array(0), new Float32Array(0)];
  /**
   * Feature matrices of finished batches, for the next batches to write into: a fresh matrix per
   * batch (16 MB for 131,072 flows) cost page faults and garbage collections on this thread.
   */
  private readonly featureBuffers: Float32Array[] = [];
  private readonly stepOfRow = new RowTable();
  /** Settles when the last batch given to classify or finish is done (never rejects). */
  private last: Promise<void> = Promise.resolve();
  /** The same for the batches before it still running, oldest first. */
  private running: Promise<void>[] = [];
  readonly stats: StreamStats = { flows: 0, prefixSteps: 0, deferredFlows: 0, openWindows: 0, openContexts: 0 };

  constructor(
    private readonly model: SequenceModel,
    readonly preprocessor: Preprocessor,
    opts: StreamClassifierOptions = {},
  ) {
    const idle = opts.idleSeconds ?? preprocessor.options.contextIdleSeconds;
    this.contexts = new SourceContextStore(preprocessor.options.contextIdleSeconds);
    this.windows = new SourceWindows(model.spec.seqLen, preprocessor.names.length, idle);
    this.batchSize = opts.batchSize ?? 512;
    this.defer = opts.deferOpenWindows ?? false;
  }

  /**
   * Classifies `ds` and returns the batches now complete, in stream order: `ds` itself, unless
   * windows are deferred, in which case `ds` comes back from the next call (or from `finish`).
   * Sources are matched across batches by address text, so batches may bring other dictionaries.
   */
  async classify(ds: FlowDataset): Promise<ClassifiedBatch[]> {
    // Window buffers are reused: the batch that used this one's last time must be done.
    while (this.running.length >= WINDOW_BUFFER_SETS - 1) await this.running.shift();
    const n = ds.length;
    const { start, srcAddr } = ds.columns;
    const minStart = earliest(start, n);
    if (n > 0) {
      // Nothing at or after minStart can still need a source idle since before it.
      this.contexts.evictIdle(minStart);
      this.windows.evictIdle(minStart);
    }
    if (this.allRows.length < n) this.allRows = Uint32Array.from({ length: n }, (_, i) => i);
    const all = this.allRows.subarray(0, n);
    const cols = this.preprocessor.names.length;
    const buffer = this.featureBuffer(n * cols);
    const order = timeOrder(ds, all);
    const features = transformFlows(this.preprocessor, ds, all, { contexts: this.contexts, into: buffer, timeOrder: order });
    const wb = this.windows.assign(srcAddr, start, features.data, order, this.defer);
    return this.enqueue(async () => {
      const done = await this.complete({ ds, pred: this.emptyPredictions(n) }, wb, features.data, features.cols);
      // The windows have gathered (and open ones copied) what they need of it.
      this.featureBuffers.push(buffer);
      return done;
    });
  }

  /** A feature buffer of at least `size` values: a finished batch's, unless all are too small. */
  private featureBuffer(size: number): Float32Array {
    let b = this.featureBuffers.pop();
    while (b && b.length < size) b = this.featureBuffers.pop();
    return b ?? new Float32Array(size);
  }

  /** Whether the last batch is held back for the next one (see `finish`). */
  get owing(): boolean {
    return this.held !== null || this.windows.owing;
  }

  /**
   * Runs what deferred windows still owe; returns the last batch, if it was held back. The stream
   * may go on after it (a live feed that paused).
   */
  async finish(): Promise<ClassifiedBatch[]> {
    await this.last;
    this.running = [];
    if (!this.held) return [];
    const wb = this.windows.assign({ codes: [], values: [] }, [], NO_FEATURES, [], false);
    return this.enqueue(() => this.complete(null, wb, NO_FEATURES, this.preprocessor.names.length));
  }

  /**
   * Runs `work` (a batch's model run) after the batches before it. The caller may assign the next
   * batch meanwhile: one batch's windows run on the engine's worker threads while the next batch's
   * features and windows are computed here.
   */
  private enqueue(work: () => Promise<ClassifiedBatch[]>): Promise<ClassifiedBatch[]> {
    const done = this.last.then(work);
    const settled = done.then(() => undefined, () => undefined);
    this.running.push(settled);
    this.last = settled;
    return done;
  }

  private async complete(current: ClassifiedBatch | null, wb: WindowBatch, features: Float32Array, cols: number): Promise<ClassifiedBatch[]> {
    await this.predictWindows(wb, features, cols, current?.pred ?? this.emptyPredictions(0), this.held?.pred);
    const done: ClassifiedBatch[] = [];
    if (this.held) done.push(this.held);
    this.held = null;
    this.stats.deferredFlows += wb.deferredRows;
    if (current && wb.deferredRows > 0) this.held = current;
    else if (current) done.push(current);
    for (const b of done) this.stats.flows += b.ds.length;
    this.stats.openWindows = this.windows.size;
    this.stats.openContexts = this.contexts.size;
    return done;
  }

  private emptyPredictions(n: number): FlowPredictions {
    const k = this.model.spec.outputs;
    return { classOf: new Int32Array(n).fill(-1), prob: new Float32Array(n * k), outputs: k };
  }

  /**
   * Runs the model over the batch's windows that are due and gives each flow the output of its own
   * step: batch rows into `pred`, prefix rows of deferred windows into `held` (the previous batch),
   * other prefix rows (re-run only to rebuild state) nowhere. Windows do not overlap, so every flow
   * gets exactly one output. Windows go to the model shortest first, in model batches of
   * `batchSize`, as predictSequences orders them, so the engine skips the padding of short windows.
   */
  private async predictWindows(wb: WindowBatch, features: Float32Array, cols: number, pred: FlowPredictions, held: FlowPredictions | undefined): Promise<void> {
    const { seqLen } = wb;
    const spans = sequenceSpans(wb);
    dropDeferred(spans, wb.run, wb.count);
    const order = byLength(spans, seqLen);
    let first = firstNonEmpty(order, spans);
    // An engine that predicts in the background takes all windows at once and runs them on its
    // worker threads while this thread goes on with other batches. Otherwise, while the engine
    // runs one model batch, the next one's input is gathered here.
    const size = this.model.predictsInBackground ? order.length : this.batchSize;
    let running: { ids: Uint32Array; out: Promise<Float32Array> } | null = null;
    for (let call = 0; first < order.length; first += size, call++) {
      const ids = order.subarray(first, Math.min(order.length, first + size));
      const { x, mask } = this.model.predictsInBackground && this.model.backgroundInput ? this.model.backgroundInput(ids.length) : this.modelInput(call & 1, ids.length * seqLen, cols);
      gatherInputs(wb, spans, ids, features, cols, x, mask, pred.classOf.length, this.stepOfRow);
      if (running) this.scatterOutputs(wb, spans, running.ids, await running.out, pred, held);
      running = { ids, out: this.model.predict(x, ids.length, mask, { background: true }) };
    }
    if (running) this.scatterOutputs(wb, spans, running.ids, await running.out, pred, held);
  }

  /**
   * Gives each step's output to its flow: batch rows into `pred`, prefix rows of deferred windows
   * into `held` (the previous batch), other prefix rows (re-run only to rebuild state) nowhere.
   */
  private scatterOutputs(wb: WindowBatch, spans: Uint16Array, ids: Uint32Array, out: Float32Array, pred: FlowPredictions, held: FlowPredictions | undefined): void {
    const { spec } = this.model;
    const { seqLen, rowIndex, prefixOrigin } = wb;
    const n = pred.classOf.length;
    const k = spec.outputs;
    for (let b = 0; b < ids.length; b++) {
      const s = ids[b];
      for (let t = 0; t < spans[s]; t++) {
        const r = rowIndex[s * seqLen + t];
        if (r < 0) continue;
        let to = pred;
        let row = r;
        if (r >= n) {
          row = prefixOrigin[r - n];
          if (row < 0 || held === undefined) {
            this.stats.prefixSteps++;
            continue;
          }
          to = held;
        }
        const off = (b * seqLen + t) * k;
        for (let j = 0; j < k; j++) to.prob[row * k + j] = out[off + j];
        to.classOf[row] = classOfOutput(spec, out, off);
      }
    }
  }

  /**
   * Input arrays for one model call, cut from buffers kept across calls (a fresh megabyte per call
   * cost more in page faults than the copying into it; they grow by half again, so a slowly growing
   * batch does not reallocate every time). Two sets, used in turn, since the next call's input is
   * gathered while the engine still runs the last one. The mask is zeroed; inputs at padded steps
   * are left as they are: the engine's outputs there are unspecified anyway, and a step's inputs
   * reach only its own sequence's later steps.
   */
  private modelInput(set: number, steps: number, cols: number): { x: Float32Array; mask: Float32Array } {
    if (this.maskBuffers[set].length < steps) {
      const size = Math.max(steps, Math.floor(this.maskBuffers[set].length * 1.5));
      this.maskBuffers[set] = new Float32Array(size);
      this.xBuffers[set] = new Float32Array(size * cols);
    }
    const x = this.xBuffers[set].subarray(0, steps * cols);
    const mask = this.maskBuffers[set].subarray(0, steps);
    mask.fill(0);
    return { x, mask };
  }
}

/** The model input of sequences `ids` (in that order): features of each real step, mask 1 there. */
function gatherInputs(wb: WindowBatch, spans: Uint16Array, ids: Uint32Array, features: Float32Array, cols: number, x: Float32Array, mask: Float32Array, n: number, dest: RowTable): void {
  if (ids.length * wb.seqLen * 2 >= n) scatterRows(wb, spans, ids, features, cols, x, mask, n, dest);
  else gatherSteps(wb, spans, ids, features, cols, x, mask, n);
}

/** gatherInputs for a few sequences: step by step, each step's row read from wherever it is. */
function gatherSteps(wb: WindowBatch, spans: Uint16Array, ids: Uint32Array, features: Float32Array, cols: number, x: Float32Array, mask: Float32Array, n: number): void {
  const { seqLen, rowIndex } = wb;
  for (let b = 0; b < ids.length; b++) {
    const s = ids[b];
    for (let t = 0; t < spans[s]; t++) {
      const r = rowIndex[s * seqLen + t];
      if (r < 0) continue;
      const step = b * seqLen + t;
      const src = r < n ? features : wb.prefix;
      const from = (r < n ? r : r - n) * cols;
      const to = step * cols;
      for (let j = 0; j < cols; j++) x[to + j] = src[from + j];
      mask[step] = 1;
    }
  }
}

/**
 * gatherInputs for most of a batch: the step of every row first, then the rows in row order, each
 * copied to its step. A source's flows lie scattered over the batch, so reading them step by step
 * missed the cache on nearly every row; reading in order and writing scattered is ~2.5x faster.
 */
function scatterRows(wb: WindowBatch, spans: Uint16Array, ids: Uint32Array, features: Float32Array, cols: number, x: Float32Array, mask: Float32Array, n: number, dest: RowTable): void {
  const { seqLen, rowIndex, prefix, prefixRows } = wb;
  const stepOf = dest.size(n + prefixRows);
  for (let b = 0; b < ids.length; b++) {
    const s = ids[b];
    for (let t = 0; t < spans[s]; t++) {
      const r = rowIndex[s * seqLen + t];
      if (r >= 0) stepOf[r] = b * seqLen + t;
    }
  }
  copyToSteps(features, 0, n, stepOf, cols, x, mask);
  copyToSteps(prefix, n, prefixRows, stepOf, cols, x, mask);
}

/** Rows 0..count-1 of `src`, which are rows first.. of the batch, to their steps (-1: none). */
function copyToSteps(src: Float32Array, first: number, count: number, stepOf: Int32Array, cols: number, x: Float32Array, mask: Float32Array): void {
  for (let r = 0; r < count; r++) {
    const step = stepOf[first + r];
    if (step < 0) continue;
    const from = r * cols;
    const to = step * cols;
    for (let j = 0; j < cols; j++) x[to + j] = src[from + j];
    mask[step] = 1;
  }
}


const NO_FEATURES = new Float32Array(0);

// The loops below are functions of their own so that the compiler optimizes each alone; compiled
// mid-loop along with the rest of their caller on the first batch, they made the caller's later
// code (not run yet) undo that optimization batch after batch.

/** The smallest of `start[0..n)` (Infinity for none). */
function earliest(start: Float64Array, n: number): number {
  let min = Infinity;
  for (let i = 0; i < n; i++) if (start[i] < min) min = start[i];
  return min;
}

/** Position in `order` of the first sequence with steps to run (they come shortest first). */
function firstNonEmpty(order: Uint32Array, spans: Uint16Array): number {
  let first = 0;
  while (first < order.length && spans[order[first]] === 0) first++;
  return first;
}

/** Zero spans for the windows deferred to the next batch (`run[s] === 0`): nothing of them runs now. */
function dropDeferred(spans: Uint16Array, run: Uint8Array, count: number): void {
  for (let s = 0; s < count; s++) if (run[s] === 0) spans[s] = 0;
}

/** Sequence ids by span, shortest first, ties by id (a counting sort: spans are at most seqLen). */
function byLength(spans: Uint16Array, seqLen: number): Uint32Array {
  const starts = new Uint32Array(seqLen + 2);
  for (let s = 0; s < spans.length; s++) starts[spans[s] + 1]++;
  for (let l = 1; l <= seqLen + 1; l++) starts[l] += starts[l - 1];
  const order = new Uint32Array(spans.length);
  for (let s = 0; s < spans.length; s++) order[starts[spans[s]]++] = s;
  return order;
}

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
import { SourceWindows, type WindowBatch } from './source-windows.js';

export interface StreamClassifierOptions {
  /**
   * Seconds of silence after which a source's open window is dropped (its next flow starts a new
   * window). Default: the preprocessor's contextIdleSeconds. The context features always use
   * contextIdleSeconds, so they stay identical to batch whatever this is.
   */
  idleSeconds?: number;
  /** Sequences per model call (default 512, as ntc evaluate). */
  batchSize?: number;
}

export interface StreamStats {
  /** Flows classified so far. */
  flows: number;
  /** Prefix steps run again because a window spanned two batches. */
  prefixSteps: number;
  /** Sources whose window or context is kept now. */
  openWindows: number;
  openContexts: number;
}

export class StreamClassifier {
  private readonly contexts: SourceContextStore;
  private readonly windows: SourceWindows;
  private readonly batchSize: number;
  private xBuffer = new Float32Array(0);
  private maskBuffer = new Float32Array(0);
  readonly stats: StreamStats = { flows: 0, prefixSteps: 0, openWindows: 0, openContexts: 0 };

  constructor(
    private readonly model: SequenceModel,
    readonly preprocessor: Preprocessor,
    opts: StreamClassifierOptions = {},
  ) {
    const idle = opts.idleSeconds ?? preprocessor.options.contextIdleSeconds;
    this.contexts = new SourceContextStore(preprocessor.options.contextIdleSeconds);
    this.windows = new SourceWindows(model.spec.seqLen, preprocessor.names.length, idle);
    this.batchSize = opts.batchSize ?? 512;
  }

  /**
   * Predictions for every row of `ds`, in row order. Sources are matched across batches by address
   * text, so consecutive batches may come with different dictionaries.
   */
  async classify(ds: FlowDataset): Promise<FlowPredictions> {
    const n = ds.length;
    const { start, srcAddr } = ds.columns;
    let minStart = Infinity;
    for (let i = 0; i < n; i++) if (start[i] < minStart) minStart = start[i];
    if (n > 0) {
      // Nothing at or after minStart can still need a source idle since before it.
      this.contexts.evictIdle(minStart);
      this.windows.evictIdle(minStart);
    }
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    const features = transformFlows(this.preprocessor, ds, all, { contexts: this.contexts });
    const sources = new Array<string>(n);
    for (let i = 0; i < n; i++) sources[i] = srcAddr.values[srcAddr.codes[i]];
    const wb = this.windows.assign(sources, start, features.data, timeOrder(ds, all));
    const pred = await this.predictWindows(wb, features.data, features.cols, n);
    this.stats.flows += n;
    this.stats.prefixSteps += wb.prefixRows;
    this.stats.openWindows = this.windows.size;
    this.stats.openContexts = this.contexts.size;
    return pred;
  }

  /**
   * Runs the model over the batch's windows and gives each flow the output of its own step. Windows
   * do not overlap, so every flow sits at exactly one step (prefix rows' outputs are dropped).
   * Windows go to the model shortest first, in model batches of `batchSize`, as predictSequences
   * orders them, so the engine skips the padding of short windows.
   */
  private async predictWindows(wb: WindowBatch, features: Float32Array, cols: number, n: number): Promise<FlowPredictions> {
    const { spec } = this.model;
    const { seqLen, rowIndex } = wb;
    const k = spec.outputs;
    const classOf = new Int32Array(n).fill(-1);
    const prob = new Float32Array(n * k);
    const spans = sequenceSpans(wb);
    const order = byLength(spans, seqLen);
    for (let first = 0; first < order.length; first += this.batchSize) {
      const ids = order.subarray(first, Math.min(order.length, first + this.batchSize));
      const { x, mask } = this.modelInput(ids.length * seqLen, cols);
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
      const out = await this.model.predict(x, ids.length, mask);
      for (let b = 0; b < ids.length; b++) {
        const s = ids[b];
        for (let t = 0; t < spans[s]; t++) {
          const r = rowIndex[s * seqLen + t];
          if (r < 0 || r >= n) continue;
          const off = (b * seqLen + t) * k;
          for (let j = 0; j < k; j++) prob[r * k + j] = out[off + j];
          classOf[r] = classOfOutput(spec, out, off);
        }
      }
    }
    return { classOf, prob, outputs: k };
  }

  /**
   * Zeroed input arrays for one model call, cut from buffers kept across calls: a fresh megabyte per
   * call cost more in page faults than the copying into it. The model has finished with its input
   * when predict resolves, so the next call may overwrite it.
   */
  private modelInput(steps: number, cols: number): { x: Float32Array; mask: Float32Array } {
    if (this.maskBuffer.length < steps || this.xBuffer.length < steps * cols) {
      this.maskBuffer = new Float32Array(steps);
      this.xBuffer = new Float32Array(steps * cols);
    }
    const x = this.xBuffer.subarray(0, steps * cols);
    const mask = this.maskBuffer.subarray(0, steps);
    x.fill(0);
    mask.fill(0);
    return { x, mask };
  }
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

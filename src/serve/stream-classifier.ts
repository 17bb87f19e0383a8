/**
 * Classifies a stream of flow batches with a trained model, judging each flow as `ntc evaluate`
 * judges it in the whole file: the same features (per-source context carried across batches in a
 * SourceContextStore) and the same per-source windows (SourceWindows). Memory stays flat on an
 * endless stream: sources silent for longer than the idle times are forgotten.
 */
import { SourceContextStore, timeOrder, transformFlows, type Preprocessor } from '../features/index.js';
import type { FlowDataset } from '../flows/schema.js';
import type { SequenceModel } from '../nn/engine.js';
import { predictSequences, type FlowPredictions } from '../train/predict.js';
import { sequenceSource } from '../train/source.js';
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
   * Predictions for every row of `ds`, in row order. Batches of one stream must share their
   * source-address dictionary (as readFlowBatches' batches do), since windows are keyed by its codes.
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
    const wb = this.windows.assign(srcAddr.codes, start, features.data, timeOrder(ds, all));
    const pred = await predictSequences(this.model, windowSource(wb, features.data, features.cols, n), this.batchSize);
    this.stats.flows += n;
    this.stats.prefixSteps += wb.prefixRows;
    this.stats.openWindows = this.windows.size;
    this.stats.openContexts = this.contexts.size;
    const k = pred.outputs;
    return { classOf: pred.classOf.subarray(0, n), prob: pred.prob.subarray(0, n * k), outputs: k };
  }
}

/** The batch's sequences as a SequenceSource; rows >= n come from the prefix features. */
function windowSource(wb: WindowBatch, features: Float32Array, cols: number, n: number) {
  const { seqLen, rowIndex } = wb;
  return sequenceSource({ seqLen, count: wb.count, rowIndex }, n + wb.prefixRows, (ids) => {
    const batch = ids.length;
    const x = new Float32Array(batch * seqLen * cols);
    const y = new Int32Array(batch * seqLen).fill(-1);
    const mask = new Float32Array(batch * seqLen);
    for (let b = 0; b < batch; b++) {
      const s = ids[b];
      for (let t = 0; t < seqLen; t++) {
        const r = rowIndex[s * seqLen + t];
        if (r < 0) continue;
        const step = b * seqLen + t;
        const src = r < n ? features.subarray(r * cols, (r + 1) * cols) : wb.prefix.subarray((r - n) * cols, (r - n + 1) * cols);
        x.set(src, step * cols);
        mask[step] = 1;
      }
    }
    return { x, y, mask };
  });
}

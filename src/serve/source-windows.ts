/**
 * Per-source LSTM windows for a stream of flows, cut exactly as `buildSequences` cuts a whole data
 * set: each source's flows in time order, consecutive non-overlapping windows of seqLen flows, each
 * starting from empty state. Flow k of a window is judged with the k-1 flows before it, so a window
 * that is still open when a batch ends keeps the features of its flows so far; the next batch runs
 * them again as the prefix of that window (at most seqLen-1 extra steps per source and batch).
 *
 * Where a stream differs from batch: a source silent for longer than `idleSeconds` starts a new
 * window at its next flow (and its state is freed), while batch would continue the unfinished
 * window across the gap. Sources whose window was full, or who never fall silent that long, are
 * judged exactly as batch judges them. Flows must arrive in time order across batches (within a
 * batch any order works); an earlier flow arriving late joins the source's current window.
 */
import { evictIdleEntries } from '../features/source-context.js';

interface OpenWindow {
  /**
   * Features of the window's flows so far (count * cols used), kept only while the window is open
   * at the end of a batch and sized to what it holds: most sources send a flow or two, so a
   * seqLen-sized array each would multiply the memory of a stream with many sources.
   */
  steps: Float32Array;
  /** Flows in the window (1..seqLen). */
  count: number;
  lastStartMs: number;
  /** Sequence id in the current batch, valid while `batch` equals the store's batch counter. */
  seq: number;
  batch: number;
}

/** The sequences of one batch: rows `< n` are the batch's flows, rows `>= n` prefix flows. */
export interface WindowBatch {
  seqLen: number;
  count: number;
  /** count * seqLen rows, -1 at (trailing) padding. */
  rowIndex: Int32Array;
  /** Features of the prefix rows, row `n + i` at `prefix[i * cols ..]`. */
  prefix: Float32Array;
  prefixRows: number;
}

export class SourceWindows {
  /** By source address (text, not dictionary code: a stream's dictionaries may be replaced between batches). */
  private readonly open = new Map<string | number, OpenWindow>();
  private batches = 0;

  constructor(
    readonly seqLen: number,
    readonly cols: number,
    readonly idleSeconds: number,
  ) {
    if (!Number.isInteger(seqLen) || seqLen < 1) throw new RangeError(`seqLen must be a positive integer, got ${seqLen}`);
    if (!(idleSeconds > 0)) throw new RangeError(`idle time must be a positive number of seconds, got ${idleSeconds}`);
  }

  /** Sources with an open window (the state kept between batches). */
  get size(): number {
    return this.open.size;
  }

  /**
   * Places the flows of one batch in windows. `source[i]` identifies the source of flow i (stable
   * across batches), `startMs[i]` its start, `features` its feature row; `order` lists the flows in
   * time order. Returns sequences over the flows plus the prefix rows they need.
   */
  assign(source: ArrayLike<string | number>, startMs: ArrayLike<number>, features: Float32Array, order: ArrayLike<number>): WindowBatch {
    const { seqLen, cols } = this;
    const n = order.length;
    if (seqLen === 1) {
      // Flow mode: every flow is its own window and nothing is kept.
      const rowIndex = new Int32Array(n);
      for (let i = 0; i < n; i++) rowIndex[i] = i;
      return { seqLen, count: n, rowIndex, prefix: new Float32Array(0), prefixRows: 0 };
    }
    const batch = ++this.batches;
    const touched: OpenWindow[] = [];
    let rowIndex: Int32Array = new Int32Array(Math.max(1, n) * seqLen).fill(-1);
    let count = 0;
    let prefix: Float32Array = new Float32Array(0);
    let prefixRows = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const key = source[i];
      const t0 = startMs[i];
      let w = this.open.get(key);
      if (w && (t0 - w.lastStartMs) / 1000 > this.idleSeconds) w.count = 0;
      if (!w) {
        w = { steps: NO_STEPS, count: 0, lastStartMs: t0, seq: -1, batch: 0 };
        this.open.set(key, w);
      }
      if (w.count === seqLen) w.count = 0;
      if (w.batch !== batch || w.count === 0) {
        if (count * seqLen >= rowIndex.length) rowIndex = growFilled(rowIndex, rowIndex.length * 2);
        w.seq = count++;
        if (w.batch !== batch) touched.push(w);
        w.batch = batch;
        if (w.count > 0) {
          // The window began in an earlier batch: run its flows again in front of this one.
          if ((prefixRows + w.count) * cols > prefix.length) prefix = grow(prefix, Math.max(2 * prefix.length, (prefixRows + w.count) * cols, 1024 * cols));
          prefix.set(w.steps.subarray(0, w.count * cols), prefixRows * cols);
          for (let t = 0; t < w.count; t++) rowIndex[w.seq * seqLen + t] = n + prefixRows + t;
          prefixRows += w.count;
        }
      }
      rowIndex[w.seq * seqLen + w.count] = i;
      w.count++;
      if (t0 > w.lastStartMs) w.lastStartMs = t0;
    }
    // Only windows still open after the batch need their features kept: copy them once, here,
    // rather than every flow's row as it arrives.
    for (const w of touched) if (w.count < seqLen) keepSteps(w, rowIndex, features, prefix, n, cols, seqLen);
    return { seqLen, count, rowIndex: rowIndex.subarray(0, count * seqLen), prefix: prefix.subarray(0, prefixRows * cols), prefixRows };
  }

  /**
   * Frees the windows of sources silent for longer than the idle time at stream time `nowMs`; their
   * next flow would start a new window anyway. Returns how many were freed.
   */
  evictIdle(nowMs: number): number {
    return evictIdleEntries(this.open, nowMs, this.idleSeconds);
  }
}

const NO_STEPS = new Float32Array(0);

/** Copies the features of `w`'s current sequence (batch rows or prefix rows) into `w.steps`. */
function keepSteps(w: OpenWindow, rowIndex: Int32Array, features: Float32Array, prefix: Float32Array, n: number, cols: number, seqLen: number): void {
  if (w.steps.length < w.count * cols) w.steps = new Float32Array(Math.min(seqLen, Math.max(w.count, (2 * w.steps.length) / cols)) * cols);
  const steps = w.steps;
  for (let t = 0; t < w.count; t++) {
    const r = rowIndex[w.seq * seqLen + t];
    const src = r < n ? features : prefix;
    const from = (r < n ? r : r - n) * cols;
    const to = t * cols;
    for (let j = 0; j < cols; j++) steps[to + j] = src[from + j];
  }
}

function growFilled(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size).fill(-1);
  b.set(a);
  return b;
}

function grow(a: Float32Array, size: number): Float32Array {
  const b = new Float32Array(size);
  b.set(a);
  return b;
}

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
import { SourceMap } from '../features/source-map.js';

/** WindowBatches that may be in use at once: the one being assigned and those still being run. */
export const WINDOW_BUFFER_SETS = 3;

interface OpenWindow {
  /**
   * Features of the window's flows so far (count * cols used), kept only while the window is open
   * at the end of a batch and sized to what it holds: most sources send a flow or two, so a
   * seqLen-sized array each would multiply the memory of a stream with many sources.
   */
  steps: Float32Array;
  /** Per kept step, while `pending`: the row of the previous batch whose output that step gives, or -1. */
  origin: Int32Array;
  /** Left open, not run, at the end of the last batch: some of its steps still owe their output. */
  pending: boolean;
  /** Flows in the window (1..seqLen). */
  count: number;
  lastStartMs: number;
  /** Sequence id in the current batch, valid while `batch` equals the store's batch counter. */
  seq: number;
  batch: number;
  /** The current sequence holds steps that owe output to the previous batch (so it must run now). */
  seqOwes: boolean;
  /** For SourceMap: the source's code in the dictionary last used. */
  code: number;
}

/**
 * The sequences of one batch: rows `< n` are the batch's flows, rows `>= n` prefix flows (kept from
 * earlier batches). Its arrays are reused WINDOW_BUFFER_SETS calls of `assign` later.
 */
export interface WindowBatch {
  seqLen: number;
  count: number;
  /** count * seqLen rows, -1 at (trailing) padding. */
  rowIndex: Int32Array;
  /** Features of the prefix rows, row `n + i` at `prefix[i * cols ..]`. */
  prefix: Float32Array;
  prefixRows: number;
  /**
   * Per prefix row: the row of the previous batch whose output it gives (its window was deferred),
   * or -1 when it only rebuilds the window's state (its output was given already).
   */
  prefixOrigin: Int32Array;
  /** Per sequence: 1 to run now, 0 for a window deferred to the next batch. */
  run: Uint8Array;
  /** Rows of this batch whose output waits for the next batch (in deferred windows). */
  deferredRows: number;
}

/** Flow sources as a dictionary column: flow i comes from `values[codes[i]]`. */
export interface SourceColumn {
  codes: ArrayLike<number>;
  values: ArrayLike<string | number>;
}

export class SourceWindows {
  /** By source address (text, not dictionary code: a stream's dictionaries may be replaced between batches). */
  private readonly open = new SourceMap<OpenWindow>();
  /**
   * Arrays of the WindowBatch, kept from batch to batch (a fresh 8 MB row index per batch made the
   * garbage collector run full collections for the external memory alone). WINDOW_BUFFER_SETS sets,
   * used in turn, so earlier batches' windows may still be run while the next batch is assigned.
   */
  private readonly buffers: WindowBuffers[] = Array.from({ length: WINDOW_BUFFER_SETS }, newBuffers);
  /** Windows deferred at the end of the last batch (they may since have been evicted from `open`). */
  private deferred: OpenWindow[] = [];
  private batches = 0;
  /** keepOpen's tables, kept from batch to batch: the windows it keeps, and each batch row's slot in them. */
  private readonly kept: OpenWindow[] = [];
  private readonly slotOfRow = new RowTable();
  private readonly stepArrays: StepArrays;

  constructor(
    readonly seqLen: number,
    readonly cols: number,
    readonly idleSeconds: number,
  ) {
    if (!Number.isInteger(seqLen) || seqLen < 1) throw new RangeError(`seqLen must be a positive integer, got ${seqLen}`);
    if (!(idleSeconds > 0)) throw new RangeError(`idle time must be a positive number of seconds, got ${idleSeconds}`);
    this.stepArrays = new StepArrays(cols);
  }

  /** Sources with an open window (the state kept between batches). */
  get size(): number {
    return this.open.size;
  }

  /** Whether some rows of the last batch wait for the next one (see `assign`'s `defer`). */
  get owing(): boolean {
    return this.deferred.length > 0;
  }

  /**
   * Places the flows of one batch in windows. `source` gives the source of each flow (matched across
   * batches by value), `startMs[i]` its start, `features` its feature row; `order` lists the flows
   * in time order. Returns sequences over the flows plus the prefix rows they need.
   *
   * With `defer`, a window still open at the end of the batch is not run: the next batch runs it
   * with its new flows, instead of running it now and its flows again as the next batch's prefix.
   * Its rows' outputs then come from the next batch (prefix rows with an origin). A window is
   * deferred once at most, so every batch is complete after the next one; windows deferred last
   * time that get no flow now are run now. An empty batch without `defer` runs all that is owed.
   */
  assign(source: SourceColumn, startMs: ArrayLike<number>, features: Float32Array, order: ArrayLike<number>, defer = false): WindowBatch {
    const { seqLen, cols } = this;
    const n = order.length;
    if (seqLen === 1) {
      // Flow mode: every flow is its own window and nothing is kept.
      const rowIndex = new Int32Array(n);
      for (let i = 0; i < n; i++) rowIndex[i] = i;
      return { seqLen, count: n, rowIndex, prefix: NO_STEPS, prefixRows: 0, prefixOrigin: NO_ORIGIN, run: new Uint8Array(n).fill(1), deferredRows: 0 };
    }
    const batch = ++this.batches;
    const owed = this.deferred;
    this.deferred = [];
    const buffers = this.buffers[batch % WINDOW_BUFFER_SETS];
    const slots = Math.max(1, n + owed.length) * seqLen;
    if (buffers.rowIndex.length < slots) buffers.rowIndex = new Int32Array(slots);
    buffers.rowIndex.fill(-1, 0, slots);
    const cut = new BatchCut(batch, n, seqLen, cols, buffers);
    this.place(cut, source, startMs, order, batch);
    // Deferred last time and silent since: run them, so the last batch is complete.
    for (const w of owed) if (w.pending) cut.start(w);
    const { count, rowIndex, prefix, prefixOrigin, prefixRows } = cut;
    const run = new Uint8Array(count).fill(1);
    const deferredRows = this.keepOpen(cut, features, run, defer);
    buffers.rowIndex = rowIndex;
    buffers.prefix = prefix;
    buffers.prefixOrigin = prefixOrigin;
    return {
      seqLen, count, rowIndex: rowIndex.subarray(0, count * seqLen), prefix: prefix.subarray(0, prefixRows * cols), prefixRows,
      prefixOrigin: prefixOrigin.subarray(0, prefixRows), run, deferredRows,
    };
  }

  /**
   * The per-flow part of `assign`, apart so that the compiler optimizes this loop on its own: on
   * the first batch it does so mid-loop, and the code after a loop it compiles along has never run
   * then, so every batch's first pass through that code undid the optimization and compiled again.
   */
  private place(cut: BatchCut, source: SourceColumn, startMs: ArrayLike<number>, order: ArrayLike<number>, batch: number): void {
    const { seqLen } = this;
    const n = order.length;
    const { codes, values } = source;
    const open = this.open;
    open.use(values);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const code = codes[i];
      const t0 = startMs[i];
      let w = open.get(code);
      if (w && (t0 - w.lastStartMs) / 1000 > this.idleSeconds) {
        // Its flows so far are one window: run it (if it owes output) before starting afresh.
        if (w.pending) cut.start(w);
        w.count = 0;
      }
      if (!w) {
        w = { steps: NO_STEPS, origin: NO_ORIGIN, pending: false, count: 0, lastStartMs: t0, seq: -1, batch: 0, seqOwes: false, code: -1 };
        open.set(code, w);
      }
      if (w.count === seqLen) w.count = 0;
      if (w.batch !== batch || w.count === 0) cut.start(w);
      cut.rowIndex[w.seq * seqLen + w.count] = i;
      w.count++;
      if (t0 > w.lastStartMs) w.lastStartMs = t0;
    }
  }

  /**
   * Keeps the features of the windows still open after the batch (copied once, here, rather than
   * every flow's row as it arrives) and defers them if asked; returns the rows that wait. Apart
   * from `assign` for the reason given at `place`.
   */
  private keepOpen(cut: BatchCut, features: Float32Array, run: Uint8Array, defer: boolean): number {
    const { seqLen, cols } = this;
    const { rowIndex, prefix, n } = cut;
    const kept = this.kept;
    kept.length = 0;
    const slotOfRow = this.slotOfRow.size(n);
    let deferredRows = 0;
    for (const w of cut.touched) {
      if (w.count === seqLen) continue;
      // A window's prefix rows are its own steps so far, copied out of `steps` by BatchCut.start:
      // they are still there unless the window now needs larger arrays.
      const grown = w.origin.length < w.count;
      if (grown) this.stepArrays.grow(w, Math.min(seqLen, Math.max(w.count, 2 * w.origin.length)));
      planSteps(w, kept.length, slotOfRow, rowIndex, prefix, n, cols, seqLen, grown);
      kept.push(w);
      if (defer && !w.seqOwes) {
        run[w.seq] = 0;
        w.pending = true;
        this.deferred.push(w);
        for (let t = 0; t < w.count; t++) if (w.origin[t] >= 0) deferredRows++;
      }
    }
    copyKeptRows(features, n, slotOfRow, kept, cols, seqLen);
    kept.length = 0;
    return deferredRows;
  }

  /**
   * Frees the windows of sources silent for longer than the idle time at stream time `nowMs`; their
   * next flow would start a new window anyway. Returns how many were freed.
   */
  evictIdle(nowMs: number): number {
    // A deferred window still runs with the next batch, from its steps.
    return this.open.evictIdle(nowMs, this.idleSeconds, (w) => {
      if (!w.pending) this.stepArrays.recycle(w);
    });
  }
}

const NO_STEPS: Float32Array = new Float32Array(0);
const NO_ORIGIN: Int32Array = new Int32Array(0);

/**
 * The sequences one `assign` cuts, as it cuts them. A class rather than closure variables: the
 * per-flow loop then reads plain fields instead of a closure's context.
 */
class BatchCut {
  count = 0;
  prefixRows = 0;
  rowIndex: Int32Array;
  prefix: Float32Array;
  prefixOrigin: Int32Array;
  /** Windows given a sequence in this batch. */
  readonly touched: OpenWindow[] = [];

  constructor(
    private readonly batch: number,
    readonly n: number,
    private readonly seqLen: number,
    private readonly cols: number,
    buffers: WindowBuffers,
  ) {
    this.rowIndex = buffers.rowIndex;
    this.prefix = buffers.prefix;
    this.prefixOrigin = buffers.prefixOrigin;
  }

  /** Starts `w`'s next sequence; a window begun in an earlier batch brings its flows as prefix rows. */
  start(w: OpenWindow): void {
    const { seqLen, cols } = this;
    if (this.count * seqLen >= this.rowIndex.length) this.rowIndex = growFilled(this.rowIndex, this.rowIndex.length * 2);
    w.seq = this.count++;
    if (w.batch !== this.batch) this.touched.push(w);
    w.batch = this.batch;
    w.seqOwes = false;
    if (w.count === 0) return;
    const rows = this.prefixRows + w.count;
    if (rows * cols > this.prefix.length) {
      const size = Math.max(2 * this.prefixOrigin.length, rows, 1024);
      this.prefix = grow(this.prefix, size * cols);
      this.prefixOrigin = growInt(this.prefixOrigin, size);
    }
    this.prefix.set(w.steps.subarray(0, w.count * cols), this.prefixRows * cols);
    const base = w.seq * seqLen;
    for (let t = 0; t < w.count; t++) {
      this.rowIndex[base + t] = this.n + this.prefixRows + t;
      this.prefixOrigin[this.prefixRows + t] = w.pending ? w.origin[t] : -1;
    }
    this.prefixRows = rows;
    w.seqOwes = w.pending;
    w.pending = false;
  }
}

/**
 * Windows' step arrays, cut from shared chunks and recycled: a window's arrays grow as it fills and
 * go when its source falls silent, and a typed array of its own each time (over 100,000 per million
 * flows) cost more than copying the features into them. Arrays are views into chunks of
 * CHUNK_WINDOWS windows' worth, by size; a freed view waits for the next window of its size, so the
 * memory held is what the most windows open at once needed.
 */
class StepArrays {
  private readonly free = new Map<number, { steps: Float32Array; origin: Int32Array }[]>();
  private readonly chunks = new Map<number, { steps: Float32Array; origin: Int32Array; used: number }>();

  constructor(private readonly cols: number) {}

  /** Gives `w` arrays for `size` steps; its old ones (content not kept) are recycled. */
  grow(w: OpenWindow, size: number): void {
    this.recycle(w);
    const spare = this.free.get(size)?.pop() ?? this.cut(size);
    w.steps = spare.steps;
    w.origin = spare.origin;
  }

  /** Takes back `w`'s arrays (it no longer needs them). */
  recycle(w: OpenWindow): void {
    const size = w.origin.length;
    if (size === 0) return;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push({ steps: w.steps, origin: w.origin });
    w.steps = NO_STEPS;
    w.origin = NO_ORIGIN;
  }

  private cut(size: number): { steps: Float32Array; origin: Int32Array } {
    let chunk = this.chunks.get(size);
    if (!chunk || chunk.used === CHUNK_WINDOWS) {
      chunk = { steps: new Float32Array(CHUNK_WINDOWS * size * this.cols), origin: new Int32Array(CHUNK_WINDOWS * size), used: 0 };
      this.chunks.set(size, chunk);
    }
    const k = chunk.used++;
    return { steps: chunk.steps.subarray(k * size * this.cols, (k + 1) * size * this.cols), origin: chunk.origin.subarray(k * size, (k + 1) * size) };
  }
}

const CHUNK_WINDOWS = 256;

/** A per-row Int32 table kept from batch to batch. */
export class RowTable {
  private table = new Int32Array(0);

  /** The table for `rows` rows, all -1. */
  size(rows: number): Int32Array {
    if (this.table.length < rows) this.table = new Int32Array(Math.max(rows, Math.floor(this.table.length * 1.5)));
    return this.table.subarray(0, rows).fill(-1);
  }
}

interface WindowBuffers {
  rowIndex: Int32Array;
  prefix: Float32Array;
  prefixOrigin: Int32Array;
}

function newBuffers(): WindowBuffers {
  return { rowIndex: new Int32Array(0), prefix: NO_STEPS, prefixOrigin: NO_ORIGIN };
}

/**
 * Readies `w` (the `k`th window kept) to keep its current sequence: where each step's output
 * belongs should the window be deferred (batch row r, or for a prefix row nowhere, since a
 * sequence that owed output is never deferred), prefix rows copied now, and for each batch row
 * the slot copyKeptRows copies it to (k * seqLen + step).
 */
function planSteps(w: OpenWindow, k: number, slotOfRow: Int32Array, rowIndex: Int32Array, prefix: Float32Array, n: number, cols: number, seqLen: number, copyPrefix: boolean): void {
  const steps = w.steps;
  for (let t = 0; t < w.count; t++) {
    const r = rowIndex[w.seq * seqLen + t];
    if (r < n) {
      w.origin[t] = r;
      slotOfRow[r] = k * seqLen + t;
      continue;
    }
    w.origin[t] = -1;
    if (!copyPrefix) continue;
    const from = (r - n) * cols;
    const to = t * cols;
    for (let j = 0; j < cols; j++) steps[to + j] = prefix[from + j];
  }
}

/**
 * Copies the batch rows that windows keep into their steps, in row order: a window's flows lie
 * scattered over the batch, and reading them window by window missed the cache on nearly every row.
 */
function copyKeptRows(features: Float32Array, n: number, slotOfRow: Int32Array, kept: OpenWindow[], cols: number, seqLen: number): void {
  for (let r = 0; r < n; r++) {
    const slot = slotOfRow[r];
    if (slot < 0) continue;
    const k = (slot / seqLen) | 0;
    const steps = kept[k].steps;
    const from = r * cols;
    const to = (slot - k * seqLen) * cols;
    for (let j = 0; j < cols; j++) steps[to + j] = features[from + j];
  }
}

function growFilled(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size).fill(-1);
  b.set(a);
  return b;
}

function growInt(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

function grow(a: Float32Array, size: number): Float32Array {
  const b = new Float32Array(size);
  b.set(a);
  return b;
}

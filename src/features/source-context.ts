/**
 * Per-source context features: what a source did just before this flow. Scanners send many short
 * flows in quick succession to changing destinations, so the gap since the source's previous flow
 * and whether the destination address or port changed are cheap scan signals.
 *
 * updateSourceContext() defines the features: a streaming classifier keeps one `SourceContext` per
 * source in a `SourceContextStore` and calls it per flow; the batch path is the same walk over
 * typed arrays indexed by source code (no object per source, no string compares). A source idle
 * for longer than the idle limit counts as new in both, so evicting idle sources from a stream
 * changes nothing, and the streaming tests hold the two to bit-identical features.
 */
import type { DictColumn, FlowDataset } from '../flows/schema.js';
import { isShared, sharedArray, toShared } from '../flows/shared-arrays.js';
import { fixBlockStarts, type ContextBlockInput } from './context-blocks.js';
import { log1pSeconds } from './exact-log.js';
import { timeOrder } from './order.js';
import { parallelWorthIt, runBlocks, type BlockJob } from './row-pool.js';
import { CONTEXT_BIT } from './source-context-bits.js';
import { SourceMap } from './source-map.js';

export interface SourceContext {
  lastStartMs: number;
  lastDstAddr: string;
  lastDstPort: number;
  /** For the stream's SourceMap: the source's code in the dictionary last used. */
  code: number;
}

export const CONTEXT_FEATURES = ['srcNew', 'srcLogGap', 'dstAddrChanged', 'dstPortChanged'] as const;
export const CONTEXT_WIDTH = CONTEXT_FEATURES.length;

/**
 * Writes the context features of a flow to `out[at..at+3]` and returns the source's context after
 * it (the same object when one was given). A new or idle-expired source gets srcNew = 1, the gap
 * of a full idle period and no changes. Flows arriving out of order count as a zero gap.
 */
export function updateSourceContext(
  ctx: SourceContext | undefined,
  startMs: number,
  dstAddr: string,
  dstPort: number,
  idleSeconds: number,
  out: Float64Array,
  at: number,
  /** Math.log1p(idleSeconds), for callers that compute it once. */
  idleLogGap = Math.log1p(idleSeconds),
): SourceContext {
  const gapSeconds = ctx === undefined ? Infinity : Math.max(0, (startMs - ctx.lastStartMs) / 1000);
  if (gapSeconds > idleSeconds) {
    out[at] = 1;
    out[at + 1] = idleLogGap;
    out[at + 2] = 0;
    out[at + 3] = 0;
  } else {
    const c = ctx as SourceContext;
    out[at] = 0;
    out[at + 1] = log1pSeconds(gapSeconds);
    out[at + 2] = dstAddr === c.lastDstAddr ? 0 : 1;
    out[at + 3] = dstPort === c.lastDstPort ? 0 : 1;
  }
  if (ctx === undefined) return { lastStartMs: startMs, lastDstAddr: dstAddr, lastDstPort: dstPort, code: -1 };
  // An out-of-order flow must not move the source's clock backwards.
  ctx.lastStartMs = Math.max(ctx.lastStartMs, startMs);
  ctx.lastDstAddr = dstAddr;
  ctx.lastDstPort = dstPort;
  return ctx;
}

/** Contexts of the sources a stream has seen recently. */
export class SourceContextStore {
  private readonly contexts = new SourceMap<SourceContext>();
  private readonly idleLogGap: number;

  constructor(readonly idleSeconds: number) {
    this.idleLogGap = Math.log1p(idleSeconds);
  }

  get size(): number {
    return this.contexts.size;
  }

  /** Starts a batch whose flows name their sources as codes into `values`. */
  beginBatch(values: ArrayLike<string>): void {
    this.contexts.use(values);
  }

  /** One flow of the batch, from source `values[srcCode]` (see beginBatch): its features into `out[at..]`. */
  observe(srcCode: number, startMs: number, dstAddr: string, dstPort: number, out: Float64Array, at: number): void {
    const ctx = this.contexts.get(srcCode);
    const next = updateSourceContext(ctx, startMs, dstAddr, dstPort, this.idleSeconds, out, at, this.idleLogGap);
    if (next !== ctx) this.contexts.set(srcCode, next);
  }

  /** Forgets sources idle for longer than the idle limit at stream time `nowMs`; returns how many. */
  evictIdle(nowMs: number): number {
    return this.contexts.evictIdle(nowMs, this.idleSeconds);
  }
}

export { CONTEXT_BIT } from './source-context-bits.js';

/**
 * Context features per entry: entry `rowOf[p]` for position p of the rows (batch, where entries
 * are data set rows), or entry p when rowOf is absent (streaming).
 */
export interface ContextValues {
  /** srcLogGap. */
  logGap: Float64Array;
  /** srcNew, dstAddrChanged and dstPortChanged as CONTEXT_BIT bits. */
  bits: Uint8Array;
  rowOf?: Uint32Array;
}

type AllRowsContext = Omit<ContextValues, 'rowOf'>;

const batchCache = new WeakMap<FlowDataset, Map<number, AllRowsContext>>();

/**
 * Batch path: context features of every row of `ds`, each source walked in time order over the
 * whole data set (so a test flow sees the flows before it whatever split they fell in, as a
 * streaming classifier would). Cached per data set, since train, validation and test subsets share it.
 *
 * It is updateSourceContext() over typed arrays indexed by source code instead of objects in a
 * map, comparing destination codes instead of strings (equal codes, equal strings); the streaming
 * property test holds the two to bit-identical results.
 */
function batchContextAllRows(ds: FlowDataset, idleSeconds: number): AllRowsContext {
  const { jobs, finish } = batchContextJobs(ds, idleSeconds);
  if (jobs.length > 0) runBlocks(jobs);
  return finish();
}

/**
 * The batch context as block jobs for runBlocks, for callers that run other blocks at the same
 * time, and `finish` to call after them. A context that is cached, or that cannot be split (small,
 * columns not in shared memory), has no jobs and `finish` computes it here, as it does for rows
 * the blocks find out of time order.
 */
export function batchContextJobs(ds: FlowDataset, idleSeconds: number): { jobs: BlockJob[]; finish: () => AllRowsContext } {
  let perIdle = batchCache.get(ds);
  if (!perIdle) batchCache.set(ds, (perIdle = new Map()));
  const cache = perIdle;
  const cached = cache.get(idleSeconds);
  if (cached) return { jobs: [], finish: () => cached };
  const { start, srcAddr, dstPort } = ds.columns;
  const n = ds.length;
  if (parallelWorthIt(n) && isShared(start) && isShared(srcAddr.codes) && isShared(dstPort)) {
    const inp: ContextBlockInput = {
      start, src: srcAddr.codes, dst: toShared(canonicalCodes(ds.columns.dstAddr)), dstPort, nSources: srcAddr.values.length, idleSeconds,
      logGap: sharedArray(Float64Array, n), bits: sharedArray(Uint8Array, n), outOfOrder: sharedArray(Int32Array, 1),
    };
    const finish = (): AllRowsContext => {
      // The blocks assume time order and check it as they go; rows out of order are walked here.
      let out: AllRowsContext;
      if (inp.outOfOrder[0] !== 0) out = walkContext(ds, idleSeconds);
      else {
        fixBlockStarts(inp, n);
        out = { logGap: inp.logGap, bits: inp.bits };
      }
      cache.set(idleSeconds, out);
      return out;
    };
    // Large blocks: each source's first and last flow in a block are redone in one pass after.
    return { jobs: [{ call: { kernel: 'context', inp }, rows: n, scale: 4 }], finish };
  }
  return {
    jobs: [],
    finish: () => {
      const out = walkContext(ds, idleSeconds);
      cache.set(idleSeconds, out);
      return out;
    },
  };
}

/** The batch context on this thread: all rows in time order, one context per source. */
function walkContext(ds: FlowDataset, idleSeconds: number): AllRowsContext {
  const { start, srcAddr, dstPort } = ds.columns;
  const n = ds.length;
  const src = srcAddr.codes;
  const dst = canonicalCodes(ds.columns.dstAddr);
  const nSources = srcAddr.values.length;
  const seen = new Uint8Array(nSources);
  const lastStart = new Float64Array(nSources);
  const lastDst = new Uint32Array(nSources);
  const lastPort = new Int32Array(nSources);
  const logGap = new Float64Array(n);
  const bits = new Uint8Array(n);
  const idleLogGap = Math.log1p(idleSeconds);
  // Walking all rows in time order with one context per source visits each source's flows in the
  // same order as grouping by source would, while reading the columns sequentially.
  const order = isTimeOrdered(start, n) ? undefined : timeOrder(ds, allRows(n));
  for (let i = 0; i < n; i++) {
    const r = order ? order[i] : i;
    const s = src[r];
    const t = start[r];
    if (seen[s] === 0) {
      seen[s] = 1;
      logGap[r] = idleLogGap;
      bits[r] = CONTEXT_BIT.srcNew;
      lastStart[s] = t;
    } else {
      const gapSeconds = Math.max(0, (t - lastStart[s]) / 1000);
      if (gapSeconds > idleSeconds) {
        logGap[r] = idleLogGap;
        bits[r] = CONTEXT_BIT.srcNew;
      } else {
        logGap[r] = log1pSeconds(gapSeconds);
        bits[r] = (dst[r] !== lastDst[s] ? CONTEXT_BIT.dstAddrChanged : 0) | (dstPort[r] !== lastPort[s] ? CONTEXT_BIT.dstPortChanged : 0);
      }
      lastStart[s] = Math.max(lastStart[s], t);
    }
    lastDst[s] = dst[r];
    lastPort[s] = dstPort[r];
  }
  return { logGap, bits };
}

/** Per row, the first dictionary code of its value, so equal strings compare as equal codes. */
function canonicalCodes(col: DictColumn): Uint32Array {
  const first = new Map<string, number>();
  let distinct = true;
  const canonical = Uint32Array.from(col.values, (v, c) => {
    const f = first.get(v);
    if (f === undefined) first.set(v, c);
    else distinct = false;
    return f ?? c;
  });
  if (distinct) return col.codes;
  return Uint32Array.from(col.codes, (c) => canonical[c]);
}

function isTimeOrdered(start: Float64Array, n: number): boolean {
  for (let r = 1; r < n; r++) if (start[r] < start[r - 1]) return false;
  return true;
}

function allRows(n: number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  return all;
}

export function batchContext(ds: FlowDataset, rows: Uint32Array, idleSeconds: number): ContextValues {
  return { ...batchContextAllRows(ds, idleSeconds), rowOf: rows };
}

/** Streaming path: `rows` are new flows; walks them in time order through the store's contexts. */
export function streamingContext(ds: FlowDataset, rows: Uint32Array, store: SourceContextStore, order = timeOrder(ds, rows)): ContextValues {
  const logGap = new Float64Array(rows.length);
  const bits = new Uint8Array(rows.length);
  observeInTimeOrder(ds, rows, store, logGap, bits, order);
  return { logGap, bits };
}

/**
 * streamingContext's loop, apart: the compiler optimizes it mid-loop on the first batch, and code
 * after the loop that had not run yet then undid that optimization batch after batch.
 */
function observeInTimeOrder(ds: FlowDataset, rows: Uint32Array, store: SourceContextStore, logGap: Float64Array, bits: Uint8Array, order: Uint32Array): void {
  const { start, srcAddr, dstAddr, dstPort } = ds.columns;
  const one = new Float64Array(CONTEXT_WIDTH);
  store.beginBatch(srcAddr.values);
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    const r = rows[p];
    store.observe(srcAddr.codes[r], start[r], dstAddr.values[dstAddr.codes[r]], dstPort[r], one, 0);
    logGap[p] = one[1];
    bits[p] = (one[0] ? CONTEXT_BIT.srcNew : 0) | (one[2] ? CONTEXT_BIT.dstAddrChanged : 0) | (one[3] ? CONTEXT_BIT.dstPortChanged : 0);
  }
}

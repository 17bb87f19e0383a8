/**
 * Per-source context features: what a source did just before this flow. Scanners send many short
 * flows in quick succession to changing destinations, so the gap since the source's previous flow
 * and whether the destination address or port changed are cheap scan signals.
 *
 * One update function serves both paths: batch transforms walk each source's flows in time order
 * through it, and a streaming classifier keeps one `SourceContext` per source in a
 * `SourceContextStore`. A source idle for longer than the idle limit counts as new in both, so
 * evicting idle sources from a stream changes nothing and the two give bit-identical features.
 */
import type { FlowDataset } from '../flows/schema.js';
import { timeOrder } from './order.js';

export interface SourceContext {
  lastStartMs: number;
  lastDstAddr: string;
  lastDstPort: number;
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
): SourceContext {
  const gapSeconds = ctx === undefined ? Infinity : Math.max(0, (startMs - ctx.lastStartMs) / 1000);
  if (gapSeconds > idleSeconds) {
    out[at] = 1;
    out[at + 1] = Math.log1p(idleSeconds);
    out[at + 2] = 0;
    out[at + 3] = 0;
  } else {
    const c = ctx as SourceContext;
    out[at] = 0;
    out[at + 1] = Math.log1p(gapSeconds);
    out[at + 2] = dstAddr === c.lastDstAddr ? 0 : 1;
    out[at + 3] = dstPort === c.lastDstPort ? 0 : 1;
  }
  if (ctx === undefined) return { lastStartMs: startMs, lastDstAddr: dstAddr, lastDstPort: dstPort };
  // An out-of-order flow must not move the source's clock backwards.
  ctx.lastStartMs = Math.max(ctx.lastStartMs, startMs);
  ctx.lastDstAddr = dstAddr;
  ctx.lastDstPort = dstPort;
  return ctx;
}

/** Contexts of the sources a stream has seen recently. */
export class SourceContextStore {
  private readonly contexts = new Map<string, SourceContext>();

  constructor(readonly idleSeconds: number) {}

  get size(): number {
    return this.contexts.size;
  }

  observe(srcAddr: string, startMs: number, dstAddr: string, dstPort: number, out: Float64Array, at: number): void {
    const ctx = this.contexts.get(srcAddr);
    const next = updateSourceContext(ctx, startMs, dstAddr, dstPort, this.idleSeconds, out, at);
    if (next !== ctx) this.contexts.set(srcAddr, next);
  }

  /** Forgets sources idle for longer than the idle limit at stream time `nowMs`; returns how many. */
  evictIdle(nowMs: number): number {
    let evicted = 0;
    for (const [src, ctx] of this.contexts) {
      if ((nowMs - ctx.lastStartMs) / 1000 > this.idleSeconds) {
        this.contexts.delete(src);
        evicted++;
      }
    }
    return evicted;
  }
}

/**
 * Context features, CONTEXT_WIDTH values per entry: entry `rowOf[p]` for position p of the rows
 * (batch, where entries are data set rows), or entry p when rowOf is absent (streaming).
 */
export interface ContextValues {
  values: Float64Array;
  rowOf?: Uint32Array;
}

const batchCache = new WeakMap<FlowDataset, Map<number, Float64Array>>();

/**
 * Batch path: context features of every row of `ds`, each source walked in time order over the
 * whole data set (so a test flow sees the flows before it whatever split they fell in, as a
 * streaming classifier would). Cached per data set, since train, validation and test subsets share it.
 */
function batchContextAllRows(ds: FlowDataset, idleSeconds: number): Float64Array {
  let perIdle = batchCache.get(ds);
  if (!perIdle) batchCache.set(ds, (perIdle = new Map()));
  const cached = perIdle.get(idleSeconds);
  if (cached) return cached;
  const { start, srcAddr, dstAddr, dstPort } = ds.columns;
  const all = new Uint32Array(ds.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  // Walking all rows in time order with one context per source visits each source's flows in the
  // same order as grouping by source would, while reading the columns sequentially.
  const contexts: Array<SourceContext | undefined> = new Array(srcAddr.values.length).fill(undefined);
  const out = new Float64Array(ds.length * CONTEXT_WIDTH);
  for (const r of timeOrder(ds, all)) {
    const s = srcAddr.codes[r];
    contexts[s] = updateSourceContext(contexts[s], start[r], dstAddr.values[dstAddr.codes[r]], dstPort[r], idleSeconds, out, r * CONTEXT_WIDTH);
  }
  perIdle.set(idleSeconds, out);
  return out;
}

export function batchContext(ds: FlowDataset, rows: Uint32Array, idleSeconds: number): ContextValues {
  return { values: batchContextAllRows(ds, idleSeconds), rowOf: rows };
}

/** Streaming path: `rows` are new flows; walks them in time order through the store's contexts. */
export function streamingContext(ds: FlowDataset, rows: Uint32Array, store: SourceContextStore): ContextValues {
  const { start, srcAddr, dstAddr, dstPort } = ds.columns;
  const out = new Float64Array(rows.length * CONTEXT_WIDTH);
  for (const p of timeOrder(ds, rows)) {
    const r = rows[p];
    store.observe(srcAddr.values[srcAddr.codes[r]], start[r], dstAddr.values[dstAddr.codes[r]], dstPort[r], out, p * CONTEXT_WIDTH);
  }
  return { values: out };
}

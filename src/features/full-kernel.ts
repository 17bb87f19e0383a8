/**
 * The `full` feature set's fit and transform as passes over the rows: every input read once per
 * pass, no per-column block buffers. They are the groups of candidates.ts fused by hand (tests
 * hold the two to identical results). The transform writes each output row left to right and runs
 * when every 0/1 column keeps the identity scale, as fitting always leaves it; anything else takes
 * the group path.
 *
 * The work is split so that large inputs can be spread over threads (row-pool.ts) with results
 * identical to one thread: what does not depend on row order (bit any/all, category counts) and
 * the transform run per block of rows; the scaler sums, whose float rounding depends on the order
 * they are added in, run in one pass in row order.
 */
import { TCP_FLAGS, TCP_FLAG_BIT, type FlowDataset } from '../flows/schema.js';
import { internalFlags } from './address.js';
import type { CandidateFit, ColumnTarget } from './column-groups.js';
import { log1pNonNegative, log1pSeconds } from './exact-log.js';
import type { FeatureEnv } from './feature-env.js';
import { PORT_CLASS, PORT_CLASSES, PROTO_KIND, protoKinds } from './ports.js';
import { RunningStats } from './running-stats.js';
import type { ContextValues } from './source-context.js';
import { CONTEXT_BIT } from './source-context-bits.js';
import type { Vocabulary } from './types.js';
import { vocabularyCodes } from './vocabulary.js';

const FLAG_NAMES = { C: 'flagCwr', E: 'flagEce', U: 'flagUrg', A: 'flagAck', P: 'flagPsh', R: 'flagRst', S: 'flagSyn', F: 'flagFin' } as const;
const SCALED = ['logDuration', 'logPackets', 'logBytes', 'logBytesPerPacket', 'tos', 'srcLogGap'] as const;

/** Per protocol dictionary value: its fixed port class, or -1 when the port number decides. */
function fixedPortClasses(protoValues: readonly string[]): Int32Array {
  return Int32Array.from(protoKinds(protoValues), (k) => (k === PROTO_KIND.ported ? -1 : k === PROTO_KIND.icmp ? PORT_CLASS.Icmp : PORT_CLASS.None));
}

/** The columns the full features read, and which rows: position p is row `rows[p]` (row p when null). */
export interface FullRows {
  rows: Uint32Array | null;
  duration: Float64Array;
  packets: Float64Array;
  bytes: Float64Array;
  flags: Uint8Array;
  tos: Uint8Array;
  proto: Uint32Array;
  srcPort: Int32Array;
  dstPort: Int32Array;
  srcAddr: Uint32Array;
  dstAddr: Uint32Array;
}

export function fullRows(ds: FlowDataset, rows: Uint32Array | null): FullRows {
  const c = ds.columns;
  return {
    rows,
    duration: c.duration, packets: c.packets, bytes: c.bytes, flags: c.flags, tos: c.tos, proto: c.proto.codes,
    srcPort: c.srcPort, dstPort: c.dstPort, srcAddr: c.srcAddr.codes, dstAddr: c.dstAddr.codes,
  };
}

/** Per dictionary value tables, computed once per data set. */
export interface FullTables {
  fixedClass: Int32Array;
  srcInternal: Uint8Array;
  dstInternal: Uint8Array;
}

const tablesOf = new WeakMap<FlowDataset, FullTables>();

/** Per data set (fitting and each transform use them); rebuilt when a dictionary has grown since. */
export function fullTables(ds: FlowDataset): FullTables {
  const c = ds.columns;
  const known = tablesOf.get(ds);
  if (known && known.fixedClass.length === c.proto.values.length && known.srcInternal.length === c.srcAddr.values.length && known.dstInternal.length === c.dstAddr.values.length) {
    return known;
  }
  const srcInternal = internalFlags(c.srcAddr.values);
  // The readers code both address columns with one dictionary.
  const dstInternal = c.dstAddr.values === c.srcAddr.values ? srcInternal : internalFlags(c.dstAddr.values);
  const t = { fixedClass: fixedPortClasses(c.proto.values), srcInternal, dstInternal };
  tablesOf.set(ds, t);
  return t;
}

// Layout of one block's order-independent fit statistics (see fitCountsBlock).
const S_FLAGS_ANY = 0;
const S_FLAGS_ALL = 1;
const S_SRC_INTERNAL = 2;
const S_DST_INTERNAL = 3;
const S_SRC_CLASS = 4;
const S_DST_CLASS = S_SRC_CLASS + PORT_CLASSES.length;
const S_PROTO = S_DST_CLASS + PORT_CLASSES.length;

export function fitCountsWidth(protoValues: number): number {
  return S_PROTO + protoValues;
}

/** What does not depend on row order, for positions from..to-1, into `out` (fitCountsWidth long). */
export function fitCountsBlock(inp: FullRows, t: FullTables, from: number, to: number, out: Float64Array): void {
  const { rows, flags, proto, srcPort, dstPort, srcAddr, dstAddr } = inp;
  const { fixedClass, srcInternal, dstInternal } = t;
  let flagsAny = 0;
  let flagsAll = 0xff;
  let srcInternalCount = 0;
  let dstInternalCount = 0;
  out.fill(0);
  for (let p = from; p < to; p++) {
    const r = rows ? rows[p] : p;
    const f = flags[r];
    flagsAny |= f;
    flagsAll &= f;
    const pc = proto[r];
    out[S_PROTO + pc]++;
    const fixed = fixedClass[pc];
    const sp = srcPort[r];
    out[S_SRC_CLASS + (fixed >= 0 ? fixed : Number(sp >= 1024) + Number(sp >= 49152))]++;
    const dp = dstPort[r];
    out[S_DST_CLASS + (fixed >= 0 ? fixed : Number(dp >= 1024) + Number(dp >= 49152))]++;
    srcInternalCount += srcInternal[srcAddr[r]];
    dstInternalCount += dstInternal[dstAddr[r]];
  }
  out[S_FLAGS_ANY] = flagsAny;
  out[S_FLAGS_ALL] = flagsAll;
  out[S_SRC_INTERNAL] = srcInternalCount;
  out[S_DST_INTERNAL] = dstInternalCount;
}

/** Adds block statistics `from` into `into` (both fitCountsWidth long). */
export function mergeFitCounts(into: Float64Array, from: Float64Array): void {
  into[S_FLAGS_ANY] = (into[S_FLAGS_ANY] | from[S_FLAGS_ANY]) >>> 0;
  into[S_FLAGS_ALL] = (into[S_FLAGS_ALL] & from[S_FLAGS_ALL]) >>> 0;
  for (let k = S_SRC_INTERNAL; k < into.length; k++) into[k] += from[k];
}

export function emptyFitCounts(protoValues: number): Float64Array {
  const s = new Float64Array(fitCountsWidth(protoValues));
  s[S_FLAGS_ALL] = 0xff;
  return s;
}

/** Proto dictionary codes used by the counted rows (what fitVocabulary marks). */
export function usedProtoCodes(counts: Float64Array): Uint8Array {
  return Uint8Array.from(counts.subarray(S_PROTO), (n) => (n > 0 ? 1 : 0));
}

/** The order-dependent statistics: the scaled columns' RunningStats, added in position order. */
export interface OrderedFit {
  /** In SCALED order. */
  stats: RunningStats[];
  bitsAny: number;
  bitsAll: number;
}

/** The scaled columns' statistics but the context's (srcLogGap), which needs the context first. */
export function fitOrderedInputs(inp: FullRows, n: number): RunningStats[] {
  const { rows, duration, packets, bytes } = inp;
  const tosValues = inp.tos;
  const [dur, pkt, byt, bpp, tos] = SCALED.slice(0, 5).map(() => new RunningStats());
  for (let p = 0; p < n; p++) {
    const r = rows ? rows[p] : p;
    dur.push(log1pSeconds(duration[r]));
    pkt.push(log1pNonNegative(packets[r]));
    byt.push(log1pNonNegative(bytes[r]));
    bpp.push(log1pNonNegative(Math.max(0, bytes[r]) / Math.max(1, packets[r])));
    tos.push(tosValues[r]);
  }
  return [dur, pkt, byt, bpp, tos];
}

/** srcLogGap's statistics and the context bits seen, completing fitOrderedInputs. */
export function fitOrderedContext(inputs: RunningStats[], n: number, ctx: ContextValues): OrderedFit {
  const gap = new RunningStats();
  const { logGap, bits, rowOf } = ctx;
  let bitsAny = 0;
  let bitsAll = 0xff;
  for (let p = 0; p < n; p++) {
    const e = rowOf ? rowOf[p] : p;
    const cb = bits[e];
    bitsAny |= cb;
    bitsAll &= cb;
    gap.push(logGap[e]);
  }
  return { stats: [...inputs, gap], bitsAny, bitsAll };
}

/** What fitting learns about each full-set candidate, by candidate name. */
export function fullFits(counts: Float64Array, ordered: OrderedFit, n: number, protoVocab: Vocabulary, protoValues: readonly string[]): Map<string, CandidateFit> {
  const fits = new Map<string, CandidateFit>();
  const scaled = (name: string, s: RunningStats) => fits.set(name, { constant: s.min === s.max, mean: s.mean(), std: s.std() || 1 });
  const counted = (name: string, count: number) => fits.set(name, { constant: count === 0 || count === n, mean: 0, std: 1 });
  const bit = (name: string, any: number, all: number, b: number) => fits.set(name, { constant: ((any ^ all) >> b & 1) === 0, mean: 0, std: 1 });
  ordered.stats.forEach((s, k) => scaled(SCALED[k], s));
  for (const f of TCP_FLAGS) bit(FLAG_NAMES[f], counts[S_FLAGS_ANY], counts[S_FLAGS_ALL], Math.log2(TCP_FLAG_BIT[f]));
  const protoNames = ['Unknown', ...protoVocab];
  const perVocab = new Float64Array(protoNames.length);
  vocabularyCodes(protoVocab, protoValues).forEach((k, code) => (perVocab[k] += counts[S_PROTO + code]));
  protoNames.forEach((name, k) => counted(`proto${name}`, perVocab[k]));
  PORT_CLASSES.forEach((name, k) => counted(`srcPort${name}`, counts[S_SRC_CLASS + k]));
  PORT_CLASSES.forEach((name, k) => counted(`dstPort${name}`, counts[S_DST_CLASS + k]));
  counted('srcInternal', counts[S_SRC_INTERNAL]);
  counted('dstInternal', counts[S_DST_INTERNAL]);
  const { bitsAny, bitsAll } = ordered;
  bit('srcNew', bitsAny, bitsAll, Math.log2(CONTEXT_BIT.srcNew));
  bit('dstAddrChanged', bitsAny, bitsAll, Math.log2(CONTEXT_BIT.dstAddrChanged));
  bit('dstPortChanged', bitsAny, bitsAll, Math.log2(CONTEXT_BIT.dstPortChanged));
  return fits;
}

/** What fitting learns about each full-set candidate on the env's rows, on this thread. */
export function fusedFullFit(env: FeatureEnv): Map<string, CandidateFit> {
  const { ds, rows } = env;
  const inp = fullRows(ds, rows);
  const counts = new Float64Array(fitCountsWidth(ds.columns.proto.values.length));
  fitCountsBlock(inp, fullTables(ds), 0, rows.length, counts);
  const ordered = fitOrderedContext(fitOrderedInputs(inp, rows.length), rows.length, env.context());
  return fullFits(counts, ordered, rows.length, env.vocabularies.proto, ds.columns.proto.values);
}

/** Where each full feature goes in the output, and its scale: plain numbers, for worker threads. */
export interface TransformPlan {
  cols: number;
  /** Per SCALED column: output column (-1 left out), mean, std. */
  scaledCol: Int32Array;
  mean: Float64Array;
  std: Float64Array;
  /** Output column per bit of the flags byte, per protocol dictionary value, per port class. */
  flagCol: Int32Array;
  protoCol: Int32Array;
  srcPortCol: Int32Array;
  dstPortCol: Int32Array;
  srcInternalCol: number;
  dstInternalCol: number;
  srcNewCol: number;
  addrChangedCol: number;
  portChangedCol: number;
}

export function transformPlan(ds: FlowDataset, protoVocab: Vocabulary, targetOf: (name: string) => ColumnTarget, cols: number): TransformPlan {
  const col = (name: string) => targetOf(name).col;
  const scaled = SCALED.map(targetOf);
  const flagCol = new Int32Array(8).fill(-1);
  for (const f of TCP_FLAGS) flagCol[Math.log2(TCP_FLAG_BIT[f])] = col(FLAG_NAMES[f]);
  const protoNames = ['Unknown', ...protoVocab];
  return {
    cols,
    scaledCol: Int32Array.from(scaled, (t) => t.col),
    mean: Float64Array.from(scaled, (t) => t.mean),
    std: Float64Array.from(scaled, (t) => t.std),
    flagCol,
    protoCol: Int32Array.from(vocabularyCodes(protoVocab, ds.columns.proto.values), (k) => col(`proto${protoNames[k]}`)),
    srcPortCol: Int32Array.from(PORT_CLASSES, (n) => col(`srcPort${n}`)),
    dstPortCol: Int32Array.from(PORT_CLASSES, (n) => col(`dstPort${n}`)),
    srcInternalCol: col('srcInternal'),
    dstInternalCol: col('dstInternal'),
    srcNewCol: col('srcNew'),
    addrChangedCol: col('dstAddrChanged'),
    portChangedCol: col('dstPortChanged'),
  };
}

/** Context features per row (batch: `byRow`) or per position (streaming). */
export interface TransformContext {
  logGap: Float64Array;
  bits: Uint8Array;
  byRow: boolean;
}

/** Writes the full features of positions from..to-1 into their rows of `data` (zero-filled). */
export function transformBlock(inp: FullRows, t: FullTables, plan: TransformPlan, ctx: TransformContext, data: Float32Array, from: number, to: number): void {
  const { rows, duration, packets, bytes, flags, srcPort, dstPort } = inp;
  const tosValues = inp.tos;
  const protoCodes = inp.proto;
  const srcCodes = inp.srcAddr;
  const dstCodes = inp.dstAddr;
  const { fixedClass, srcInternal, dstInternal } = t;
  const { cols, flagCol, protoCol, srcPortCol, dstPortCol, srcInternalCol, dstInternalCol, srcNewCol, addrChangedCol, portChangedCol } = plan;
  const [durCol, pktCol, bytCol, bppCol, tosCol, gapCol] = plan.scaledCol;
  const [durMean, pktMean, bytMean, bppMean, tosMean, gapMean] = plan.mean;
  const [durStd, pktStd, bytStd, bppStd, tosStd, gapStd] = plan.std;
  const { logGap, bits, byRow } = ctx;

  for (let p = from, o = from * cols; p < to; p++, o += cols) {
    const r = rows ? rows[p] : p;
    if (durCol >= 0) data[o + durCol] = (log1pSeconds(duration[r]) - durMean) / durStd;
    if (pktCol >= 0) data[o + pktCol] = (log1pNonNegative(packets[r]) - pktMean) / pktStd;
    if (bytCol >= 0) data[o + bytCol] = (log1pNonNegative(bytes[r]) - bytMean) / bytStd;
    if (bppCol >= 0) data[o + bppCol] = (log1pNonNegative(Math.max(0, bytes[r]) / Math.max(1, packets[r])) - bppMean) / bppStd;
    if (tosCol >= 0) data[o + tosCol] = (tosValues[r] - tosMean) / tosStd;
    const f = flags[r];
    for (let b = 0; b < 8; b++) {
      const fc = flagCol[b];
      if (fc >= 0) data[o + fc] = (f >> b) & 1;
    }
    const pc = protoCodes[r];
    const hot = protoCol[pc];
    if (hot >= 0) data[o + hot] = 1;
    const fixed = fixedClass[pc];
    const sp = srcPort[r];
    // WellKnown 0 < 1024 <= Registered 1 < 49152 <= Ephemeral 2, counted without branches (ports are random).
    const spc = srcPortCol[fixed >= 0 ? fixed : Number(sp >= 1024) + Number(sp >= 49152)];
    if (spc >= 0) data[o + spc] = 1;
    const dp = dstPort[r];
    const dpc = dstPortCol[fixed >= 0 ? fixed : Number(dp >= 1024) + Number(dp >= 49152)];
    if (dpc >= 0) data[o + dpc] = 1;
    if (srcInternalCol >= 0) data[o + srcInternalCol] = srcInternal[srcCodes[r]];
    if (dstInternalCol >= 0) data[o + dstInternalCol] = dstInternal[dstCodes[r]];
    const e = byRow ? r : p;
    const cb = bits[e];
    if (srcNewCol >= 0) data[o + srcNewCol] = cb & CONTEXT_BIT.srcNew;
    if (gapCol >= 0) data[o + gapCol] = (logGap[e] - gapMean) / gapStd;
    if (addrChangedCol >= 0) data[o + addrChangedCol] = (cb & CONTEXT_BIT.dstAddrChanged) >> 1;
    if (portChangedCol >= 0) data[o + portChangedCol] = (cb & CONTEXT_BIT.dstPortChanged) >> 2;
  }
}

/** Writes the full features of all env rows into `data` (zero-filled, `cols` floats per row), on this thread. */
export function fusedFullTransform(env: FeatureEnv, targetOf: (name: string) => ColumnTarget, data: Float32Array, cols: number): void {
  const { ds, rows } = env;
  const { logGap, bits, rowOf } = env.context();
  const plan = transformPlan(ds, env.vocabularies.proto, targetOf, cols);
  transformBlock(fullRows(ds, rows), fullTables(ds), plan, { logGap, bits, byRow: rowOf !== undefined }, data, 0, rows.length);
}

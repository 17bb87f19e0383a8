/**
 * The `full` feature set's fit and transform, each as one pass over the rows: every input read
 * once, no per-column block buffers. They are the groups of candidates.ts fused by hand (tests
 * hold the two to identical results). The transform writes each output row left to right and runs
 * when every 0/1 column keeps the identity scale, as fitting always leaves it; anything else takes
 * the group path.
 */
import { TCP_FLAGS, TCP_FLAG_BIT } from '../flows/schema.js';
import { internalFlags } from './address.js';
import type { CandidateFit, ColumnTarget } from './column-groups.js';
import { log1pNonNegative, log1pSeconds } from './exact-log.js';
import type { FeatureEnv } from './feature-env.js';
import { PORT_CLASS, PORT_CLASSES, PROTO_KIND, protoKinds } from './ports.js';
import { RunningStats } from './running-stats.js';
import { CONTEXT_BIT } from './source-context.js';
import { vocabularyCodes } from './vocabulary.js';

const FLAG_NAMES = { C: 'flagCwr', E: 'flagEce', U: 'flagUrg', A: 'flagAck', P: 'flagPsh', R: 'flagRst', S: 'flagSyn', F: 'flagFin' } as const;
const SCALED = ['logDuration', 'logPackets', 'logBytes', 'logBytesPerPacket', 'tos', 'srcLogGap'] as const;

/** Per protocol dictionary value: its fixed port class, or -1 when the port number decides. */
function fixedPortClasses(protoValues: readonly string[]): Int32Array {
  return Int32Array.from(protoKinds(protoValues), (k) => (k === PROTO_KIND.ported ? -1 : k === PROTO_KIND.icmp ? PORT_CLASS.Icmp : PORT_CLASS.None));
}

/** What fitting learns about each full-set candidate on the env's rows, by candidate name. */
export function fusedFullFit(env: FeatureEnv): Map<string, CandidateFit> {
  const { ds, rows } = env;
  const c = ds.columns;
  const [dur, pkt, byt, bpp, tos, gap] = SCALED.map(() => new RunningStats());
  let flagsAny = 0;
  let flagsAll = 0xff;
  let bitsAny = 0;
  let bitsAll = 0xff;
  let srcInternalCount = 0;
  let dstInternalCount = 0;
  const protoCount = new Float64Array(c.proto.values.length);
  const srcClassCount = new Float64Array(PORT_CLASSES.length);
  const dstClassCount = new Float64Array(PORT_CLASSES.length);
  const fixedClass = fixedPortClasses(c.proto.values);
  const srcInternal = internalFlags(c.srcAddr.values);
  const dstInternal = internalFlags(c.dstAddr.values);
  const { logGap, bits, rowOf } = env.context();
  const { duration, packets, bytes, flags, srcPort, dstPort } = c;
  const tosValues = c.tos;
  const protoCodes = c.proto.codes;
  const srcCodes = c.srcAddr.codes;
  const dstCodes = c.dstAddr.codes;

  for (let p = 0; p < rows.length; p++) {
    const r = rows[p];
    dur.push(log1pSeconds(duration[r]));
    pkt.push(log1pNonNegative(packets[r]));
    byt.push(log1pNonNegative(bytes[r]));
    bpp.push(log1pNonNegative(Math.max(0, bytes[r]) / Math.max(1, packets[r])));
    tos.push(tosValues[r]);
    const f = flags[r];
    flagsAny |= f;
    flagsAll &= f;
    const pc = protoCodes[r];
    protoCount[pc]++;
    const fixed = fixedClass[pc];
    const sp = srcPort[r];
    srcClassCount[fixed >= 0 ? fixed : Number(sp >= 1024) + Number(sp >= 49152)]++;
    const dp = dstPort[r];
    dstClassCount[fixed >= 0 ? fixed : Number(dp >= 1024) + Number(dp >= 49152)]++;
    srcInternalCount += srcInternal[srcCodes[r]];
    dstInternalCount += dstInternal[dstCodes[r]];
    const e = rowOf ? rowOf[p] : p;
    const cb = bits[e];
    bitsAny |= cb;
    bitsAll &= cb;
    gap.push(logGap[e]);
  }

  const n = rows.length;
  const fits = new Map<string, CandidateFit>();
  const scaled = (name: string, s: RunningStats) => fits.set(name, { constant: s.min === s.max, mean: s.mean(), std: s.std() || 1 });
  const counted = (name: string, count: number) => fits.set(name, { constant: count === 0 || count === n, mean: 0, std: 1 });
  const bit = (name: string, any: number, all: number, b: number) => fits.set(name, { constant: ((any ^ all) >> b & 1) === 0, mean: 0, std: 1 });
  [dur, pkt, byt, bpp, tos, gap].forEach((s, k) => scaled(SCALED[k], s));
  for (const f of TCP_FLAGS) bit(FLAG_NAMES[f], flagsAny, flagsAll, Math.log2(TCP_FLAG_BIT[f]));
  const protoNames = ['Unknown', ...env.vocabularies.proto];
  const perVocab = new Float64Array(protoNames.length);
  vocabularyCodes(env.vocabularies.proto, c.proto.values).forEach((k, code) => (perVocab[k] += protoCount[code]));
  protoNames.forEach((name, k) => counted(`proto${name}`, perVocab[k]));
  PORT_CLASSES.forEach((name, k) => counted(`srcPort${name}`, srcClassCount[k]));
  PORT_CLASSES.forEach((name, k) => counted(`dstPort${name}`, dstClassCount[k]));
  counted('srcInternal', srcInternalCount);
  counted('dstInternal', dstInternalCount);
  bit('srcNew', bitsAny, bitsAll, Math.log2(CONTEXT_BIT.srcNew));
  bit('dstAddrChanged', bitsAny, bitsAll, Math.log2(CONTEXT_BIT.dstAddrChanged));
  bit('dstPortChanged', bitsAny, bitsAll, Math.log2(CONTEXT_BIT.dstPortChanged));
  return fits;
}

/** Writes the full features of all env rows into `data` (zero-filled, `cols` floats per row). */
export function fusedFullTransform(env: FeatureEnv, targetOf: (name: string) => ColumnTarget, data: Float32Array, cols: number): void {
  const { ds, rows } = env;
  const c = ds.columns;
  const col = (name: string) => targetOf(name).col;
  const [dur, pkt, byt, bpp, tos, gap] = SCALED.map(targetOf);
  // Output column per bit of the flags byte, per protocol / address dictionary value, per port class.
  const flagCol = new Int32Array(8).fill(-1);
  for (const f of TCP_FLAGS) flagCol[Math.log2(TCP_FLAG_BIT[f])] = col(FLAG_NAMES[f]);
  const protoNames = ['Unknown', ...env.vocabularies.proto];
  const protoCol = Int32Array.from(vocabularyCodes(env.vocabularies.proto, c.proto.values), (k) => col(`proto${protoNames[k]}`));
  const fixedClass = fixedPortClasses(c.proto.values);
  const srcPortCol = Int32Array.from(PORT_CLASSES, (n) => col(`srcPort${n}`));
  const dstPortCol = Int32Array.from(PORT_CLASSES, (n) => col(`dstPort${n}`));
  const srcInternalCol = col('srcInternal');
  const dstInternalCol = col('dstInternal');
  const srcInternal = internalFlags(c.srcAddr.values);
  const dstInternal = internalFlags(c.dstAddr.values);
  const srcNewCol = col('srcNew');
  const addrChangedCol = col('dstAddrChanged');
  const portChangedCol = col('dstPortChanged');
  const { logGap, bits, rowOf } = env.context();
  const { duration, packets, bytes, flags, srcPort, dstPort } = c;
  const tosValues = c.tos;
  const protoCodes = c.proto.codes;
  const srcCodes = c.srcAddr.codes;
  const dstCodes = c.dstAddr.codes;

  for (let p = 0, o = 0; p < rows.length; p++, o += cols) {
    const r = rows[p];
    if (dur.col >= 0) data[o + dur.col] = (log1pSeconds(duration[r]) - dur.mean) / dur.std;
    if (pkt.col >= 0) data[o + pkt.col] = (log1pNonNegative(packets[r]) - pkt.mean) / pkt.std;
    if (byt.col >= 0) data[o + byt.col] = (log1pNonNegative(bytes[r]) - byt.mean) / byt.std;
    if (bpp.col >= 0) data[o + bpp.col] = (log1pNonNegative(Math.max(0, bytes[r]) / Math.max(1, packets[r])) - bpp.mean) / bpp.std;
    if (tos.col >= 0) data[o + tos.col] = (tosValues[r] - tos.mean) / tos.std;
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
    const e = rowOf ? rowOf[p] : p;
    const cb = bits[e];
    if (srcNewCol >= 0) data[o + srcNewCol] = cb & CONTEXT_BIT.srcNew;
    if (gap.col >= 0) data[o + gap.col] = (logGap[e] - gap.mean) / gap.std;
    if (addrChangedCol >= 0) data[o + addrChangedCol] = (cb & CONTEXT_BIT.dstAddrChanged) >> 1;
    if (portChangedCol >= 0) data[o + portChangedCol] = (cb & CONTEXT_BIT.dstPortChanged) >> 2;
  }
}

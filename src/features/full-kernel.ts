/**
 * The `full` feature set's transform as one pass over the rows, writing each output row left to
 * right: every input read once, no per-column block buffers. It is the per-group writers of
 * candidates.ts fused by hand (a test holds the two to identical output) and runs when every 0/1
 * column keeps the identity scale, as fitting always leaves it; anything else takes the group path.
 */
import { TCP_FLAGS, TCP_FLAG_BIT } from '../flows/schema.js';
import { internalFlags } from './address.js';
import type { ColumnTarget } from './column-groups.js';
import { log1pNonNegative, log1pSeconds } from './exact-log.js';
import type { FeatureEnv } from './feature-env.js';
import { PORT_CLASS, PORT_CLASSES, PROTO_KIND, protoKinds } from './ports.js';
import { CONTEXT_BIT } from './source-context.js';
import { vocabularyCodes } from './vocabulary.js';

const FLAG_NAMES = { C: 'flagCwr', E: 'flagEce', U: 'flagUrg', A: 'flagAck', P: 'flagPsh', R: 'flagRst', S: 'flagSyn', F: 'flagFin' } as const;
const SCALED = ['logDuration', 'logPackets', 'logBytes', 'logBytesPerPacket', 'tos', 'srcLogGap'] as const;

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
  const fixedClass = Int32Array.from(protoKinds(c.proto.values), (k) =>
    k === PROTO_KIND.ported ? -1 : k === PROTO_KIND.icmp ? PORT_CLASS.Icmp : PORT_CLASS.None,
  );
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

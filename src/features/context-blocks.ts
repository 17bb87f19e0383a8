/**
 * The batch context features of source-context.ts for a data set in time order, computed a block
 * of rows at a time on several threads. Each block starts without history, so only a source's
 * first flow in a block can come out wrong; one pass in row order (fixBlockStarts) then redoes
 * those from the source's last flow in the blocks before. In time order a source's state after a
 * flow is that flow's own start, destination and port, whatever came before it, so every later
 * flow of the block is already right and the result is identical to the one-thread walk.
 */
import { log1pSeconds } from './exact-log.js';
import { CONTEXT_BIT } from './source-context-bits.js';

export interface ContextBlockInput {
  /** Flow starts, non-decreasing. */
  start: Float64Array;
  src: Uint32Array;
  /** Destination codes, equal exactly when the addresses are. */
  dst: Uint32Array;
  dstPort: Int32Array;
  nSources: number;
  idleSeconds: number;
  /** Outputs, per row. */
  logGap: Float64Array;
  bits: Uint8Array;
  /** Set to 1 by a block that meets a start earlier than the row before: the results are void. */
  outOfOrder: Int32Array;
}

/** Marks in `bits` between the block pass and the fix-up: a source's first and last row in its block. */
const FIRST = 0x40;
const LAST = 0x80;
const FEATURE_BITS = CONTEXT_BIT.srcNew | CONTEXT_BIT.dstAddrChanged | CONTEXT_BIT.dstPortChanged;

/** Context of row r given the source's previous flow q (the same rule as updateSourceContext). */
function afterPrevious(inp: ContextBlockInput, r: number, q: number): number {
  const gapSeconds = Math.max(0, (inp.start[r] - inp.start[q]) / 1000);
  if (gapSeconds > inp.idleSeconds) {
    inp.logGap[r] = Math.log1p(inp.idleSeconds);
    return CONTEXT_BIT.srcNew;
  }
  inp.logGap[r] = log1pSeconds(gapSeconds);
  return (inp.dst[r] !== inp.dst[q] ? CONTEXT_BIT.dstAddrChanged : 0) | (inp.dstPort[r] !== inp.dstPort[q] ? CONTEXT_BIT.dstPortChanged : 0);
}

/** Rows from..to-1 as if no flow came before `from`; marks each source's first and last row. */
export function contextBlock(inp: ContextBlockInput, from: number, to: number): void {
  const { src, start, dst, dstPort, logGap, bits, idleSeconds } = inp;
  // Per source, its previous flow's row and values: small arrays, where reading the previous
  // row's columns would miss the cache.
  const lastRow = new Int32Array(inp.nSources).fill(-1);
  const lastStart = new Float64Array(inp.nSources);
  const lastDst = new Uint32Array(inp.nSources);
  const lastPort = new Int32Array(inp.nSources);
  const seen = new Uint32Array(Math.min(inp.nSources, to - from));
  let seenCount = 0;
  const idleLogGap = Math.log1p(idleSeconds);
  let previous = from > 0 ? start[from - 1] : -Infinity;
  for (let r = from; r < to; r++) {
    const s = src[r];
    const t = start[r];
    if (t < previous) {
      Atomics.store(inp.outOfOrder, 0, 1);
      return;
    }
    previous = t;
    const d = dst[r];
    const port = dstPort[r];
    if (lastRow[s] < 0) {
      logGap[r] = idleLogGap;
      bits[r] = CONTEXT_BIT.srcNew | FIRST;
      seen[seenCount++] = s;
    } else {
      // afterPrevious() with the previous flow's values at hand.
      const gapSeconds = Math.max(0, (t - lastStart[s]) / 1000);
      if (gapSeconds > idleSeconds) {
        logGap[r] = idleLogGap;
        bits[r] = CONTEXT_BIT.srcNew;
      } else {
        logGap[r] = log1pSeconds(gapSeconds);
        bits[r] = (d !== lastDst[s] ? CONTEXT_BIT.dstAddrChanged : 0) | (port !== lastPort[s] ? CONTEXT_BIT.dstPortChanged : 0);
      }
    }
    lastRow[s] = r;
    lastStart[s] = t;
    lastDst[s] = d;
    lastPort[s] = port;
  }
  for (let k = 0; k < seenCount; k++) bits[lastRow[seen[k]]] |= LAST;
}

/** After contextBlock over every block: redoes first rows from earlier blocks and clears the marks. */
export function fixBlockStarts(inp: ContextBlockInput, n: number): void {
  const { src, bits } = inp;
  const lastRow = new Int32Array(inp.nSources).fill(-1);
  const fixRow = (r: number): void => {
    const b = bits[r];
    if (b < FIRST) return;
    const s = src[r];
    let v = b & FEATURE_BITS;
    if (b & FIRST) {
      const q = lastRow[s];
      if (q >= 0) v = afterPrevious(inp, r, q);
    }
    if (b & LAST) lastRow[s] = r;
    bits[r] = v;
  };
  // Four rows' bits at a time where the array is aligned for it: most words hold no mark.
  const aligned = bits.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(bits.buffer, bits.byteOffset, n >> 2) : new Uint32Array(0);
  const MARKS = (FIRST | LAST) * 0x01010101;
  for (let w = 0; w < words.length; w++) {
    if ((words[w] & MARKS) === 0) continue;
    for (let r = w * 4; r < w * 4 + 4; r++) fixRow(r);
  }
  for (let r = words.length * 4; r < n; r++) fixRow(r);
}

/**
 * The CIDDS fast path in WebAssembly (kernels/row-scan.ts): a run of plain rows is scanned there,
 * numbers parsed and text fields hashed, and this side looks the texts up in the dictionaries and
 * fills the batch. Whatever the scanner does not take (another shape of a field, a quote, a value
 * new to a dictionary) goes to the JavaScript parsers row by row, exactly as before, so the rows,
 * codes and bad-row reports are the same with and without it; the scanner only makes plain rows
 * cheaper (the JavaScript fast path spent ~0.5 us per row).
 */
import { readFileSync } from 'node:fs';
import type { BatchBuilder } from './batch-builder.js';
import { IcmpCodes } from './batch-builder.js';
import { parseTimestamp } from './byte-parse.js';

// Row outputs (kernels/row-scan.ts): f64 columns of MAX_ROWS each, an i32 record of REC words per row.
const MAX_ROWS = 4096;
const REC = 32;
const F_START = 0;
const F_DURATION = MAX_ROWS;
const F_PACKETS = 2 * MAX_ROWS;
const F_BYTES = 3 * MAX_ROWS;
const F_FLOWS = 4 * MAX_ROWS;
const F64_BASE = 65536;
const REC_BASE = F64_BASE + 5 * MAX_ROWS * 8;
// Record words.
const R_START = 0;
const R_SRC_PORT = 1;
const R_DST_PORT = 2;
const R_FLAGS = 3;
const R_TOS = 4;
const R_PROTO_SAME = 6;
const R_PROTO = 7;
const R_SRC = 10;
const R_DST = 13;
const R_TAIL_SAME = 16;
const R_LABELS = 17;
const R_DST_FRACTION_DIGITS = 29;
const R_DST_FRACTION = 30;
const PAGE = 65536;
const SLACK = 64;

interface ScanExports {
  memory: WebAssembly.Memory;
  INPUT_BASE: { value: number };
  scan(pos: number, end: number, maxRows: number): number;
  stopPosition(): number;
}

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;
let takenTotal = 0;

/** For tests and benchmarks: read without the scanner (false) or with it where built (true). */
export function setRowScanner(on: boolean): void {
  enabled = on;
}

/** Rows the scanner has put in batches in this thread (tests check that it ran). */
export function rowsScanned(): number {
  return takenTotal;
}

/** The scanner module, or null where it was not built or does not compile (the JS path then reads everything). */
function scanModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = process.env.NTC_ROW_SCAN === 'js' ? null : new WebAssembly.Module(readFileSync(new URL('./kernels/row-scan.wasm', import.meta.url)));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** What the scanner's caller does with a row the scanner's output cannot give: the JS path's verdict. */
export type JsRow = (pos: number) => number;

export class WasmRowScanner {
  private readonly x: ScanExports;
  private readonly inputBase: number;
  private bytes!: Uint8Array;
  private view!: DataView;
  private f64!: Float64Array;
  private i32!: Int32Array;
  // The previous scanned row's protocol and label codes (valid = known), for rows that repeat them.
  private lastProto = -1;
  private readonly lastLabels = new Uint32Array(4);
  private labelsKnown = false;
  private readonly icmp: IcmpCodes;
  /** Rows the scanner put in the batch since the caller last took this count (takeCount). */
  private taken = 0;

  /** A scanner filling `out`, or undefined where the WebAssembly build is not there. */
  static create(out: BatchBuilder): WasmRowScanner | undefined {
    const module = enabled ? scanModule() : null;
    return module ? new WasmRowScanner(module, out) : undefined;
  }

  private constructor(module: WebAssembly.Module, private readonly out: BatchBuilder) {
    this.icmp = new IcmpCodes(out.dicts.proto);
    const dayStart = (pos: number, h: number, mi: number, s: number): number => {
      const day = parseTimestamp(this.bytes, pos, pos + 19);
      return day !== day ? NaN : day - h * 3600000 - mi * 60000 - s * 1000;
    };
    this.x = new WebAssembly.Instance(module, { scan: { dayStart } }).exports as unknown as ScanExports;
    this.inputBase = this.x.INPUT_BASE.value;
    this.views();
  }

  private views(): void {
    const b = this.x.memory.buffer;
    // A Buffer like the JS path's chunks, so the dictionaries and parsers it shares with that path
    // see one kind of array (a second one made their optimized code start over).
    this.bytes = Buffer.from(b);
    this.view = new DataView(b);
    this.f64 = new Float64Array(b, F64_BASE, 5 * MAX_ROWS);
    this.i32 = new Int32Array(b, REC_BASE, MAX_ROWS * REC);
  }

  /**
   * Reads the complete rows of buf[pos..end) into the batch until it is full; a row the scanner
   * does not take goes to `jsRow`, which returns the position after it (or -1: stop there).
   * Returns where it stopped.
   */
  rows(buf: Uint8Array, pos: number, end: number, jsRow: JsRow): number {
    const len = end - pos;
    // Slack after the input: the scanner reads a short last row's fixed positions past its end.
    const need = this.inputBase + len + SLACK;
    const mem = this.x.memory;
    if (need > mem.buffer.byteLength) {
      mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
      this.views();
    }
    this.bytes.set(buf.subarray(pos, end), this.inputBase);
    this.bytes.fill(0, this.inputBase + len, this.inputBase + len + SLACK);
    const out = this.out;
    const base = pos - this.inputBase;
    const stop = this.inputBase + len;
    let p = this.inputBase;
    while (p < stop && !out.full) {
      const maxRows = Math.min(MAX_ROWS, out.capacity - out.length);
      const n = this.x.scan(p, stop, maxRows);
      for (let r = 0; r < n; r++) {
        if (this.take(r)) continue;
        const at = this.i32[r * REC + R_START] + base;
        const length = out.length;
        if (jsRow(at) < 0) return at;
        this.afterJsRow(out.length > length);
      }
      p = this.x.stopPosition();
      if (p < stop && n < maxRows && !out.full) {
        // A row of another shape: the JS path reads it, and the next scan starts after it.
        const next = jsRow(p + base);
        if (next < 0) return p + base;
        p = next - base;
      }
    }
    return p + base;
  }

  /** Row r of the last scan into the batch, if its texts are all known values; false leaves it to the JS path. */
  private take(r: number): boolean {
    const I = this.i32;
    const F = this.f64;
    const bytes = this.bytes;
    const view = this.view;
    const d = this.out.dicts;
    const w = r * REC;
    let proto = this.lastProto;
    if (I[w + R_PROTO_SAME] !== 1 || proto < 0) {
      proto = d.proto.find(bytes, I[w + R_PROTO], I[w + R_PROTO + 1], I[w + R_PROTO + 2], view);
      // New protocols go to the JS path: whether one is ICMP decides how its port reads.
      if (proto < 0 || proto === d.proto.emptyCode) return this.forget();
    }
    const addr = d.addr;
    const src = addr.find(bytes, I[w + R_SRC], I[w + R_SRC + 1], I[w + R_SRC + 2], view);
    if (src < 0 || src === addr.emptyCode) return this.forget();
    const dst = addr.find(bytes, I[w + R_DST], I[w + R_DST + 1], I[w + R_DST + 2], view);
    if (dst < 0 || dst === addr.emptyCode) return this.forget();
    // `3.3` is ICMP's type.code; other protocols take `445.0` only.
    let dstPort = I[w + R_DST_PORT];
    if (I[w + R_DST_FRACTION_DIGITS] !== 0) {
      if (this.icmp.has(proto)) dstPort = dstPort * 256 + I[w + R_DST_FRACTION];
      else if (I[w + R_DST_FRACTION] !== 0) return this.forget();
    }
    if (dstPort > 0xffff) return this.forget();
    const labels = this.lastLabels;
    if (I[w + R_TAIL_SAME] !== 1 || !this.labelsKnown) {
      if (I[w + R_TAIL_SAME] === 1) return this.forget();
      const l = w + R_LABELS;
      const label = d.label.find(bytes, I[l], I[l + 1], I[l + 2], view);
      if (label < 0 || label === d.label.emptyCode) return this.forget();
      const type = d.attackType.find(bytes, I[l + 3], I[l + 4], I[l + 5], view);
      const id = d.attackId.find(bytes, I[l + 6], I[l + 7], I[l + 8], view);
      const description = d.attackDescription.find(bytes, I[l + 9], I[l + 10], I[l + 11], view);
      if (type < 0 || id < 0 || description < 0) return this.forget();
      labels[0] = label;
      labels[1] = type;
      labels[2] = id;
      labels[3] = description;
      this.labelsKnown = true;
    }
    this.lastProto = proto;
    const out = this.out;
    const o = out.length;
    out.start[o] = F[F_START + r];
    out.duration[o] = F[F_DURATION + r];
    out.proto[o] = proto;
    out.srcAddr[o] = src;
    out.srcPort[o] = I[w + R_SRC_PORT];
    out.dstAddr[o] = dst;
    out.dstPort[o] = dstPort;
    out.packets[o] = F[F_PACKETS + r];
    out.bytes[o] = F[F_BYTES + r];
    out.flows[o] = F[F_FLOWS + r];
    out.flags[o] = I[w + R_FLAGS];
    out.tos[o] = I[w + R_TOS];
    out.label[o] = labels[0];
    out.attackType[o] = labels[1];
    out.attackId[o] = labels[2];
    out.attackDescription[o] = labels[3];
    out.length = o + 1;
    this.taken++;
    return true;
  }

  /** Rows put in the batch since the last call (the caller's row and line counts). */
  takeCount(): number {
    const n = this.taken;
    this.taken = 0;
    takenTotal += n;
    return n;
  }

  /** The row goes to the JS path; what it repeats is known again once that path has read it. */
  private forget(): false {
    this.lastProto = -1;
    this.labelsKnown = false;
    return false;
  }

  /** After the JS path read a scanned row: its codes are the ones the next rows may repeat. */
  private afterJsRow(good: boolean): void {
    if (!good) return;
    const out = this.out;
    const o = out.length - 1;
    this.lastProto = out.proto[o];
    this.lastLabels[0] = out.label[o];
    this.lastLabels[1] = out.attackType[o];
    this.lastLabels[2] = out.attackId[o];
    this.lastLabels[3] = out.attackDescription[o];
    this.labelsKnown = true;
  }
}

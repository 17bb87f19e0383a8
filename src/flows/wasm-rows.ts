/**
 * The CIDDS fast path in WebAssembly (kernels/row-scan.ts): a run of plain rows is scanned there,
 * numbers parsed and texts looked up in caches of the dictionaries' codes, and the batch gets the
 * run a column at a time. This side owns the dictionaries: it fills the caches from them, and adds
 * a row's new values in field order as the JS fast path does. Whatever the scanner does not take
 * (another shape of a field, a quote, a new protocol, a blank required text) goes to the
 * JavaScript parsers row by row, exactly as before, so the rows, codes and bad-row reports are the
 * same with and without it; the scanner only makes plain rows cheaper (the JavaScript fast path
 * spent ~0.5 us per row).
 */
import { readFileSync } from 'node:fs';
import type { BatchBuilder, FlowDictionaries } from './batch-builder.js';
import { IcmpCodes } from './batch-builder.js';
import type { ByteDictionary } from './byte-dictionary.js';
import { parseTimestamp } from './byte-parse.js';

// Scan outputs (kernels/row-scan.ts, which must agree): column-major values of MAX_ROWS rows each,
// and a record of REC i32 words per row for a row the scan stopped at.
const MAX_ROWS = 4096;
const F64_BASE = 65536;
const F_START = 0;
const F_DURATION = 1;
const F_PACKETS = 2;
const F_BYTES = 3;
const F_FLOWS = 4;
const REC = 32;
const REC_BASE = F64_BASE + 5 * MAX_ROWS * 8;
const I32_BASE = REC_BASE + MAX_ROWS * REC * 4;
const C_PROTO = 0;
const C_SRC = 1;
const C_DST = 2;
const C_SRC_PORT = 3;
const C_DST_PORT = 4;
const C_LABEL = 5;
const C_TYPE = 6;
const C_ID = 7;
const C_DESC = 8;
const U8_BASE = I32_BASE + 9 * MAX_ROWS * 4;
const U_FLAGS = 0;
const U_TOS = 1;
// Record words.
const R_END = 1;
const R_DST_PORT = 2;
const R_PROTO = 7;
const R_SRC = 10;
const R_DST = 13;
const R_LABELS = 17;
const R_DST_FRACTION_DIGITS = 29;
const R_DST_FRACTION = 30;
// Caches (remember()'s first argument).
const D_PROTO = 0;
const D_ADDR = 1;
const D_LABEL = 2;
// Stop reasons.
const STOP_ROOM = 1;
const STOP_MISS = 3;
/** The text fields after the addresses' protocol, in field order: the codes of a row that takeMissed reads. */
const TEXTS = [
  { col: C_SRC, word: R_SRC, cache: D_ADDR, required: true },
  { col: C_DST, word: R_DST, cache: D_ADDR, required: true },
  { col: C_LABEL, word: R_LABELS, cache: D_LABEL, required: true },
  { col: C_TYPE, word: R_LABELS + 3, cache: D_LABEL + 1, required: false },
  { col: C_ID, word: R_LABELS + 6, cache: D_LABEL + 2, required: false },
  { col: C_DESC, word: R_LABELS + 9, cache: D_LABEL + 3, required: false },
] as const;
/** cached(): a value the dictionary does not hold yet; the empty value where one is required. */
const NEW = -1;
const REJECTED = -2;
/** Fewer rows than this are copied element by element. */
const FEW_ROWS = 32;
const PAGE = 65536;
const SLACK = 64;

interface ScanExports {
  memory: WebAssembly.Memory;
  INPUT_BASE: { value: number };
  init(): void;
  scan(pos: number, end: number, maxRows: number): number;
  stopPosition(): number;
  stopReason(): number;
  remember(dict: number, start: number, end: number, hash: number, code: number, icmp: number): void;
  clear(dict: number): void;
}

let compiled: WebAssembly.Module | null | undefined;
const scanners = new WeakMap<FlowDictionaries, WasmRowScanner>();
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

/**
 * One scanner per batch builder: its caches hold the codes of that builder's dictionaries. They are
 * filled from those dictionaries as rows need them, so a code in a cache is the dictionary's own
 * (codes never change once handed out).
 */
export class WasmRowScanner {
  private readonly x: ScanExports;
  private readonly inputBase: number;
  private bytes!: Uint8Array;
  private view!: DataView;
  private f64!: Float64Array;
  private codes!: Int32Array;
  private u8!: Uint8Array;
  private rec!: Int32Array;
  private readonly icmp: IcmpCodes;
  /** Rows the scanner put in the batch since the caller last took this count (takeCount). */
  private taken = 0;
  /** The dictionary each cache holds codes of (D_PROTO, D_ADDR, then the four label columns). */
  private readonly cachedFor: (ByteDictionary | undefined)[] = [];
  /** The dictionary of each of TEXTS, as of the last checkDictionaries. */
  private textDicts: ByteDictionary[] = [];
  /** takeMissed's codes of the TEXTS of a row. */
  private readonly texts = new Int32Array(TEXTS.length);

  /**
   * The scanner for batches coded with `dicts`, or undefined where the WebAssembly build is not
   * there. One per set of dictionaries: the parsers of a thread's ranges (which share their
   * dictionaries) share its caches too, instead of each learning every address again.
   */
  static create(dicts: FlowDictionaries): WasmRowScanner | undefined {
    const module = enabled ? scanModule() : null;
    if (!module) return undefined;
    let s = scanners.get(dicts);
    if (!s) scanners.set(dicts, (s = new WasmRowScanner(module, dicts)));
    return s;
  }

  /** The batch the current rows() call fills (given with each call: parsers share a scanner). */
  private out!: BatchBuilder;

  private constructor(module: WebAssembly.Module, private readonly dicts: FlowDictionaries) {
    this.icmp = new IcmpCodes(dicts.proto);
    const dayStart = (pos: number, h: number, mi: number, s: number): number => {
      const day = parseTimestamp(this.bytes, pos, pos + 19);
      return day !== day ? NaN : day - h * 3600000 - mi * 60000 - s * 1000;
    };
    this.x = new WebAssembly.Instance(module, { scan: { dayStart } }).exports as unknown as ScanExports;
    this.inputBase = this.x.INPUT_BASE.value;
    this.x.init();
    this.views();
  }

  private views(): void {
    const b = this.x.memory.buffer;
    // A Buffer like the JS path's chunks, so the dictionaries and parsers it shares with that path
    // see one kind of array (a second one made their optimized code start over).
    this.bytes = Buffer.from(b);
    this.view = new DataView(b);
    this.f64 = new Float64Array(b, F64_BASE, 5 * MAX_ROWS);
    this.rec = new Int32Array(b, REC_BASE, MAX_ROWS * REC);
    this.codes = new Int32Array(b, I32_BASE, 9 * MAX_ROWS);
    this.u8 = new Uint8Array(b, U8_BASE, 2 * MAX_ROWS);
  }

  /**
   * Reads the complete rows of buf[pos..end) into the batch until it is full; a row the scanner
   * does not take goes to `jsRow`, which returns the position after it (or -1: stop there).
   * Returns where it stopped.
   */
  rows(out: BatchBuilder, buf: Uint8Array, pos: number, end: number, jsRow: JsRow): number {
    if (out.dicts !== this.dicts) throw new Error('internal: a row scanner fills batches of its own dictionaries only');
    this.out = out;
    const len = end - pos;
    // Slack after the input: the scanner reads a short last row's fixed positions past its end.
    const need = this.inputBase + len + SLACK;
    const mem = this.x.memory;
    if (need > mem.buffer.byteLength) {
      mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
      this.views();
    }
    this.checkDictionaries();
    this.bytes.set(buf.subarray(pos, end), this.inputBase);
    this.bytes.fill(0, this.inputBase + len, this.inputBase + len + SLACK);
    const base = pos - this.inputBase;
    const stop = this.inputBase + len;
    let p = this.inputBase;
    while (p < stop && !out.full) {
      const maxRows = Math.min(MAX_ROWS, out.capacity - out.length);
      const n = this.x.scan(p, stop, maxRows);
      if (n > 0) this.copy(n);
      p = this.x.stopPosition();
      if (p >= stop || out.full) break;
      const reason = this.x.stopReason();
      if (reason === STOP_ROOM) continue;
      const missed = reason === STOP_MISS;
      if (missed && this.takeMissed(n)) {
        p = this.rec[n * REC + R_END];
        continue;
      }
      // A row of another shape or of a new value: the JS path reads it, and the next scan starts after it.
      const length = out.length;
      const next = jsRow(p + base);
      if (next < 0) return p + base;
      // The dictionaries know the row's new values now: so do the caches, before the next row needs them.
      if (missed && out.length > length) this.learn(n);
      p = next - base;
    }
    return p + base;
  }

  /**
   * Empties the cache of a dictionary that was replaced since the last call (the classify reader
   * restarts the address dictionary at batch boundaries, between calls of rows()).
   */
  private checkDictionaries(): void {
    const d = this.dicts;
    // Only the address dictionary is ever replaced (restartAddresses; the others are readonly).
    if (d.addr === this.cachedFor[D_ADDR]) return;
    const now = [d.proto, d.addr, d.label, d.attackType, d.attackId, d.attackDescription];
    for (let k = 0; k < now.length; k++) {
      if (this.cachedFor[k] === now[k]) continue;
      if (this.cachedFor[k] !== undefined) this.x.clear(k);
      this.cachedFor[k] = now[k];
    }
    this.textDicts = [d.addr, d.addr, d.label, d.attackType, d.attackId, d.attackDescription];
  }

  /** The first n rows of the last scan into the batch, a column at a time. */
  private copy(n: number): void {
    if (n < FEW_ROWS) return this.copyFew(0, n);
    const out = this.out;
    const o = out.length;
    const F = this.f64;
    const C = this.codes;
    const U = this.u8;
    const f = (col: number) => F.subarray(col * MAX_ROWS, col * MAX_ROWS + n);
    const c = (col: number) => C.subarray(col * MAX_ROWS, col * MAX_ROWS + n);
    out.start.set(f(F_START), o);
    out.duration.set(f(F_DURATION), o);
    out.packets.set(f(F_PACKETS), o);
    out.bytes.set(f(F_BYTES), o);
    out.flows.set(f(F_FLOWS), o);
    out.proto.set(c(C_PROTO), o);
    out.srcAddr.set(c(C_SRC), o);
    out.dstAddr.set(c(C_DST), o);
    out.srcPort.set(c(C_SRC_PORT), o);
    out.dstPort.set(c(C_DST_PORT), o);
    out.label.set(c(C_LABEL), o);
    out.attackType.set(c(C_TYPE), o);
    out.attackId.set(c(C_ID), o);
    out.attackDescription.set(c(C_DESC), o);
    out.flags.set(U.subarray(U_FLAGS * MAX_ROWS, U_FLAGS * MAX_ROWS + n), o);
    out.tos.set(U.subarray(U_TOS * MAX_ROWS, U_TOS * MAX_ROWS + n), o);
    out.length = o + n;
    this.taken += n;
  }

  /** Rows from..from+n-1 of the last scan into the batch, element by element: copy() for a few rows, without the views a bulk copy makes. */
  private copyFew(from: number, n: number): void {
    const out = this.out;
    const o = out.length - from;
    const F = this.f64;
    const C = this.codes;
    const U = this.u8;
    for (let r = from; r < from + n; r++) {
      const to = o + r;
      out.start[to] = F[F_START * MAX_ROWS + r];
      out.duration[to] = F[F_DURATION * MAX_ROWS + r];
      out.packets[to] = F[F_PACKETS * MAX_ROWS + r];
      out.bytes[to] = F[F_BYTES * MAX_ROWS + r];
      out.flows[to] = F[F_FLOWS * MAX_ROWS + r];
      out.proto[to] = C[C_PROTO * MAX_ROWS + r];
      out.srcAddr[to] = C[C_SRC * MAX_ROWS + r];
      out.dstAddr[to] = C[C_DST * MAX_ROWS + r];
      out.srcPort[to] = C[C_SRC_PORT * MAX_ROWS + r];
      out.dstPort[to] = C[C_DST_PORT * MAX_ROWS + r];
      out.label[to] = C[C_LABEL * MAX_ROWS + r];
      out.attackType[to] = C[C_TYPE * MAX_ROWS + r];
      out.attackId[to] = C[C_ID * MAX_ROWS + r];
      out.attackDescription[to] = C[C_DESC * MAX_ROWS + r];
      out.flags[to] = U[U_FLAGS * MAX_ROWS + r];
      out.tos[to] = U[U_TOS * MAX_ROWS + r];
    }
    out.length = o + from + n;
    this.taken += n;
  }

  /** Enters what the dictionaries know of row r's texts into the caches. */
  private learn(r: number): void {
    const d = this.dicts;
    const dicts = this.textDicts;
    this.cached(r, C_PROTO, R_PROTO, D_PROTO, d.proto, true);
    for (let k = 0; k < TEXTS.length; k++) this.cached(r, TEXTS[k].col, TEXTS[k].word, TEXTS[k].cache, dicts[k], TEXTS[k].required);
  }

  /**
   * Row r, where the scan stopped because a text was not in its cache: into the batch with the
   * codes the dictionaries give, its new values added to them in field order as the JS fast path
   * adds them (the scanner has checked the rest of the row); the caches learn the codes. False
   * leaves the row to the JS path: a new protocol, a port that depends on one, a blank required text.
   */
  private takeMissed(r: number): boolean {
    const d = this.dicts;
    const C = this.codes;
    const proto = this.cached(r, C_PROTO, R_PROTO, D_PROTO, d.proto, true);
    // New protocols go to the JS path: whether one is ICMP decides how its port reads.
    if (proto < 0) return false;
    // `3.3` is ICMP's type.code; other protocols take `445.0` only.
    const w = r * REC;
    const I = this.rec;
    let dstPort = I[w + R_DST_PORT];
    if (I[w + R_DST_FRACTION_DIGITS] !== 0) {
      if (this.icmp.has(proto)) dstPort = dstPort * 256 + I[w + R_DST_FRACTION];
      else if (I[w + R_DST_FRACTION] !== 0) return false;
    }
    if (dstPort > 0xffff) return false;
    const texts = this.texts;
    const dicts = this.textDicts;
    let added = false;
    for (let k = 0; k < TEXTS.length; k++) {
      const code = this.cached(r, TEXTS[k].col, TEXTS[k].word, TEXTS[k].cache, dicts[k], TEXTS[k].required);
      if (code === REJECTED) return false;
      if (code === NEW && TEXTS[k].required && this.blank(r, TEXTS[k].word)) return false;
      texts[k] = code;
      added ||= code === NEW;
    }
    if (added) this.addNew(r, dicts);
    C[C_DST_PORT * MAX_ROWS + r] = dstPort;
    C[C_PROTO * MAX_ROWS + r] = proto;
    for (let k = 0; k < TEXTS.length; k++) C[TEXTS[k].col * MAX_ROWS + r] = texts[k];
    this.copyFew(r, 1);
    return true;
  }

  /** The row's new values into their dictionaries in field order (then the caches), their codes into `texts`. */
  private addNew(r: number, dicts: ByteDictionary[]): void {
    const texts = this.texts;
    const I = this.rec;
    for (let k = 0; k < TEXTS.length; k++) {
      if (texts[k] !== NEW) continue;
      const t = TEXTS[k];
      const w = r * REC + t.word;
      const dict = dicts[k];
      const code = dict.codeHashed(this.bytes, I[w], I[w + 1], I[w + 2]);
      texts[k] = code;
      if (!(t.required && code === dict.emptyCode)) this.x.remember(t.cache, I[w], I[w + 1], I[w + 2], code, 0);
    }
  }

  /** Whether row r's text at record words `word` is only blanks (the JS fast path leaves such a required value to the general parser). */
  private blank(r: number, word: number): boolean {
    const I = this.rec;
    const w = r * REC + word;
    const b = this.bytes;
    for (let k = I[w]; k < I[w + 1]; k++) if (b[k] !== 0x20 && b[k] !== 0x09) return false;
    return true;
  }

  /**
   * The code of row r's text field (record words at `word`) from column `col` where the scan found
   * it, else from the dictionary, which the cache then learns; NEW where the dictionary does not
   * know it, REJECTED where it is the empty value and a value is required.
   */
  private cached(r: number, col: number, word: number, cache: number, dict: ByteDictionary, required: boolean): number {
    const known = this.codes[col * MAX_ROWS + r];
    if (known >= 0) return known;
    const I = this.rec;
    const w = r * REC + word;
    const code = dict.find(this.bytes, I[w], I[w + 1], I[w + 2], this.view);
    if (code < 0) return NEW;
    if (required && code === dict.emptyCode) return REJECTED;
    this.x.remember(cache, I[w], I[w + 1], I[w + 2], code, cache === D_PROTO && this.icmp.has(code) ? 1 : 0);
    return code;
  }

  /** Rows put in the batch since the last call (the caller's row and line counts). */
  takeCount(): number {
    const n = this.taken;
    this.taken = 0;
    takenTotal += n;
    return n;
  }
}

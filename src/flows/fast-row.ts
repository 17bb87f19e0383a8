/**
 * The fused fast path for well-formed rows: one pass over a row's bytes that finds the separators
 * and parses each value as it goes (numbers accumulate digit by digit, text is hashed for the
 * dictionary while it is scanned). Anything unusual (a quote, a wrong field count, a value that
 * does not parse) makes it return -1, and the general parser in row-parser.ts handles the row and
 * says what is wrong with it. Rows given to it must end with a newline inside the buffer.
 */
import type { BatchBuilder } from './batch-builder.js';
import { isIcmpName } from './batch-builder.js';
import { FNV_OFFSET, FNV_PRIME, type ByteDictionary } from './byte-dictionary.js';
import { parseDecimal, parseFlags, parsePort, parseScaledCount, parseTimestamp, parseUint } from './byte-parse.js';
import type { ColumnIndex, Layout } from './layout.js';

const K = {
  skip: 0, start: 1, end: 2, duration: 3, proto: 4, srcAddr: 5, dstAddr: 6, srcPort: 7, dstPort: 8, packets: 9, bytes: 10,
  flows: 11, flags: 12, tos: 13, label: 14, attackType: 15, attackId: 16, attackDescription: 17,
} as const;

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const DOT = 0x2e;
const D0 = 0x30;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** End of the field starting at `i`: the next comma, CR or LF. */
function fieldEnd(buf: Uint8Array, i: number): number {
  for (;;) {
    const c = buf[i];
    if (c === COMMA || c === LF || c === CR) return i;
    i++;
  }
}

export class FastRowParser {
  private readonly kinds: Uint8Array;
  private readonly n: number;
  private readonly labelled: boolean;
  private readonly hasFlows: boolean;
  private readonly hasFlags: boolean;
  private readonly hasTos: boolean;
  /** The exact CIDDS column order: parsed by straight-line code, without per-field dispatch. */
  private readonly cidds: boolean;
  private icmpByCode = new Uint8Array(16);
  /** Position after the field just parsed (module-style out parameter, avoids allocating). */
  private at = 0;
  private lastDateKey = -1;
  private lastDayMs = 0;
  // Per field, where the same field of the previous row sits in `lastBuf`: labels and protocols
  // repeat row after row, and comparing a few bytes is cheaper than hashing and probing.
  private lastBuf: Uint8Array | null = null;
  private readonly lastStart: Int32Array;
  private readonly lastLen: Int32Array;
  private readonly lastCode: Uint32Array;

  /** A layout the fast path can take (it needs the protocol before the ICMP type.code port). */
  static supports(layout: Layout): boolean {
    return layout.index.proto < layout.index.dstPort;
  }

  constructor(
    layout: Layout,
    private readonly out: BatchBuilder,
    private readonly none: { label: number; attackType: number; attackId: number; attackDescription: number },
  ) {
    this.n = layout.names.length;
    this.kinds = new Uint8Array(this.n);
    this.lastStart = new Int32Array(this.n);
    this.lastLen = new Int32Array(this.n).fill(-1);
    this.lastCode = new Uint32Array(this.n);
    for (const key of Object.keys(layout.index) as (keyof ColumnIndex)[]) {
      const col = layout.index[key];
      if (col >= 0) this.kinds[col] = K[key];
    }
    this.labelled = layout.labelled;
    this.hasFlows = layout.index.flows >= 0;
    this.hasFlags = layout.index.flags >= 0;
    this.hasTos = layout.index.tos >= 0;
    this.cidds = layout.format === 'cidds';
  }

  /** Parses the row at `i` into row `out.length`; returns the position after its newline, or -1. */
  row(buf: Uint8Array, i: number): number {
    if (this.cidds) return this.ciddsRow(buf, i);
    return this.anyRow(buf, i);
  }

  /** `row` for the CIDDS layout (see CIDDS_HEADER for the order). */
  private ciddsRow(buf: Uint8Array, i: number): number {
    const out = this.out;
    const d = out.dicts;
    const r = out.length;
    if (buf !== this.lastBuf) {
      this.lastBuf = buf;
      this.lastLen.fill(-1);
    }
    const start = this.time(buf, i);
    if (start !== start) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const duration = this.count(buf, i);
    if (!(duration >= 0)) return -1;
    i = this.at + 1;
    const proto = this.repeatedText(buf, i, d.proto, true, 2);
    if (proto < 0) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const srcAddr = this.text(buf, i, d.addr, true);
    if (srcAddr < 0) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const srcPort = this.portField(buf, i, false);
    if (srcPort < 0) return -1;
    i = this.at + 1;
    const dstAddr = this.text(buf, i, d.addr, true);
    if (dstAddr < 0) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const dstPort = this.portField(buf, i, this.isIcmp(proto));
    if (dstPort < 0) return -1;
    i = this.at + 1;
    const packets = this.count(buf, i);
    if (!(packets >= 0)) return -1;
    i = this.at + 1;
    const bytes = this.count(buf, i);
    if (!(bytes >= 0)) return -1;
    i = this.at + 1;
    const flows = this.count(buf, i);
    if (!(flows >= 0)) return -1;
    i = this.at + 1;
    const flags = this.flagsField(buf, i);
    if (flags < 0) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    let tos = 0;
    let c = buf[i] - D0;
    let digits = 0;
    while (c >= 0 && c <= 9) {
      tos = tos * 10 + c;
      digits++;
      c = buf[++i] - D0;
    }
    if (digits === 0 || tos > 255) {
      const e = fieldEnd(buf, i);
      tos = parseUint(buf, i, e);
      if (!(tos <= 255)) return -1;
      i = e;
    }
    if (buf[i++] !== COMMA) return -1;
    const label = this.repeatedText(buf, i, d.label, true, 12);
    if (label < 0) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const attackType = this.repeatedText(buf, i, d.attackType, false, 13);
    if (attackType < 0) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const attackId = this.repeatedText(buf, i, d.attackId, false, 14);
    if (attackId < 0) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const attackDescription = this.repeatedText(buf, i, d.attackDescription, false, 15);
    if (attackDescription < 0) return -1;
    i = this.at;
    if (buf[i] === CR) i++;
    if (buf[i] !== LF) return -1;
    out.start[r] = start;
    out.duration[r] = duration;
    out.proto[r] = proto;
    out.srcAddr[r] = srcAddr;
    out.srcPort[r] = srcPort;
    out.dstAddr[r] = dstAddr;
    out.dstPort[r] = dstPort;
    out.packets[r] = packets;
    out.bytes[r] = bytes;
    out.flows[r] = flows;
    out.flags[r] = flags;
    out.tos[r] = tos;
    out.label[r] = label;
    out.attackType[r] = attackType;
    out.attackId[r] = attackId;
    out.attackDescription[r] = attackDescription;
    return i + 1;
  }

  /** A count or duration: plain decimal, else padded/scaled via the general parser; `at` = its comma. */
  private count(buf: Uint8Array, i: number): number {
    let v = this.decimal(buf, i);
    if (buf[this.at] === COMMA && v === v) return v;
    const e = fieldEnd(buf, i);
    v = parseScaledCount(buf, i, e);
    this.at = e;
    return buf[e] === COMMA ? v : NaN;
  }

  /** A port field ending in a comma; -1 if it is not one. */
  private portField(buf: Uint8Array, i: number, icmp: boolean): number {
    let v = this.port(buf, i, icmp);
    if (buf[this.at] !== COMMA || v < 0) {
      const e = fieldEnd(buf, i);
      v = parsePort(buf, i, e, icmp);
      this.at = e;
      if (!(v >= 0) || buf[e] !== COMMA) return -1;
    }
    return v <= 0xffff ? v : -1;
  }

  /** TCP flags; `at` = the byte after the field. -1 if they do not parse. */
  private flagsField(buf: Uint8Array, i: number): number {
    if (isSep(buf[i + 6])) {
      let bits = 0;
      let k = 0;
      for (; k < 6; k++) {
        const c = buf[i + k];
        if (c === FLAGS6[k]) bits |= 0x20 >> k;
        else if (c !== DOT) break;
      }
      if (k === 6) {
        this.at = i + 6;
        return bits;
      }
    }
    const e = fieldEnd(buf, i);
    this.at = e;
    return parseFlags(buf, i, e);
  }

  /** `row` for any layout, dispatching on each field's kind. */
  private anyRow(buf: Uint8Array, i: number): number {
    const out = this.out;
    const d = out.dicts;
    const r = out.length;
    const kinds = this.kinds;
    const n = this.n;
    if (buf !== this.lastBuf) {
      this.lastBuf = buf;
      this.lastLen.fill(-1);
    }
    let start = NaN;
    let end = NaN;
    let haveDuration = false;
    let proto = -1;
    for (let f = 0; f < n; f++) {
      const s = i;
      switch (kinds[f]) {
        case K.skip:
          if (buf[i] === QUOTE) return -1;
          i = fieldEnd(buf, i);
          break;
        case K.start:
          start = this.time(buf, i);
          if (start !== start) return -1;
          out.start[r] = start;
          i = this.at;
          break;
        case K.end:
          end = this.time(buf, i);
          if (end !== end) return -1;
          i = this.at;
          break;
        case K.duration: {
          let v = this.decimal(buf, i);
          i = this.at;
          if (!isSep(buf[i]) || v !== v) {
            i = fieldEnd(buf, s);
            v = parseDecimal(buf, s, i);
          }
          if (!(v >= 0)) return -1;
          out.duration[r] = v;
          haveDuration = true;
          break;
        }
        case K.packets:
        case K.bytes:
        case K.flows: {
          let v = this.decimal(buf, i);
          i = this.at;
          if (!isSep(buf[i]) || v !== v) {
            // Padded or scaled (` 2.1 M`): the general parser.
            i = fieldEnd(buf, s);
            v = parseScaledCount(buf, s, i);
          }
          if (!(v >= 0)) return -1;
          const k = kinds[f];
          if (k === K.packets) out.packets[r] = v;
          else if (k === K.bytes) out.bytes[r] = v;
          else out.flows[r] = v;
          break;
        }
        case K.srcPort:
        case K.dstPort: {
          const icmp = kinds[f] === K.dstPort && this.isIcmp(proto);
          let v = this.port(buf, i, icmp);
          i = this.at;
          if (!isSep(buf[i]) || v < 0) {
            i = fieldEnd(buf, s);
            v = parsePort(buf, s, i, icmp);
            if (!(v >= 0)) return -1;
          }
          if (v > 0xffff) return -1;
          if (kinds[f] === K.srcPort) out.srcPort[r] = v;
          else out.dstPort[r] = v;
          break;
        }
        case K.flags: {
          // The common 6-character UAPRSF form inline; the rest through the general parser.
          if (isSep(buf[i + 6])) {
            let bits = 0;
            let k = 0;
            for (; k < 6; k++) {
              const c = buf[i + k];
              if (c === FLAGS6[k]) bits |= 0x20 >> k;
              else if (c !== DOT) break;
            }
            if (k === 6) {
              out.flags[r] = bits;
              i += 6;
              break;
            }
          }
          i = fieldEnd(buf, s);
          const v = parseFlags(buf, s, i);
          if (v < 0) return -1;
          out.flags[r] = v;
          break;
        }
        case K.tos: {
          i = fieldEnd(buf, s);
          const v = parseUint(buf, s, i);
          if (!(v <= 255)) return -1;
          out.tos[r] = v;
          break;
        }
        case K.proto:
          proto = this.repeatedText(buf, i, d.proto, true, f);
          if (proto < 0) return -1;
          out.proto[r] = proto;
          i = this.at;
          break;
        case K.srcAddr:
        case K.dstAddr: {
          const v = this.text(buf, i, d.addr, true);
          if (v < 0) return -1;
          if (kinds[f] === K.srcAddr) out.srcAddr[r] = v;
          else out.dstAddr[r] = v;
          i = this.at;
          break;
        }
        case K.label:
          if (this.labelled) {
            const v = this.repeatedText(buf, i, d.label, true, f);
            if (v < 0) return -1;
            out.label[r] = v;
            i = this.at;
          } else i = fieldEnd(buf, i);
          break;
        case K.attackType:
        case K.attackId:
        case K.attackDescription: {
          if (!this.labelled) {
            i = fieldEnd(buf, i);
            break;
          }
          const k = kinds[f];
          const dict = k === K.attackType ? d.attackType : k === K.attackId ? d.attackId : d.attackDescription;
          const v = this.repeatedText(buf, i, dict, false, f);
          if (v < 0) return -1;
          if (k === K.attackType) out.attackType[r] = v;
          else if (k === K.attackId) out.attackId[r] = v;
          else out.attackDescription[r] = v;
          i = this.at;
          break;
        }
        default:
          return -1;
      }
      // Separator: a comma between fields, the line end (CRLF allowed) after the last.
      const c = buf[i];
      if (f < n - 1) {
        if (c !== COMMA) return -1;
        i++;
      } else {
        if (c === CR) i++;
        if (buf[i] !== LF) return -1;
        i++;
      }
    }
    if (!haveDuration) out.duration[r] = end === end ? Math.max(0, (end - start) / 1000) : 0;
    if (!this.hasFlows) out.flows[r] = 1;
    if (!this.hasFlags) out.flags[r] = 0;
    if (!this.hasTos) out.tos[r] = 0;
    if (!this.labelled) {
      out.label[r] = this.none.label;
      out.attackType[r] = this.none.attackType;
      out.attackId[r] = this.none.attackId;
      out.attackDescription[r] = this.none.attackDescription;
    }
    return i;
  }

  /** `[-]digits[.digits]`, stopping at the first other byte; NaN if there are no digits. */
  private decimal(buf: Uint8Array, i: number): number {
    let neg = false;
    if (buf[i] === 0x2d) {
      neg = true;
      i++;
    }
    let mant = 0;
    let digits = 0;
    let c = buf[i] - D0;
    while (c >= 0 && c <= 9) {
      mant = mant * 10 + c;
      digits++;
      c = buf[++i] - D0;
    }
    let scale = 0;
    if (c === DOT - D0) {
      c = buf[++i] - D0;
      while (c >= 0 && c <= 9) {
        mant = mant * 10 + c;
        scale++;
        c = buf[++i] - D0;
      }
    }
    this.at = i;
    if (digits + scale === 0 || digits + scale > 15) return NaN;
    const v = scale === 0 ? mant : mant / POW10[scale];
    return neg ? -v : v;
  }

  /** `445`, `445.0`, ICMP `3.3`; -1 when it is not that shape. */
  private port(buf: Uint8Array, i: number, icmp: boolean): number {
    let whole = 0;
    let digits = 0;
    let c = buf[i] - D0;
    while (c >= 0 && c <= 9) {
      whole = whole * 10 + c;
      digits++;
      c = buf[++i] - D0;
    }
    if (digits === 0 || digits > 6) {
      this.at = i;
      return -1;
    }
    if (c !== DOT - D0) {
      this.at = i;
      return whole;
    }
    let frac = 0;
    let fd = 0;
    c = buf[++i] - D0;
    while (c >= 0 && c <= 9) {
      frac = frac * 10 + c;
      fd++;
      c = buf[++i] - D0;
    }
    this.at = i;
    if (fd === 0 || fd > 3) return -1;
    if (icmp) return whole * 256 + frac;
    return frac === 0 ? whole : -1;
  }

  /** `YYYY-MM-DD HH:MM:SS[.fff]` or epoch numbers, via the general parser on the field. */
  private time(buf: Uint8Array, i: number): number {
    // `YYYY-MM-DD HH:MM:SS.mmm` at fixed positions, the day looked up once per distinct date.
    if (
      buf[i + 4] === 0x2d && buf[i + 7] === 0x2d && buf[i + 10] === 0x20 && buf[i + 13] === 0x3a && buf[i + 16] === 0x3a &&
      buf[i + 19] === DOT && isSep(buf[i + 23])
    ) {
      const ymd = digit(buf, i) * 1000 + digit(buf, i + 1) * 100 + digit(buf, i + 2) * 10 + digit(buf, i + 3);
      const key = ymd * 10000 + (digit(buf, i + 5) * 10 + digit(buf, i + 6)) * 100 + digit(buf, i + 8) * 10 + digit(buf, i + 9);
      const h = digit(buf, i + 11) * 10 + digit(buf, i + 12);
      const mi = digit(buf, i + 14) * 10 + digit(buf, i + 15);
      const sec = digit(buf, i + 17) * 10 + digit(buf, i + 18);
      const ms = digit(buf, i + 20) * 100 + digit(buf, i + 21) * 10 + digit(buf, i + 22);
      // digit() gives a large value for a non-digit, so any bad byte fails these range checks.
      if (h < 24 && mi < 60 && sec < 61 && ms < 1000 && key < 1e8) {
        if (key !== this.lastDateKey) {
          const day = parseTimestamp(buf, i, i + 19); // validates the date (to the second)
          if (day !== day) return NaN;
          this.lastDateKey = key;
          this.lastDayMs = day - h * 3600000 - mi * 60000 - sec * 1000;
        }
        this.at = i + 23;
        return this.lastDayMs + h * 3600000 + mi * 60000 + sec * 1000 + ms;
      }
    }
    if (buf[i] === QUOTE) return NaN;
    const e = fieldEnd(buf, i);
    this.at = e;
    return parseTimestamp(buf, i, e);
  }

  /** As `text`, first trying the value of the same field in the previous row. */
  private repeatedText(buf: Uint8Array, i: number, dict: ByteDictionary, required: boolean, f: number): number {
    const len = this.lastLen[f];
    if (len >= 0) {
      const ls = this.lastStart[f];
      let k = 0;
      while (k < len && buf[i + k] === buf[ls + k]) k++;
      if (k === len) {
        const c = buf[i + len];
        if (c === COMMA || c === LF || c === CR) {
          this.at = i + len;
          return this.lastCode[f];
        }
      }
    }
    const code = this.text(buf, i, dict, required);
    if (code >= 0) {
      this.lastStart[f] = i;
      this.lastLen[f] = this.at - i;
      this.lastCode[f] = code;
    }
    return code;
  }

  /** Dictionary code of the text field at `i`, hashing while scanning; -1 for quotes or empty. */
  private text(buf: Uint8Array, i: number, dict: ByteDictionary, required: boolean): number {
    if (buf[i] === QUOTE) return -1;
    const s = i;
    let h = FNV_OFFSET;
    let c = buf[i];
    while (c !== COMMA && c !== LF && c !== CR) {
      h = Math.imul(h ^ c, FNV_PRIME);
      c = buf[++i];
    }
    this.at = i;
    const code = dict.codeHashed(buf, s, i, h);
    if (required && code === dict.emptyCode) return -1;
    return code;
  }

  private isIcmp(code: number): boolean {
    if (code < 0) return false;
    if (code >= this.icmpByCode.length) {
      const grown = new Uint8Array(Math.max(code + 1, this.icmpByCode.length * 2));
      grown.set(this.icmpByCode);
      this.icmpByCode = grown;
    }
    let v = this.icmpByCode[code];
    if (v === 0) {
      v = isIcmpName(this.out.dicts.proto.values[code]) ? 2 : 1;
      this.icmpByCode[code] = v;
    }
    return v === 2;
  }
}

const FLAGS6 = [0x55, 0x41, 0x50, 0x52, 0x53, 0x46]; // U A P R S F

/** Value of a decimal digit byte; 1000 for anything else, which fails every range check. */
function digit(buf: Uint8Array, i: number): number {
  const d = buf[i] - D0;
  return d >= 0 && d <= 9 ? d : 1000;
}

function isSep(c: number): boolean {
  return c === COMMA || c === LF || c === CR;
}

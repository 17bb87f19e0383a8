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
  private icmpByCode = new Uint8Array(16);
  /** Position after the field just parsed (module-style out parameter, avoids allocating). */
  private at = 0;

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
    for (const key of Object.keys(layout.index) as (keyof ColumnIndex)[]) {
      const col = layout.index[key];
      if (col >= 0) this.kinds[col] = K[key];
    }
    this.labelled = layout.labelled;
    this.hasFlows = layout.index.flows >= 0;
    this.hasFlags = layout.index.flags >= 0;
    this.hasTos = layout.index.tos >= 0;
  }

  /** Parses the row at `i` into row `out.length`; returns the position after its newline, or -1. */
  row(buf: Uint8Array, i: number): number {
    const out = this.out;
    const d = out.dicts;
    const r = out.length;
    const kinds = this.kinds;
    const n = this.n;
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
          proto = this.text(buf, i, d.proto, true);
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
            const v = this.text(buf, i, d.label, true);
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
          const v = this.text(buf, i, dict, false);
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
    if (buf[i] === QUOTE) return NaN;
    const e = fieldEnd(buf, i);
    this.at = e;
    return parseTimestamp(buf, i, e);
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

function isSep(c: number): boolean {
  return c === COMMA || c === LF || c === CR;
}

/**
 * The fused fast path for well-formed rows: one pass over a row's bytes that finds the separators
 * and parses each value as it goes (numbers accumulate digit by digit, text is hashed for the
 * dictionary while it is scanned). Anything unusual (a quote, a wrong field count, a value that
 * does not parse) makes it return -1, and the general parser in row-parser.ts handles the row and
 * says what is wrong with it. Rows given to it must end with a newline inside the buffer.
 */
import type { BatchBuilder } from './batch-builder.js';
import { parseDecimal, parsePort, parseScaledCount, parseUint } from './byte-parse.js';
import { COMMA, CR, D0, FieldScanner, fieldEnd, isSep, LF, QUOTE } from './field-scanner.js';
import type { ColumnIndex, Layout } from './layout.js';

const K = {
  skip: 0, start: 1, end: 2, duration: 3, proto: 4, srcAddr: 5, dstAddr: 6, srcPort: 7, dstPort: 8, packets: 9, bytes: 10,
  flows: 11, flags: 12, tos: 13, label: 14, attackType: 15, attackId: 16, attackDescription: 17,
} as const;

export class FastRowParser extends FieldScanner {
  private readonly kinds: Uint8Array;
  private readonly n: number;
  private readonly labelled: boolean;
  private readonly hasFlows: boolean;
  private readonly hasFlags: boolean;
  private readonly hasTos: boolean;
  /** The exact CIDDS column order: parsed by straight-line code, without per-field dispatch. */
  private readonly cidds: boolean;
  private readonly newCodes = new Int32Array(6);
  /** The previous good row's label fields and line end (from `class` on), and their codes. */
  private tailBuf: Uint8Array | null = null;
  private tailStart = 0;
  private tailLen = 0;
  private readonly tailCodes = new Int32Array(4);

  /** A layout the fast path can take (it needs the protocol before the ICMP type.code port). */
  static supports(layout: Layout): boolean {
    return layout.index.proto < layout.index.dstPort;
  }

  constructor(
    layout: Layout,
    private readonly out: BatchBuilder,
    private readonly none: { label: number; attackType: number; attackId: number; attackDescription: number },
  ) {
    super(layout.names.length, out.dicts);
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
    this.cidds = layout.format === 'cidds';
  }

  /** Parses the row at `i` into row `out.length`; returns the position after its newline, or -1. */
  row(buf: Uint8Array, i: number): number {
    this.clearMisses();
    if (this.cidds) return this.ciddsRow(buf, i);
    return this.anyRow(buf, i);
  }

  /** `row` for the CIDDS layout (see CIDDS_HEADER for the order). */
  private ciddsRow(buf: Uint8Array, i: number): number {
    const out = this.out;
    const d = out.dicts;
    const r = out.length;
    this.useBuffer(buf);
    if (!this.timeInto(buf, i)) return -1;
    const start = this.number[0];
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    if (!this.countInto(buf, i)) return -1;
    const duration = this.number[0];
    i = this.at + 1;
    // A new protocol goes to the general parser: whether it is ICMP decides how its port reads.
    const proto = this.repeatedText(buf, i, d.proto, true, 2);
    if (proto < 0) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    let srcAddr = this.text(buf, i, d.addr, true);
    if (srcAddr === -1) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const srcPort = this.portField(buf, i, false);
    if (srcPort < 0) return -1;
    i = this.at + 1;
    let dstAddr = this.text(buf, i, d.addr, true);
    if (dstAddr === -1) return -1;
    i = this.at;
    if (buf[i++] !== COMMA) return -1;
    const dstPort = this.portField(buf, i, this.isIcmp(proto));
    if (dstPort < 0) return -1;
    i = this.at + 1;
    if (!this.countInto(buf, i)) return -1;
    const packets = this.number[0];
    i = this.at + 1;
    if (!this.countInto(buf, i)) return -1;
    const bytes = this.number[0];
    i = this.at + 1;
    if (!this.countInto(buf, i)) return -1;
    const flows = this.number[0];
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
    let label: number;
    let attackType: number;
    let attackId: number;
    let attackDescription: number;
    const tailAt = i;
    const sameTail = this.tailLen > 0 && this.tailBuf === buf && this.sameBytes(buf, i, this.tailStart, this.tailLen);
    if (sameTail) {
      // The four label fields and the line end exactly as in the row before (nearly every row).
      const t = this.tailCodes;
      label = t[0];
      attackType = t[1];
      attackId = t[2];
      attackDescription = t[3];
      i += this.tailLen - 1;
    } else {
      label = this.repeatedText(buf, i, d.label, true, 12);
      if (label === -1) return -1;
      i = this.at;
      if (buf[i++] !== COMMA) return -1;
      attackType = this.repeatedText(buf, i, d.attackType, false, 13);
      if (attackType === -1) return -1;
      i = this.at;
      if (buf[i++] !== COMMA) return -1;
      attackId = this.repeatedText(buf, i, d.attackId, false, 14);
      if (attackId === -1) return -1;
      i = this.at;
      if (buf[i++] !== COMMA) return -1;
      attackDescription = this.repeatedText(buf, i, d.attackDescription, false, 15);
      if (attackDescription === -1) return -1;
      i = this.at;
      if (buf[i] === CR) i++;
      if (buf[i] !== LF) return -1;
    }
    if (this.missCount > 0) {
      // New values, added now the row is known to be good, in field order.
      const codes = this.newCodes;
      codes[0] = srcAddr;
      codes[1] = dstAddr;
      codes[2] = label;
      codes[3] = attackType;
      codes[4] = attackId;
      codes[5] = attackDescription;
      this.addMisses(buf, codes);
      [srcAddr, dstAddr, label, attackType, attackId, attackDescription] = codes;
    }
    if (!sameTail) {
      this.tailBuf = buf;
      this.tailStart = tailAt;
      this.tailLen = i + 1 - tailAt;
      const t = this.tailCodes;
      t[0] = label;
      t[1] = attackType;
      t[2] = attackId;
      t[3] = attackDescription;
    }
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




  /** `row` for any layout, dispatching on each field's kind. */
  private anyRow(buf: Uint8Array, i: number): number {
    const out = this.out;
    const d = out.dicts;
    const r = out.length;
    const kinds = this.kinds;
    const n = this.n;
    this.useBuffer(buf);
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
          const v = this.flagsField(buf, i);
          if (v < 0) return -1;
          out.flags[r] = v;
          i = this.at;
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






}

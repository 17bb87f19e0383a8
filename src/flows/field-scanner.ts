/**
 * Scanners for single fields of the fast path (fast-row.ts): each parses the field starting at a
 * position without allocating, leaves the position after it in `at`, and signals what it cannot
 * take (NaN or -1) so that the row goes to the general parser instead.
 */
import { IcmpCodes, type FlowDictionaries } from './batch-builder.js';
import { HASH_MUL, HASH_SEED, type ByteDictionary } from './byte-dictionary.js';
import { parseFlags, parsePort, parseScaledCount, parseTimestamp } from './byte-parse.js';
import { SPACE, TAB } from '../util/ascii.js';

export const COMMA = 0x2c;
export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;
export const DOT = 0x2e;
export const D0 = 0x30;
/** text(): a value its dictionary does not hold yet (see miss()). */
export const MISS = -2;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** End of the field starting at `i`: the next comma, CR or LF. */
export function fieldEnd(buf: Uint8Array, i: number): number {
  for (;;) {
    const c = buf[i];
    if (c === COMMA || c === LF || c === CR) return i;
    i++;
  }
}

export class FieldScanner {
  /** Position after the field just parsed (an out parameter that avoids allocating). */
  protected at = 0;
  /** A number parsed (an out parameter: a double returned by a call not inlined is allocated). */
  protected readonly number = new Float64Array(1);
  private readonly icmp: IcmpCodes;
  private lastDateKey = -1;
  private lastDayMs = 0;
  /** Where the previous row's timestamp was read on the fixed-position path, and its hour. */
  private lastTimeAt = -1;
  private lastTimeBuf: Uint8Array | null = null;
  private lastHour = 0;
  // Per field, where the same field of the previous row sits in `lastBuf`: labels and protocols
  // repeat row after row, and comparing a few bytes is cheaper than hashing and probing.
  private lastBuf: Uint8Array | null = null;
  /** The same bytes as `lastBuf`, for reading four at a time. */
  private view: DataView | null = null;
  private readonly lastStart: Int32Array;
  private readonly lastLen: Int32Array;
  private readonly lastCode: Uint32Array;

  constructor(fields: number, dicts: FlowDictionaries) {
    this.icmp = new IcmpCodes(dicts.proto);
    this.lastStart = new Int32Array(fields);
    this.lastLen = new Int32Array(fields).fill(-1);
    this.lastCode = new Uint32Array(fields);
  }

  /** Dictionary values of the current row not in their dictionaries yet (see miss()). */
  protected missCount = 0;
  private readonly missStart = new Int32Array(8);
  private readonly missEnd = new Int32Array(8);
  private readonly missHash = new Int32Array(8);
  private readonly missDict: ByteDictionary[] = [];

  /** Previous-row positions refer to one buffer: forget them when the parser moves to another. */
  protected useBuffer(buf: Uint8Array): void {
    if (buf !== this.lastBuf) {
      this.lastBuf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.lastLen.fill(-1);
    }
  }

  /** Whether buf[i..i+len) holds the same bytes as buf[j..j+len) (`buf` the current buffer). */
  protected sameBytes(buf: Uint8Array, i: number, j: number, len: number): boolean {
    if (i + len > buf.length) return false;
    const view = this.view!;
    let k = 0;
    for (; k + 4 <= len; k += 4) if (view.getInt32(i + k, true) !== view.getInt32(j + k, true)) return false;
    for (; k < len; k++) if (buf[i + k] !== buf[j + k]) return false;
    return true;
  }

  /**
   * A count or duration into number[0] (see timeInto: a fractional duration returned would be
   * allocated): plain decimal, else padded/scaled via the general parser; `at` = its comma.
   * Returns whether it is a count (a number, not negative).
   */
  protected countInto(buf: Uint8Array, i: number): boolean {
    if (this.decimalInto(buf, i) && buf[this.at] === COMMA) return this.number[0] >= 0;
    // Apart, in number[0] too: one variable for this call's result (a tagged value) and the
    // plain decimal made the compiler box every fractional duration.
    return this.scaledCountInto(buf, i);
  }

  private scaledCountInto(buf: Uint8Array, i: number): boolean {
    const e = fieldEnd(buf, i);
    const v = buf[e] === COMMA ? parseScaledCount(buf, i, e) : NaN;
    this.at = e;
    this.number[0] = v;
    return v >= 0;
  }

  /** A port field ending in a comma; -1 if it is not one. */
  protected portField(buf: Uint8Array, i: number, icmp: boolean): number {
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
  protected flagsField(buf: Uint8Array, i: number): number {
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

  /** `[-]digits[.digits]`, stopping at the first other byte; NaN if there are no digits. */
  protected decimal(buf: Uint8Array, i: number): number {
    this.decimalInto(buf, i);
    return this.number[0];
  }

  /** decimal() into number[0] (see timeInto); whether it is a number. */
  protected decimalInto(buf: Uint8Array, i: number): boolean {
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
    if (digits + scale === 0 || digits + scale > 15) {
      this.number[0] = NaN;
      return false;
    }
    const v = scale === 0 ? mant : mant / POW10[scale];
    this.number[0] = neg ? -v : v;
    return true;
  }

  /** `445`, `445.0`, ICMP `3.3`; -1 when it is not that shape. */
  protected port(buf: Uint8Array, i: number, icmp: boolean): number {
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

  /** `YYYY-MM-DD HH:MM:SS[.fff]` or epoch numbers, via the general parser on the field; NaN if it does not parse. */
  protected time(buf: Uint8Array, i: number): number {
    this.timeInto(buf, i);
    return this.number[0];
  }

  /**
   * time() into number[0]: too large to be inlined, time() returned each row's timestamp as a
   * fresh heap number (milliseconds since 1970 are no small integers), and the collections of
   * that garbage cost more than the field. Returns whether the value is a number.
   */
  protected timeInto(buf: Uint8Array, i: number): boolean {
    const out = this.number;
    // The same date and hour as the row before (`YYYY-MM-DD HH:` byte for byte): only the minutes,
    // seconds and milliseconds to read.
    const p = this.lastTimeAt;
    if (p >= 0 && buf === this.lastTimeBuf && buf[i + 16] === 0x3a && buf[i + 19] === DOT && isSep(buf[i + 23]) && this.sameBytes(buf, i, p, 14)) {
      const mi = digit(buf, i + 14) * 10 + digit(buf, i + 15);
      const sec = digit(buf, i + 17) * 10 + digit(buf, i + 18);
      const ms = digit(buf, i + 20) * 100 + digit(buf, i + 21) * 10 + digit(buf, i + 22);
      if (mi < 60 && sec < 61 && ms < 1000) {
        this.lastTimeAt = i;
        this.at = i + 23;
        out[0] = this.lastDayMs + this.lastHour * 3600000 + mi * 60000 + sec * 1000 + ms;
        return true;
      }
    }
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
          if (day !== day) {
            out[0] = NaN;
            return false;
          }
          this.lastDateKey = key;
          this.lastDayMs = day - h * 3600000 - mi * 60000 - sec * 1000;
        }
        this.at = i + 23;
        this.lastTimeAt = i;
        this.lastTimeBuf = buf;
        this.lastHour = h;
        out[0] = this.lastDayMs + h * 3600000 + mi * 60000 + sec * 1000 + ms;
        return true;
      }
    }
    this.lastTimeAt = -1;
    if (buf[i] === QUOTE) {
      out[0] = NaN;
      return false;
    }
    const e = fieldEnd(buf, i);
    this.at = e;
    const v = parseTimestamp(buf, i, e);
    out[0] = v;
    return v === v;
  }

  /** As `text`, first trying the value of the same field in the previous row. */
  protected repeatedText(buf: Uint8Array, i: number, dict: ByteDictionary, required: boolean, f: number): number {
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

  /**
   * Dictionary code of the text field at `i`, hashing while scanning. -1 for a quote, an empty
   * required value, or a value the dictionary does not hold yet (the general parser adds it).
   */
  protected text(buf: Uint8Array, i: number, dict: ByteDictionary, required: boolean): number {
    if (buf[i] === QUOTE) return -1;
    const s = i;
    const view = this.view!;
    const lastWord = buf.length - 4;
    let h = HASH_SEED;
    // Whole words while no byte of theirs is below '-' (every separator is): hashBytes() four
    // bytes per step. Addresses and labels are digits, letters, dots and underscores.
    while (i <= lastWord) {
      const w = view.getInt32(i, true);
      if ((((w - 0x2d2d2d2d) | 0) & ~w & 0x80808080) !== 0) break;
      h = Math.imul(h ^ w, HASH_MUL);
      i += 4;
    }
    let e = i;
    let c = buf[e];
    while (c > COMMA || (c !== COMMA && c !== LF && c !== CR)) c = buf[++e];
    for (; i + 4 <= e; i += 4) h = Math.imul(h ^ view.getInt32(i, true), HASH_MUL);
    for (; i < e; i++) h = Math.imul(h ^ buf[i], HASH_MUL);
    this.at = e;
    const code = dict.find(buf, s, e, h, view);
    if (code < 0) return this.miss(buf, s, e, h, dict, required);
    if (required && code === dict.emptyCode) return -1;
    return code;
  }

  /**
   * A value the dictionary does not hold yet: noted, and MISS returned. Rows parsed without fault
   * add their noted values in field order (addMisses), as the general parser would, so that a new
   * address costs a dictionary entry rather than a second parse of its row; a rejected row adds none.
   */
  private miss(buf: Uint8Array, s: number, e: number, h: number, dict: ByteDictionary, required: boolean): number {
    if (this.missCount === this.missStart.length) return -1;
    if (required) {
      let k = s;
      while (k < e && (buf[k] === SPACE || buf[k] === TAB)) k++;
      if (k === e) return -1; // blank: the general parser says why the row is bad
    }
    const m = this.missCount++;
    this.missStart[m] = s;
    this.missEnd[m] = e;
    this.missHash[m] = h;
    this.missDict[m] = dict;
    return MISS;
  }

  /** Forgets the misses of a row that was given up. */
  protected clearMisses(): void {
    this.missCount = 0;
  }

  /** Adds the noted values of a good row; each MISS in `codes` (field order) becomes its code. */
  protected addMisses(buf: Uint8Array, codes: Int32Array): void {
    let m = 0;
    for (let k = 0; k < codes.length; k++) {
      if (codes[k] !== MISS) continue;
      codes[k] = this.missDict[m].codeHashed(buf, this.missStart[m], this.missEnd[m], this.missHash[m]);
      m++;
    }
    this.missCount = 0;
  }

  protected isIcmp(code: number): boolean {
    return this.icmp.has(code);
  }

}

export const FLAGS6 = [0x55, 0x41, 0x50, 0x52, 0x53, 0x46]; // U A P R S F

/** Value of a decimal digit byte; 1000 for anything else, which fails every range check. */
export function digit(buf: Uint8Array, i: number): number {
  const d = buf[i] - D0;
  return d >= 0 && d <= 9 ? d : 1000;
}

export function isSep(c: number): boolean {
  return c === COMMA || c === LF || c === CR;
}

/**
 * Value parsers that read straight from the bytes of a CSV field (`buf[start..end)`), so the hot
 * loop allocates no string per number. Each returns NaN (or -1 for flags) when the text is not a
 * valid value; callers turn that into a BadRow.
 */

import { DOT, MINUS, NINE, PLUS, SPACE, TAB, ZERO } from '../util/ascii.js';

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

export function trimStart(buf: Uint8Array, start: number, end: number): number {
  while (start < end && (buf[start] === SPACE || buf[start] === TAB)) start++;
  return start;
}

export function trimEnd(buf: Uint8Array, start: number, end: number): number {
  while (end > start && (buf[end - 1] === SPACE || buf[end - 1] === TAB)) end--;
  return end;
}

/**
 * A plain decimal (`12`, `-0.5`, `445.0`, `  0.000`), surrounding blanks allowed. Digits are
 * accumulated as an integer and divided once by a power of ten: for up to 15 significant digits
 * that is exactly one rounding, the same double `Number()` gives.
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  start = trimStart(buf, start, end);
  end = trimEnd(buf, start, end);
  return parseDecimalTrimmed(buf, start, end);
}

function parseDecimalTrimmed(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return NaN;
  let i = start;
  let neg = false;
  const c0 = buf[i];
  if (c0 === MINUS || c0 === PLUS) {
    neg = c0 === MINUS;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let seenDot = false;
  for (; i < end; i++) {
    const c = buf[i];
    if (c >= ZERO && c <= NINE) {
      mant = mant * 10 + (c - ZERO);
      digits++;
      if (seenDot) scale++;
    } else if (c === DOT && !seenDot) {
      seenDot = true;
    } else {
      return slowNumber(buf, start, end);
    }
  }
  if (digits === 0) return NaN;
  if (digits > 15 || scale > 22) return slowNumber(buf, start, end);
  const v = scale === 0 ? mant : mant / POW10[scale];
  return neg ? -v : v;
}

/** Exponents and very long numbers are rare: let the engine parse them. */
function slowNumber(buf: Uint8Array, start: number, end: number): number {
  const s = latin1(buf, start, end);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return NaN;
  return Number(s);
}

export function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.prototype.latin1Slice.call(buf, start, end) as string;
}

export function utf8(buf: Uint8Array, start: number, end: number): string {
  return Buffer.prototype.utf8Slice.call(buf, start, end) as string;
}

/**
 * A byte count as nfdump prints it: an integer, or a scaled value with a unit after a space
 * (`2.1 M`, ` 33.0 M `, `1.5 G`, `12.0 K`). nfdump scales by powers of 1000.
 */
export function parseScaledCount(buf: Uint8Array, start: number, end: number): number {
  start = trimStart(buf, start, end);
  end = trimEnd(buf, start, end);
  if (start >= end) return NaN;
  const last = buf[end - 1];
  let factor = 0;
  if (last === 0x4d /* M */) factor = 1e6;
  else if (last === 0x4b /* K */ || last === 0x6b /* k */) factor = 1e3;
  else if (last === 0x47 /* G */) factor = 1e9;
  else if (last === 0x54 /* T */) factor = 1e12;
  if (factor === 0) return parseDecimalTrimmed(buf, start, end);
  const numEnd = trimEnd(buf, start, end - 1);
  // Parse mantissa and scale separately so `2.1 M` is exactly 2100000.
  let i = start;
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let seenDot = false;
  for (; i < numEnd; i++) {
    const c = buf[i];
    if (c >= ZERO && c <= NINE) {
      mant = mant * 10 + (c - ZERO);
      digits++;
      if (seenDot) scale++;
    } else if (c === DOT && !seenDot) {
      seenDot = true;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  return (mant * factor) / POW10[scale];
}

/** A non-negative integer field (ports, counts written without decimals); NaN otherwise. */
export function parseUint(buf: Uint8Array, start: number, end: number): number {
  start = trimStart(buf, start, end);
  end = trimEnd(buf, start, end);
  if (start >= end || end - start > 15) return NaN;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < ZERO || c > NINE) return NaN;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

/**
 * A port as CIDDS writes it (`445`, `445.0`) or, for ICMP, type.code (`3.3` -> 3*256+3). Returns
 * NaN when it is not a number or, for a non-ICMP flow, has a non-zero fraction.
 */
export function parsePort(buf: Uint8Array, start: number, end: number, icmp: boolean): number {
  start = trimStart(buf, start, end);
  end = trimEnd(buf, start, end);
  if (start >= end) return NaN;
  let whole = 0;
  let frac = 0;
  let i = start;
  let wholeDigits = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c >= ZERO && c <= NINE) {
      whole = whole * 10 + (c - ZERO);
      wholeDigits++;
    } else break;
  }
  if (wholeDigits === 0 || wholeDigits > 10) return NaN;
  if (i === end) return whole;
  if (buf[i] !== DOT) return NaN;
  i++;
  let fracDigits = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < ZERO || c > NINE || fracDigits > 5) return NaN;
    frac = frac * 10 + (c - ZERO);
    fracDigits++;
  }
  if (fracDigits === 0) return NaN;
  if (icmp) return whole * 256 + frac;
  return frac === 0 ? whole : NaN;
}

function digits2(buf: Uint8Array, i: number): number {
  const a = buf[i] - ZERO;
  const b = buf[i + 1] - ZERO;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A timestamp: `YYYY-MM-DD HH:MM:SS[.fff]` (read as UTC; CIDDS and nfdump write no zone) or a
 * number of epoch milliseconds (nfdump csv-fast) or epoch seconds with a fraction (nfdump `%tsr`).
 * Numbers below 1e11 are taken as seconds: 1e11 ms is 1973, 1e11 s is the year 5138.
 */
export function parseTimestamp(buf: Uint8Array, start: number, end: number): number {
  start = trimStart(buf, start, end);
  end = trimEnd(buf, start, end);
  const len = end - start;
  if (len >= 19 && buf[start + 4] === MINUS) {
    const y = digits2(buf, start) * 100 + digits2(buf, start + 2);
    const mo = digits2(buf, start + 5);
    const d = digits2(buf, start + 8);
    const sep = buf[start + 10];
    const h = digits2(buf, start + 11);
    const mi = digits2(buf, start + 14);
    const s = digits2(buf, start + 17);
    if (
      y < 0 || buf[start + 7] !== MINUS || (sep !== SPACE && sep !== 0x54 /* T */) ||
      buf[start + 13] !== 0x3a || buf[start + 16] !== 0x3a ||
      mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo] || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60
    ) return NaN;
    let ms = 0;
    let i = start + 19;
    if (i < end) {
      if (buf[i] !== DOT) return NaN;
      i++;
      let place = 100;
      let n = 0;
      for (; i < end; i++) {
        const c = buf[i];
        if (c < ZERO || c > NINE) return NaN;
        ms += (c - ZERO) * place;
        place /= 10;
        n++;
      }
      if (n === 0) return NaN;
    }
    return daysFromCivil(y, mo, d) * 86400000 + h * 3600000 + mi * 60000 + s * 1000 + ms;
  }
  const v = parseDecimalTrimmed(buf, start, end);
  if (!(v >= 0)) return NaN;
  return v < 1e11 ? Math.round(v * 1000) : v;
}

/** Letters of the 8-character nfdump form; the 6-character CIDDS form drops the first two. */
const FLAG_CHARS = [0x43, 0x45, 0x55, 0x41, 0x50, 0x52, 0x53, 0x46]; // C E U A P R S F

/**
 * TCP flags: `.AP.SF` (6 chars, UAPRSF), `...AP.SF` (8 chars, CEUAPRSF), hex `0xd2`, or a decimal
 * bit set. Each letter must sit in its own position. Returns -1 when the text is none of these.
 */
export function parseFlags(buf: Uint8Array, start: number, end: number): number {
  start = trimStart(buf, start, end);
  end = trimEnd(buf, start, end);
  const len = end - start;
  if (len === 6 || len === 8) {
    const first = len === 6 ? 2 : 0;
    let bits = 0;
    let ok = true;
    for (let k = 0; k < len; k++) {
      const c = buf[start + k];
      const pos = first + k;
      if (c === FLAG_CHARS[pos]) bits |= 0x80 >> pos;
      else if (c !== DOT) {
        ok = false;
        break;
      }
    }
    if (ok) return bits;
  }
  if (len > 2 && buf[start] === ZERO && (buf[start + 1] === 0x78 || buf[start + 1] === 0x58)) {
    let v = 0;
    if (len > 4) return -1;
    for (let i = start + 2; i < end; i++) {
      const c = buf[i] | 0x20;
      let dgt: number;
      if (c >= ZERO && c <= NINE) dgt = c - ZERO;
      else if (c >= 0x61 && c <= 0x66) dgt = c - 0x61 + 10;
      else return -1;
      v = v * 16 + dgt;
    }
    return v;
  }
  const n = parseUint(buf, start, end);
  return n >= 0 && n <= 255 ? n : -1;
}

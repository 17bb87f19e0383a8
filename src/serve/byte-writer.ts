/**
 * Text output built straight in bytes: rows are formatted into a large buffer and handed on a chunk
 * at a time, so writing a million predictions allocates a few buffers instead of millions of
 * short-lived strings (whose garbage collection cost as much as the formatting itself).
 *
 * Numbers are written with exactly the text JavaScript's `String(number)` gives; the common shapes
 * (integers, values with at most 3 decimals, such as durations) have fast paths, everything else
 * goes through `String` itself.
 *
 * The `put*` functions are the hot path: each writes at `p` through a DataView of the buffer and
 * returns the position after its text, so a row writer keeps view and position in locals instead
 * of a field store and a method call per piece. They store up to four bytes at once (a store costs
 * about the same whatever its width), so most write up to 3 bytes past the position they return;
 * the next piece overwrites them. Callers leave room for MAX_NUMBER_BYTES per number and
 * WORD_SLACK past the end of a row.
 */

import { COLON, DOT, MINUS, ZERO } from '../util/ascii.js';
/** Below this, distinct multiples of 0.001 are far more than one ulp apart (see `putNumber`). */
const THOUSANDTHS_LIMIT = 1e9;
/** Longest text `String(number)` gives (`-1.2345678901234567e-100` and the like), with room to spare. */
export const MAX_NUMBER_BYTES = 32;
/** Bytes a put function may store past the position it returns. */
export const WORD_SLACK = 3;
const INT32_LIMIT = 0x80000000;
/** Values below this have fewer than 2^31 thousandths. */
const THOUSANDTHS_INT32 = (INT32_LIMIT - 1) / 1000;
/** Uint32Array words hold bytes in the machine's order; DataView stores are told which that is. */
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `00` to `99` as the two bytes of a little-endian 16-bit value: integers go two digits per store. */
const PAIRS = new Uint16Array(100);
/**
 * `000` to `999` as the bytes of a little-endian 32-bit value: the three digits, then how many
 * remain once trailing zeros are dropped (0 for 0), for decimal fractions.
 */
const TRIPLES = new Uint32Array(1000);
for (let v = 0; v < 100; v++) PAIRS[v] = (ZERO + ((v / 10) | 0)) | ((ZERO + (v % 10)) << 8);
for (let v = 0; v < 1000; v++) {
  const d0 = (v / 100) | 0;
  const d1 = ((v / 10) | 0) % 10;
  const d2 = v % 10;
  const trimmed = d2 ? 3 : d1 ? 2 : d0 ? 1 : 0;
  TRIPLES[v] = ((ZERO + d0) | ((ZERO + d1) << 8) | ((ZERO + d2) << 16) | (trimmed << 24)) >>> 0;
}

/** Bytes kept as 32-bit words (padded), to be copied a word per store. */
export interface WordText {
  readonly words: Uint32Array;
  readonly length: number;
}

export function wordText(bytes: Uint8Array): WordText {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return { words, length: bytes.length };
}

/** `length` bytes from `words[from]` on; writes up to 3 bytes of padding past the end. */
export function putWords(dv: DataView, p: number, words: Uint32Array, from: number, length: number): number {
  for (let q = 0; q < length; q += 4) dv.setUint32(p + q, words[from++], LE);
  return p + length;
}

export function putText(dv: DataView, p: number, text: WordText): number {
  return putWords(dv, p, text.words, 0, text.length);
}

/** Text whose characters are all below U+0100 (numbers, ISO times) as one byte each. */
export function putLatin1(dv: DataView, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) dv.setUint8(p + i, s.charCodeAt(i));
  return p + s.length;
}

/** `v` (0 <= v < 100) as two digits. */
export function putPair(dv: DataView, p: number, v: number): number {
  dv.setUint16(p, PAIRS[v], true);
  return p + 2;
}

/** `v` (0 <= v < 100) as two digits, then the byte `sep`. */
export function putPairThen(dv: DataView, p: number, v: number, sep: number): number {
  dv.setUint32(p, PAIRS[v] | (sep << 16), true);
  return p + 3;
}

/** `v` (0 <= v < 1000) as three digits. */
export function putTriple(dv: DataView, p: number, v: number): number {
  dv.setUint32(p, TRIPLES[v], true);
  return p + 3;
}

/** `.` and the digits of `v` / 1000 (0 < v < 1000), trailing zeros dropped. */
function putThousandths(dv: DataView, p: number, v: number): number {
  const t = TRIPLES[v];
  dv.setUint8(p, DOT);
  dv.setUint32(p + 1, t, true);
  return p + 1 + (t >>> 24);
}

/** An integer 0 <= v < 2^31. */
export function putUint31(dv: DataView, p: number, v: number): number {
  if (v < 100) {
    if (v < 10) {
      dv.setUint8(p, ZERO + v);
      return p + 1;
    }
    dv.setUint16(p, PAIRS[v], true);
    return p + 2;
  }
  const digits = v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
  const end = p + digits;
  let q = end;
  let t = v;
  while (t >= 100) {
    const r = (t / 100) | 0;
    q -= 2;
    dv.setUint16(q, PAIRS[t - r * 100], true);
    t = r;
  }
  if (t >= 10) dv.setUint16(q - 2, PAIRS[t], true);
  else dv.setUint8(q - 1, ZERO + t);
  return end;
}

/** A non-negative integer below 2^53. */
export function putUnsigned(dv: DataView, p: number, v: number): number {
  if (v < INT32_LIMIT) return putUint31(dv, p, v);
  let digits = 1;
  for (let t = v; t >= 10; t = (t - (t % 10)) / 10) digits++;
  const end = p + digits;
  let q = end;
  let t = v;
  do {
    // % and the division of an exact multiple of 10 are exact; Math.floor(t / 10) is not always.
    const d = t % 10;
    dv.setUint8(--q, ZERO + d);
    t = (t - d) / 10;
  } while (t > 0);
  return end;
}

/**
 * Math.round(y) for 0 <= y < 2^52. Math.round measured ~8 ns a call in V8 here against ~1 ns for
 * Math.floor, and rows round six or more values each. floor(y + 0.5) is Math.round(y) unless the
 * addition itself rounded up to the next integer, which the check undoes.
 */
export function roundNonNegative(y: number): number {
  const v = Math.floor(y + 0.5);
  return v - 0.5 > y ? v - 1 : v;
}

/** `v` exactly as `String(v)` writes it. */
export function putNumber(dv: DataView, p: number, v: number): number {
  // Non-negative integers (counts, ports) and thousandths (durations) below 2^31 first.
  const t = v | 0;
  if (t === v && t >= 0) return putUint31(dv, p, t); // also -0, which String writes as `0`
  const m = v > 0 && v < THOUSANDTHS_INT32 ? roundNonNegative(v * 1000) : -1;
  if (m >= 0 && m / 1000 === v) {
    // v is the double nearest to m/1000 and, being under 1e9, at most 2^-22 from it: any other
    // decimal that rounds to v is closer than 0.001, so it has more digits than m/1000 trimmed.
    // m/1000 trimmed is therefore the shortest text of v, which is what String writes.
    const whole = (m / 1000) | 0;
    const frac = m - whole * 1000;
    p = putUint31(dv, p, whole);
    return frac === 0 ? p : putThousandths(dv, p, frac);
  }
  return putOtherNumber(dv, p, v);
}

function putOtherNumber(dv: DataView, p: number, v: number): number {
  if (Number.isInteger(v) && v < Number.MAX_SAFE_INTEGER && v > -Number.MAX_SAFE_INTEGER) {
    if (v >= 0) return putUnsigned(dv, p, v);
    dv.setUint8(p, MINUS);
    return putUnsigned(dv, p + 1, -v);
  }
  const m = Math.round(v * 1000);
  // The argument in putNumber holds for negative values as well.
  if (m / 1000 === v && v < THOUSANDTHS_LIMIT && v > -THOUSANDTHS_LIMIT) {
    let a = m;
    if (a < 0) {
      dv.setUint8(p++, MINUS);
      a = -a;
    }
    const whole = Math.floor(a / 1000);
    const frac = a - whole * 1000;
    p = putUnsigned(dv, p, whole);
    return frac === 0 ? p : putThousandths(dv, p, frac);
  }
  return putLatin1(dv, p, String(v));
}

/** `0.` and the digits of `v` / 10^6 (0 < v < 10^6), trailing zeros dropped. */
export function putMillionths(dv: DataView, p: number, v: number): number {
  const hi = (v / 1000) | 0;
  const lo = v - hi * 1000;
  const h = TRIPLES[hi];
  dv.setUint16(p, ZERO | (DOT << 8), true);
  dv.setUint32(p + 2, h, true);
  if (lo === 0) return p + 2 + (h >>> 24);
  const l = TRIPLES[lo];
  dv.setUint32(p + 5, l, true);
  return p + 5 + (l >>> 24);
}

/** `hh:mm:ss.` for a time of day in whole seconds (below 86,400). */
export function putTimeOfDay(dv: DataView, p: number, sec: number): number {
  const h = (sec / 3600) | 0;
  const rest = sec - h * 3600;
  const m = (rest / 60) | 0;
  p = putPairThen(dv, p, h, COLON);
  p = putPairThen(dv, p, m, COLON);
  return putPairThen(dv, p, rest - m * 60, DOT);
}

export class ByteWriter {
  buf: Buffer;
  /** Over `buf`, for the put functions. */
  view: DataView;
  pos = 0;
  /** Buffers whose bytes their consumer has finished with, ready to be filled again. */
  private readonly spare: Buffer[] = [];

  constructor(readonly chunkBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(chunkBytes);
    this.view = viewOf(this.buf);
  }

  get length(): number {
    return this.pos;
  }

  /** Whether `n` more bytes fit in the current buffer. */
  fits(n: number): boolean {
    return this.pos + n <= this.buf.length;
  }

  /**
   * Hands out the bytes written so far and continues in another buffer. The caller must call
   * `release` once it no longer needs the bytes; the buffer is then reused.
   */
  take(): { bytes: Uint8Array; release: () => void } {
    const full = this.buf;
    const bytes = full.subarray(0, this.pos);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafeSlow(this.chunkBytes);
    this.view = viewOf(this.buf);
    this.pos = 0;
    let released = false;
    return {
      bytes,
      release: () => {
        if (released || full.length !== this.chunkBytes) return;
        released = true;
        this.spare.push(full);
      },
    };
  }

  /**
   * Makes room for `n` bytes in an empty buffer (a row longer than a chunk gets a buffer of its
   * own). Only call with nothing written.
   */
  reserve(n: number): void {
    if (this.pos !== 0) throw new Error('ByteWriter.reserve needs an empty buffer');
    if (n > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(n);
      this.view = viewOf(this.buf);
    }
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  latin1(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** `v` exactly as `String(v)` writes it (needs MAX_NUMBER_BYTES of room). */
  number(v: number): void {
    this.pos = putNumber(this.view, this.pos, v);
  }
}

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * The encoded bytes of dictionary values (quoted or escaped as the output format needs), made
 * once per code, each starting on a word of `pool` so it is copied a word at a time. Tied to one
 * `values` array: a batch with other dictionaries starts it afresh. A row writer calls `prepare`
 * for a run of rows and then `put` for each of them.
 */
export class EncodedValues {
  private values: readonly string[] | null = null;
  private start = new Int32Array(0);
  private length = new Int32Array(0);
  private pool = new Uint32Array(1 << 14);
  private poolBytes = Buffer.from(this.pool.buffer);
  /** Words of `pool` in use. */
  private used = 0;

  constructor(private readonly encode: (s: string) => string) {}

  /** Writes the encoded `values[code]`. */
  write(out: ByteWriter, values: readonly string[], code: number): void {
    if (values !== this.values) this.reset(values);
    const s = this.encoded(values, code);
    out.pos = putWords(out.view, out.pos, this.pool, s, this.length[code]);
  }

  /** Byte length of the encoded `values[code]` (encoding it if new). */
  byteLength(values: readonly string[], code: number): number {
    if (values !== this.values) this.reset(values);
    this.encoded(values, code);
    return this.length[code];
  }

  /** Writes the encoded value of `code`, which the last `prepare` covered. */
  put(dv: DataView, p: number, code: number): number {
    return putWords(dv, p, this.pool, this.start[code], this.length[code]);
  }

  /** Encodes the values of `codes[from, to)` not seen yet; returns the longest one's byte length. */
  prepare(values: readonly string[], codes: Uint32Array, from: number, to: number): number {
    if (values !== this.values) this.reset(values);
    let longest = 0;
    for (let i = from; i < to; i++) {
      const code = codes[i];
      this.encoded(values, code); // first: it may grow `length`
      const n = this.length[code];
      if (n > longest) longest = n;
    }
    return longest;
  }

  /** The word where the encoded `values[code]` starts in the pool, encoding it if new. */
  private encoded(values: readonly string[], code: number): number {
    if (code >= this.start.length) this.growIndex(Math.max(code + 1, values.length));
    const s = this.start[code];
    return s >= 0 ? s : this.add(values, code);
  }

  private reset(values: readonly string[]): void {
    this.values = values;
    this.start = new Int32Array(Math.max(16, values.length)).fill(-1);
    this.length = new Int32Array(this.start.length);
    this.used = 0;
  }

  private growIndex(size: number): void {
    const start = new Int32Array(Math.max(size, this.start.length * 2)).fill(-1);
    start.set(this.start);
    const length = new Int32Array(start.length);
    length.set(this.length);
    this.start = start;
    this.length = length;
  }

  private add(values: readonly string[], code: number): number {
    const text = this.encode(String(values[code]));
    const words = Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
    if (this.used + words > this.pool.length) {
      const grown = new Uint32Array(Math.max(this.pool.length * 2, this.used + words));
      grown.set(this.pool.subarray(0, this.used));
      this.pool = grown;
      this.poolBytes = Buffer.from(grown.buffer);
    }
    const s = this.used;
    this.length[code] = this.poolBytes.write(text, 4 * s, 'utf8');
    this.used += words;
    this.start[code] = s;
    return s;
  }
}

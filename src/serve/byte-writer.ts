/**
 * Text output built straight in bytes: rows are formatted into a large buffer and handed on a chunk
 * at a time, so writing a million predictions allocates a few buffers instead of millions of
 * short-lived strings (whose garbage collection cost as much as the formatting itself).
 *
 * Numbers are written with exactly the text JavaScript's `String(number)` gives; the common shapes
 * (integers, values with at most 3 decimals, such as durations) have fast paths, everything else
 * goes through `String` itself.
 *
 * The `put*` functions are the hot path: each writes at `p` into `buf` and returns the position
 * after its text, so a row writer keeps buffer and position in locals instead of a field store and
 * a method call per piece. Some write a few bytes past the returned position (a fixed-width copy
 * is cheaper than a loop over a varying length): callers leave room for MAX_NUMBER_BYTES per number,
 * which covers it, and stores beyond the end of a typed array do nothing.
 */

import { DOT, MINUS, ZERO } from '../util/ascii.js';
/** Below this, distinct multiples of 0.001 are far more than one ulp apart (see `putNumber`). */
const THOUSANDTHS_LIMIT = 1e9;
/** Longest text `String(number)` gives (`-1.2345678901234567e-100` and the like), with room to spare. */
export const MAX_NUMBER_BYTES = 32;
const INT32_LIMIT = 0x80000000;

/** `00` to `99`, two bytes each: integers are written two digits per step. */
const PAIRS = new Uint8Array(200);
/**
 * `000` to `999`, four bytes each: the three digits, then how many remain once trailing zeros are
 * dropped (0 for 0), for decimal fractions.
 */
const TRIPLES = new Uint8Array(4000);
for (let v = 0; v < 100; v++) {
  PAIRS[2 * v] = ZERO + ((v / 10) | 0);
  PAIRS[2 * v + 1] = ZERO + (v % 10);
}
for (let v = 0; v < 1000; v++) {
  const d = [(v / 100) | 0, ((v / 10) | 0) % 10, v % 10];
  TRIPLES.set([ZERO + d[0], ZERO + d[1], ZERO + d[2], d[2] ? 3 : d[1] ? 2 : d[0] ? 1 : 0], 4 * v);
}

/** `src[s, e)`; a loop, cheaper than a call into C++ for the short runs rows are made of. */
export function putBytes(buf: Uint8Array, p: number, src: Uint8Array, s: number, e: number): number {
  while (s < e) buf[p++] = src[s++];
  return p;
}

/** Text whose characters are all below U+0100 (numbers, ISO times) as one byte each. */
export function putLatin1(buf: Buffer, p: number, s: string): number {
  return p + buf.write(s, p, 'latin1');
}

/** An integer 0 <= v < 2^31. */
export function putUint31(buf: Uint8Array, p: number, v: number): number {
  if (v < 100) {
    if (v < 10) {
      buf[p] = ZERO + v;
      return p + 1;
    }
    buf[p] = PAIRS[2 * v];
    buf[p + 1] = PAIRS[2 * v + 1];
    return p + 2;
  }
  const digits = v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
  const end = p + digits;
  let q = end;
  let t = v;
  while (t >= 100) {
    const r = (t / 100) | 0;
    const pair = 2 * (t - r * 100);
    buf[--q] = PAIRS[pair + 1];
    buf[--q] = PAIRS[pair];
    t = r;
  }
  if (t >= 10) {
    buf[--q] = PAIRS[2 * t + 1];
    buf[--q] = PAIRS[2 * t];
  } else buf[--q] = ZERO + t;
  return end;
}

/** A non-negative integer below 2^53. */
export function putUnsigned(buf: Uint8Array, p: number, v: number): number {
  if (v < INT32_LIMIT) return putUint31(buf, p, v);
  let digits = 1;
  for (let t = v; t >= 10; t = (t - (t % 10)) / 10) digits++;
  const end = p + digits;
  let q = end;
  let t = v;
  do {
    // % and the division of an exact multiple of 10 are exact; Math.floor(t / 10) is not always.
    const d = t % 10;
    buf[--q] = ZERO + d;
    t = (t - d) / 10;
  } while (t > 0);
  return end;
}

/** `v` exactly as `String(v)` writes it. */
export function putNumber(buf: Buffer, p: number, v: number): number {
  // Non-negative integers (counts, ports) and thousandths (durations) below 2^31 first.
  const t = v | 0;
  if (t === v && t >= 0) return putUint31(buf, p, t); // also -0, which String writes as `0`
  const m = Math.round(v * 1000);
  if (m >= 0 && m < INT32_LIMIT && m / 1000 === v) {
    // v is the double nearest to m/1000 and, being under 1e9, at most 2^-22 from it: any other
    // decimal that rounds to v is closer than 0.001, so it has more digits than m/1000 trimmed.
    // m/1000 trimmed is therefore the shortest text of v, which is what String writes.
    const whole = (m / 1000) | 0;
    const frac = m - whole * 1000;
    p = putUint31(buf, p, whole);
    if (frac === 0) return p;
    buf[p] = DOT;
    const t = 4 * frac;
    buf[p + 1] = TRIPLES[t];
    buf[p + 2] = TRIPLES[t + 1];
    buf[p + 3] = TRIPLES[t + 2];
    return p + 1 + TRIPLES[t + 3];
  }
  return putOtherNumber(buf, p, v);
}

function putOtherNumber(buf: Buffer, p: number, v: number): number {
  if (Number.isInteger(v) && v < Number.MAX_SAFE_INTEGER && v > -Number.MAX_SAFE_INTEGER) {
    if (v >= 0) return putUnsigned(buf, p, v);
    buf[p] = MINUS;
    return putUnsigned(buf, p + 1, -v);
  }
  const m = Math.round(v * 1000);
  // The argument in putNumber holds for negative values as well.
  if (m / 1000 === v && v < THOUSANDTHS_LIMIT && v > -THOUSANDTHS_LIMIT) {
    let a = m;
    if (a < 0) {
      buf[p++] = MINUS;
      a = -a;
    }
    const whole = Math.floor(a / 1000);
    const frac = a - whole * 1000;
    p = putUnsigned(buf, p, whole);
    if (frac === 0) return p;
    buf[p] = DOT;
    const t = 4 * frac;
    buf[p + 1] = TRIPLES[t];
    buf[p + 2] = TRIPLES[t + 1];
    buf[p + 3] = TRIPLES[t + 2];
    return p + 1 + TRIPLES[t + 3];
  }
  return putLatin1(buf, p, String(v));
}

/** `0.` and the digits of `v` / 10^6 (0 < v < 10^6), trailing zeros dropped. */
export function putMillionths(buf: Uint8Array, p: number, v: number): number {
  const hi = (v / 1000) | 0;
  const lo = v - hi * 1000;
  buf[p] = ZERO;
  buf[p + 1] = DOT;
  let t = 4 * hi;
  buf[p + 2] = TRIPLES[t];
  buf[p + 3] = TRIPLES[t + 1];
  buf[p + 4] = TRIPLES[t + 2];
  if (lo === 0) return p + 2 + TRIPLES[t + 3];
  t = 4 * lo;
  buf[p + 5] = TRIPLES[t];
  buf[p + 6] = TRIPLES[t + 1];
  buf[p + 7] = TRIPLES[t + 2];
  return p + 5 + TRIPLES[t + 3];
}

/** `v` (0 <= v < 100) as two digits. */
export function putPair(buf: Uint8Array, p: number, v: number): number {
  buf[p] = PAIRS[2 * v];
  buf[p + 1] = PAIRS[2 * v + 1];
  return p + 2;
}

/** `v` (0 <= v < 1000) as three digits. */
export function putTriple(buf: Uint8Array, p: number, v: number): number {
  buf[p] = TRIPLES[4 * v];
  buf[p + 1] = TRIPLES[4 * v + 1];
  buf[p + 2] = TRIPLES[4 * v + 2];
  return p + 3;
}

export class ByteWriter {
  buf: Buffer;
  pos = 0;
  /** Buffers whose bytes their consumer has finished with, ready to be filled again. */
  private readonly spare: Buffer[] = [];

  constructor(readonly chunkBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(chunkBytes);
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
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(n);
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  latin1(s: string): void {
    this.pos = putLatin1(this.buf, this.pos, s);
  }

  /** `v` exactly as `String(v)` writes it. */
  number(v: number): void {
    this.pos = putNumber(this.buf, this.pos, v);
  }
}

/**
 * The encoded bytes of dictionary values (quoted or escaped as the output format needs), made
 * once per code. Tied to one `values` array: a batch with other dictionaries starts it afresh.
 * A row writer calls `prepare` for a run of rows and then copies `pool[start[code], end[code])`
 * itself; the three fields are valid until the next `prepare` or `write`.
 */
export class EncodedValues {
  private values: readonly string[] | null = null;
  start = new Int32Array(0);
  end = new Int32Array(0);
  pool = Buffer.allocUnsafeSlow(1 << 16);
  private used = 0;

  constructor(private readonly encode: (s: string) => string) {}

  /** Writes the encoded `values[code]`. */
  write(out: ByteWriter, values: readonly string[], code: number): void {
    if (values !== this.values) this.reset(values);
    const s = this.encoded(values, code);
    out.pos = putBytes(out.buf, out.pos, this.pool, s, this.end[code]);
  }

  /** Byte length of the encoded `values[code]` (encoding it if new). */
  byteLength(values: readonly string[], code: number): number {
    if (values !== this.values) this.reset(values);
    const s = this.encoded(values, code); // first: it may grow `end` or set end[code]
    return this.end[code] - s;
  }

  /** Encodes the values of `codes[from, to)` not seen yet; returns the longest one's byte length. */
  prepare(values: readonly string[], codes: Uint32Array, from: number, to: number): number {
    if (values !== this.values) this.reset(values);
    let longest = 0;
    for (let i = from; i < to; i++) {
      const code = codes[i];
      const s = this.encoded(values, code);
      const n = this.end[code] - s;
      if (n > longest) longest = n;
    }
    return longest;
  }

  /** Where the encoded `values[code]` starts in the pool, encoding it if new. */
  private encoded(values: readonly string[], code: number): number {
    if (code >= this.start.length) this.growIndex(Math.max(code + 1, values.length));
    const s = this.start[code];
    return s >= 0 ? s : this.add(values, code);
  }

  private reset(values: readonly string[]): void {
    this.values = values;
    this.start = new Int32Array(Math.max(16, values.length)).fill(-1);
    this.end = new Int32Array(this.start.length);
    this.used = 0;
  }

  private growIndex(size: number): void {
    const start = new Int32Array(Math.max(size, this.start.length * 2)).fill(-1);
    start.set(this.start);
    const end = new Int32Array(start.length);
    end.set(this.end);
    this.start = start;
    this.end = end;
  }

  private add(values: readonly string[], code: number): number {
    const text = this.encode(String(values[code]));
    const need = Buffer.byteLength(text, 'utf8');
    if (this.used + need > this.pool.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.pool.length * 2, this.used + need));
      this.pool.copy(grown, 0, 0, this.used);
      this.pool = grown;
    }
    const s = this.used;
    this.used += this.pool.write(text, s, 'utf8');
    this.start[code] = s;
    this.end[code] = this.used;
    return s;
  }
}

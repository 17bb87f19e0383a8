/**
 * Text output built straight in bytes: rows are formatted into a large buffer and handed on a chunk
 * at a time, so writing a million predictions allocates a few buffers instead of millions of
 * short-lived strings (whose garbage collection cost as much as the formatting itself).
 *
 * Numbers are written with exactly the text JavaScript's `String(number)` gives; the common shapes
 * (integers, values with at most 3 decimals, such as durations) have fast paths, everything else
 * goes through `String` itself.
 */

import { DOT, MINUS, ZERO } from '../util/ascii.js';
/** Below this, distinct multiples of 0.001 are far more than one ulp apart (see `number`). */
const THOUSANDTHS_LIMIT = 1e9;
/** Longest text `String(number)` gives (`-1.2345678901234567e-100` and the like), with room to spare. */
export const MAX_NUMBER_BYTES = 32;

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

  /** `src[start, end)`; short runs (addresses, labels) are copied in a loop, cheaper than a call into C++. */
  bytes(src: Uint8Array, start: number, end: number): void {
    const buf = this.buf;
    let p = this.pos;
    if (end - start <= 32) for (let i = start; i < end; i++) buf[p++] = src[i];
    else {
      buf.set(src.subarray(start, end), p);
      p += end - start;
    }
    this.pos = p;
  }

  copy(src: Uint8Array): void {
    this.bytes(src, 0, src.length);
  }

  /** Text whose characters are all below U+0100 (numbers, ISO times) as one byte each. */
  latin1(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** A non-negative integer below 2^53. */
  unsigned(v: number): void {
    const buf = this.buf;
    if (v < 0x80000000) {
      let t = v | 0;
      const digits = t < 10 ? 1 : t < 100 ? 2 : t < 1000 ? 3 : t < 10000 ? 4 : t < 100000 ? 5 : t < 1000000 ? 6 : t < 10000000 ? 7 : t < 100000000 ? 8 : t < 1000000000 ? 9 : 10;
      let p = this.pos + digits;
      this.pos = p;
      do {
        const q = (t / 10) | 0;
        buf[--p] = ZERO + t - q * 10;
        t = q;
      } while (t > 0);
    } else {
      let digits = 1;
      for (let t = v; t >= 10; t = (t - (t % 10)) / 10) digits++;
      let p = this.pos + digits;
      this.pos = p;
      let t = v;
      do {
        // % and the division of an exact multiple of 10 are exact; Math.floor(t / 10) is not always.
        const d = t % 10;
        buf[--p] = ZERO + d;
        t = (t - d) / 10;
      } while (t > 0);
    }
  }

  /** `v` exactly as `String(v)` writes it. */
  number(v: number): void {
    if (Number.isInteger(v) && v < Number.MAX_SAFE_INTEGER && v > -Number.MAX_SAFE_INTEGER) {
      if (v < 0) {
        this.buf[this.pos++] = MINUS;
        this.unsigned(-v);
      } else this.unsigned(v); // also -0, which String writes as `0`
      return;
    }
    const m = Math.round(v * 1000);
    // v is the double nearest to m/1000 and, being under 1e9, at most 2^-22 from it: any other
    // decimal that rounds to v is closer than 0.001, so it has more digits than m/1000 trimmed.
    // m/1000 trimmed is therefore the shortest text of v, which is what String writes.
    if (m / 1000 === v && v < THOUSANDTHS_LIMIT && v > -THOUSANDTHS_LIMIT) {
      let a = m;
      if (a < 0) {
        this.buf[this.pos++] = MINUS;
        a = -a;
      }
      const whole = Math.floor(a / 1000);
      let frac = a - whole * 1000;
      this.unsigned(whole);
      if (frac === 0) return;
      let places = 3;
      while (frac % 10 === 0) {
        frac /= 10;
        places--;
      }
      this.buf[this.pos++] = DOT;
      this.fixedDigits(frac, places);
      return;
    }
    this.latin1(String(v));
  }

  /** `v` (0 <= v < 10^places) with exactly `places` digits, zero-padded on the left. */
  fixedDigits(v: number, places: number): void {
    const buf = this.buf;
    let p = this.pos + places;
    this.pos = p;
    for (let i = 0; i < places; i++) {
      const q = (v / 10) | 0;
      buf[--p] = ZERO + v - q * 10;
      v = q;
    }
  }
}

/**
 * The encoded bytes of dictionary values (quoted or escaped as the output format needs), made
 * once per code. Tied to one `values` array: a batch with other dictionaries starts it afresh.
 */
export class EncodedValues {
  private values: readonly string[] | null = null;
  private start = new Int32Array(0);
  private end = new Int32Array(0);
  private pool = Buffer.allocUnsafeSlow(1 << 16);
  private used = 0;

  constructor(private readonly encode: (s: string) => string) {}

  /** Writes the encoded `values[code]`. */
  write(out: ByteWriter, values: readonly string[], code: number): void {
    if (values !== this.values) this.reset(values);
    if (code >= this.start.length) this.growIndex(Math.max(code + 1, values.length));
    let s = this.start[code];
    if (s < 0) s = this.add(values, code);
    out.bytes(this.pool, s, this.end[code]);
  }

  /** Byte length of the encoded `values[code]` (encoding it if new). */
  byteLength(values: readonly string[], code: number): number {
    if (values !== this.values) this.reset(values);
    if (code >= this.start.length) this.growIndex(Math.max(code + 1, values.length));
    let s = this.start[code];
    if (s < 0) s = this.add(values, code);
    return this.end[code] - s;
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

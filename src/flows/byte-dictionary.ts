/**
 * Dictionary coding straight from bytes: a field's bytes are hashed and looked up in an
 * open-addressing table, so a repeated address or label costs no string allocation. Only a value
 * never seen before is decoded to a string (and normalised, e.g. `tcp`/`6` -> `TCP`).
 *
 * Several byte spellings may map to one code (normalisation), and the `values` array is append-only:
 * codes handed out stay valid for every batch of a read that shares this dictionary.
 */
import { utf8 } from './byte-parse.js';

export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

export type Normalise = (raw: string) => string;

export class ByteDictionary {
  /** Distinct normalised values in first-seen order; index = code. */
  readonly values: string[] = [];
  /** Code of the empty value once seen, else -1 (lets callers reject empty required fields cheaply). */
  emptyCode = -1;
  private readonly codeOf = new Map<string, number>();
  // Open addressing, kept to two arrays for few cache misses: slot = [hash, entry + 1] pairs,
  // entry = [pool start, length, code] triples; the bytes of each entry live in `pool`.
  private slots: Int32Array;
  private mask: number;
  private entry = new Int32Array(3 * 256);
  private entries = 0;
  private pool = new Uint8Array(4096);
  private poolUsed = 0;

  constructor(private readonly normalise: Normalise = (s) => s.trim()) {
    this.slots = new Int32Array(2 * 1024);
    this.mask = 1023;
  }

  /** Code of a value given as a string (used for constants such as `---`). */
  codeOfString(raw: string): number {
    const b = Buffer.from(raw, 'utf8');
    return this.code(b, 0, b.length);
  }

  code(buf: Uint8Array, start: number, end: number): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
    return this.codeHashed(buf, start, end, h);
  }

  /** As `code`, with the FNV-1a hash of the bytes already computed (see FNV_OFFSET, FNV_PRIME). */
  codeHashed(buf: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    const slots = this.slots;
    const entry = this.entry;
    const pool = this.pool;
    let slot = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const e = slots[2 * slot + 1];
      if (e === 0) break;
      if (slots[2 * slot] === h) {
        const x = 3 * (e - 1);
        if (entry[x + 1] === len) {
          const p = entry[x];
          let k = 0;
          while (k < len && buf[start + k] === pool[p + k]) k++;
          if (k === len) return entry[x + 2];
        }
      }
      slot = (slot + 1) & this.mask;
    }
    return this.addEntry(buf, start, end, h, slot);
  }

  private addEntry(buf: Uint8Array, start: number, end: number, h: number, slot: number): number {
    const len = end - start;
    const value = this.normalise(utf8(buf, start, end));
    let code = this.codeOf.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codeOf.set(value, code);
      if (value === '') this.emptyCode = code;
    }
    if (this.poolUsed + len > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      grown.set(this.pool.subarray(0, this.poolUsed));
      this.pool = grown;
    }
    const pool = this.pool;
    for (let k = 0; k < len; k++) pool[this.poolUsed + k] = buf[start + k];
    if (3 * (this.entries + 1) > this.entry.length) {
      const grown = new Int32Array(this.entry.length * 2);
      grown.set(this.entry);
      this.entry = grown;
    }
    const idx = this.entries++;
    this.entry[3 * idx] = this.poolUsed;
    this.entry[3 * idx + 1] = len;
    this.entry[3 * idx + 2] = code;
    this.poolUsed += len;
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = idx + 1;
    if (this.entries * 2 > this.mask + 1) this.rehash();
    return code;
  }

  private rehash(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
    for (let s = 0; s < old.length; s += 2) {
      const e = old[s + 1];
      if (e === 0) continue;
      const h = old[s];
      let slot = (h ^ (h >>> 15)) & this.mask;
      while (this.slots[2 * slot + 1] !== 0) slot = (slot + 1) & this.mask;
      this.slots[2 * slot] = h;
      this.slots[2 * slot + 1] = e;
    }
  }
}

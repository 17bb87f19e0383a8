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
  // Open addressing with everything a probe needs in one slot, so a lookup touches one slot and
  // the key bytes: slot = [hash, pool start + 1 (0 = empty), length, code]. Key bytes live in `pool`.
  private slots: Int32Array;
  private mask: number;
  private used = 0;
  /** The empty slot where the last unsuccessful `find` stopped: where its key would go. */
  private freeSlot = 0;
  private pool = new Uint8Array(4096);
  private poolUsed = 0;

  constructor(private readonly normalise: Normalise = (s) => s.trim()) {
    this.slots = new Int32Array(4 * 1024);
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
    const found = this.find(buf, start, end, h);
    return found >= 0 ? found : this.addEntry(buf, start, end, h, this.freeSlot);
  }

  /**
   * Code of bytes already in the dictionary, or -1 without adding them (the fast path leaves new
   * values to the general parser, which adds them only once the whole row is known to be good).
   */
  find(buf: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    const slots = this.slots;
    const pool = this.pool;
    let slot = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const x = slot << 2;
      const p1 = slots[x + 1];
      if (p1 === 0) break;
      if (slots[x] === h && slots[x + 2] === len) {
        const p = p1 - 1;
        let k = 0;
        while (k < len && buf[start + k] === pool[p + k]) k++;
        if (k === len) return slots[x + 3];
      }
      slot = (slot + 1) & this.mask;
    }
    this.freeSlot = slot;
    return -1;
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
    const x = slot << 2;
    this.slots[x] = h;
    this.slots[x + 1] = this.poolUsed + 1;
    this.slots[x + 2] = len;
    this.slots[x + 3] = code;
    this.poolUsed += len;
    if (++this.used * 2 > this.mask + 1) this.rehash();
    return code;
  }

  private rehash(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    const slots = new Int32Array(4 * size);
    this.mask = size - 1;
    for (let x = 0; x < old.length; x += 4) {
      if (old[x + 1] === 0) continue;
      const h = old[x];
      let slot = (h ^ (h >>> 15)) & this.mask;
      while (slots[(slot << 2) + 1] !== 0) slot = (slot + 1) & this.mask;
      const y = slot << 2;
      slots[y] = h;
      slots[y + 1] = old[x + 1];
      slots[y + 2] = old[x + 2];
      slots[y + 3] = old[x + 3];
    }
    this.slots = slots;
  }
}

/**
 * Dictionary coding straight from bytes: a field's bytes are hashed and looked up in an
 * open-addressing table, so a repeated address or label costs no string allocation. Only a value
 * never seen before is decoded to a string (and normalised, e.g. `tcp`/`6` -> `TCP`).
 *
 * Several byte spellings may map to one code (normalisation), and the `values` array is append-only:
 * codes handed out stay valid for every batch of a read that shares this dictionary.
 */
import { utf8 } from './byte-parse.js';

export const HASH_SEED = 0x811c9dc5 | 0;
export const HASH_MUL = 0x9e3779b1 | 0;

/**
 * The hash keys are found by: the bytes taken as little-endian 32-bit words from the start, then
 * the last few one at a time, each multiplied into the state. Words make the dependency chain a
 * quarter as long as a byte-at-a-time hash; slotOf() mixes the result before it picks a slot.
 */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = HASH_SEED;
  let i = start;
  for (; i + 4 <= end; i += 4) h = Math.imul(h ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)), HASH_MUL);
  for (; i < end; i++) h = Math.imul(h ^ buf[i], HASH_MUL);
  return h;
}

function slotOf(h: number): number {
  const x = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return x ^ (x >>> 13);
}

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
  private poolView = new DataView(this.pool.buffer);
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
    return this.codeHashed(buf, start, end, hashBytes(buf, start, end));
  }

  /** As `code`, with hashBytes() of the bytes already computed. */
  codeHashed(buf: Uint8Array, start: number, end: number, h: number): number {
    const found = this.find(buf, start, end, h);
    return found >= 0 ? found : this.addEntry(buf, start, end, h, this.freeSlot);
  }

  /**
   * Code of bytes already in the dictionary, or -1 without adding them (the fast path leaves new
   * values to the general parser, which adds them only once the whole row is known to be good).
   */
  find(buf: Uint8Array, start: number, end: number, h: number, view?: DataView): number {
    const len = end - start;
    const slots = this.slots;
    const pool = this.pool;
    let slot = slotOf(h) & this.mask;
    for (;;) {
      const x = slot << 2;
      const p1 = slots[x + 1];
      if (p1 === 0) break;
      if (slots[x] === h && slots[x + 2] === len) {
        const p = p1 - 1;
        let k = 0;
        if (view) {
          // `view` shows `buf`: compare four bytes at a time.
          const pv = this.poolView;
          while (k + 4 <= len && view.getInt32(start + k, true) === pv.getInt32(p + k, true)) k += 4;
        }
        while (k < len && buf[start + k] === pool[p + k]) k++;
        if (k === len) return slots[x + 3];
      }
      slot = (slot + 1) & this.mask;
    }
    this.freeSlot = slot;
    return -1;
  }

  /**
   * Code of a value given as a string, like codeOfString, but without entering its bytes in the
   * byte table (a later lookup by bytes adds them): joining parallel reads maps tens of thousands
   * of values this way.
   */
  codeOfValue(raw: string): number {
    return this.codeOfNormalised(this.normalise(raw));
  }

  private codeOfNormalised(value: string): number {
    let code = this.codeOf.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codeOf.set(value, code);
      if (value === '') this.emptyCode = code;
    }
    return code;
  }

  private addEntry(buf: Uint8Array, start: number, end: number, h: number, slot: number): number {
    const len = end - start;
    const code = this.codeOfNormalised(this.normalise(utf8(buf, start, end)));
    if (this.poolUsed + len > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      grown.set(this.pool.subarray(0, this.poolUsed));
      this.pool = grown;
      this.poolView = new DataView(grown.buffer);
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
      let slot = slotOf(h) & this.mask;
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

/**
 * Per-source state of a stream (context, open window), keyed by the source's text, since a
 * stream's dictionaries may be replaced between batches, and looked up by the source's code in the
 * current dictionary: `byCode[c]` answers for code c, holding or not holding an entry, once c has
 * been looked up, for as long as the dictionary is the same. A flow then costs an array read, not
 * a hash of its source's text; eviction clears the code of each entry it removes.
 */
export interface SourceEntry {
  lastStartMs: number;
  /** The entry's code in the dictionary last used (for the cache; -1 before). */
  code: number;
}

export class SourceMap<E extends SourceEntry> {
  private readonly entries = new Map<string | number, E>();
  private values: ArrayLike<string | number> | null = null;
  private byCode: (E | undefined)[] = [];
  /** 1 where byCode answers for the code. */
  private known = new Uint8Array(0);
  /** Stream time of the last sweep for idle entries. */
  private sweptAt = -Infinity;

  get size(): number {
    return this.entries.size;
  }

  /** The dictionary of the codes that follow (a new one drops what the cache knew). */
  use(values: ArrayLike<string | number>): void {
    if (values === this.values) return;
    this.values = values;
    this.byCode = [];
    this.known = new Uint8Array(0);
  }

  /** The entry of source `values[code]`, if any. */
  get(code: number): E | undefined {
    if (code >= this.known.length) this.grow(code + 1);
    if (this.known[code] === 1) return this.byCode[code];
    const e = this.entries.get(this.values![code]);
    this.byCode[code] = e;
    this.known[code] = 1;
    if (e) e.code = code;
    return e;
  }

  /** Makes `e` the entry of source `values[code]` (get() said it had none). */
  set(code: number, e: E): void {
    this.entries.set(this.values![code], e);
    this.byCode[code] = e;
    this.known[code] = 1;
    e.code = code;
  }

  /**
   * Removes the entries of sources silent for longer than `idleSeconds` at `nowMs`; returns how
   * many. It sweeps at most once per `idleSeconds` of stream time, so an entry lives at most twice
   * the idle time: an idle entry still there behaves as a new one (its owners check the gap), and
   * a source that comes back after a while finds its entry instead of having it deleted and
   * added again (over 150,000 map changes per million flows when swept every batch).
   */
  evictIdle(nowMs: number, idleSeconds: number, onEvict?: (e: E) => void): number {
    if (nowMs - this.sweptAt < idleSeconds * 1000) return 0;
    this.sweptAt = nowMs;
    return evictIdleEntries(this.entries, nowMs, idleSeconds, (e) => {
      if (e.code >= 0 && this.byCode[e.code] === e) this.byCode[e.code] = undefined;
      onEvict?.(e);
    });
  }

  private grow(size: number): void {
    const grown = new Uint8Array(Math.max(size, 2 * this.known.length, 1024));
    grown.set(this.known);
    this.known = grown;
    while (this.byCode.length < grown.length) this.byCode.push(undefined);
  }
}

/**
 * Deletes the per-source entries whose last flow started more than `idleSeconds` before stream time
 * `nowMs` (their next flow starts afresh anyway); returns how many.
 */
function evictIdleEntries<K, E extends { lastStartMs: number }>(entries: Map<K, E>, nowMs: number, idleSeconds: number, onEvict?: (e: E) => void): number {
  let evicted = 0;
  // forEach rather than for-of: no [key, entry] pair allocated per entry, on every batch.
  entries.forEach((e, key) => {
    if ((nowMs - e.lastStartMs) / 1000 > idleSeconds) {
      entries.delete(key);
      onEvict?.(e);
      evicted++;
    }
  });
  return evicted;
}

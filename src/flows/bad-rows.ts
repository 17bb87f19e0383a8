/**
 * Counting malformed rows and deciding when there are too many.
 *
 * The limit is an absolute count (>= 1) or a fraction of the rows read (< 1; default 0.001).
 * An absolute limit stops the read at the first row over it. A fraction is settled at the end of
 * the input, since rows still to come may dilute early bad ones; but a read stops early once at
 * least 1,000 rows are in and the bad rows already exceed the fraction of the *estimated total*
 * (rows so far scaled by bytes total / bytes read), i.e. when the file cannot plausibly end under
 * the limit. Streams of unknown size are checked against the rows read so far at each batch.
 */
import { InputError } from '../util/errors.js';
import type { BadRow } from './schema.js';

export const DEFAULT_MAX_BAD_FRACTION = 0.001;
/** How many bad rows a data set keeps for messages; the count is always exact. */
export const KEEP_BAD_ROWS = 100;
const EARLY_CHECK_MIN_ROWS = 1000;

export type BadRowLimit = { kind: 'count'; max: number } | { kind: 'fraction'; max: number };

export function badRowLimit(maxBadRows: number | undefined): BadRowLimit {
  const v = maxBadRows ?? DEFAULT_MAX_BAD_FRACTION;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`maxBadRows must be a number >= 0, got ${v}`);
  return v >= 1 ? { kind: 'count', max: Math.floor(v) } : { kind: 'fraction', max: v };
}

export function describeLimit(limit: BadRowLimit): string {
  return limit.kind === 'count' ? `${limit.max.toLocaleString('en-US')} rows` : `${formatPercent(limit.max)} of rows read`;
}

export function formatPercent(f: number): string {
  const pct = f * 100;
  const s = pct >= 1 ? pct.toFixed(2) : pct.toPrecision(2);
  return `${String(Number(s))}%`;
}

export function formatBadRow(b: BadRow): string {
  return `${b.file}:${b.line} ${b.field}: ${b.reason}`;
}

export function describeFirstBadRows(rows: BadRow[], n = 5): string {
  return rows.slice(0, n).map((b) => `  ${formatBadRow(b)}`).join('\n');
}

export class BadRowLog {
  count = 0;
  readonly kept: BadRow[] = [];

  constructor(readonly limit: BadRowLimit) {}

  /** Records one bad row; throws at once when an absolute limit is passed. */
  add(row: BadRow, rowsRead: number): void {
    this.count++;
    if (this.kept.length < KEEP_BAD_ROWS) this.kept.push(row);
    if (this.limit.kind === 'count' && this.count > this.limit.max) this.fail(rowsRead, 'stopped early');
  }

  /**
   * Adds rows counted elsewhere (a worker): `kept` are the first of them, `count` all of them.
   * Throws like `add` when an absolute limit is passed.
   */
  addCounted(kept: BadRow[], count: number, rowsRead: number): void {
    for (const r of kept) if (this.kept.length < KEEP_BAD_ROWS) this.kept.push(r);
    this.count += count;
    if (this.limit.kind === 'count' && this.count > this.limit.max) this.fail(rowsRead, 'stopped early');
  }

  /** Stops the read: a part of it (a worker) already found the limit cannot be met. */
  abort(rowsRead: number): never {
    this.fail(rowsRead, 'stopped early: the rest of the input cannot bring it under the limit');
  }

  /** Early stop for a fraction limit; `estimatedTotalRows` is Infinity when unknown. */
  checkEarly(rowsRead: number, estimatedTotalRows: number): void {
    if (this.limit.kind !== 'fraction' || this.count === 0 || rowsRead < EARLY_CHECK_MIN_ROWS) return;
    if (this.count > this.limit.max * estimatedTotalRows) this.fail(rowsRead, 'stopped early: the rest of the input cannot bring it under the limit');
  }

  checkFinal(rowsRead: number): void {
    if (this.limit.kind === 'fraction' && this.count > this.limit.max * rowsRead) this.fail(rowsRead, 'at end of input');
  }

  private fail(rowsRead: number, when: string): never {
    const frac = rowsRead > 0 ? this.count / rowsRead : 1;
    throw new InputError(
      `too many malformed rows: ${this.count.toLocaleString('en-US')} of ${rowsRead.toLocaleString('en-US')} rows read ` +
        `(${formatPercent(frac)}) exceed the limit of ${describeLimit(this.limit)} (--max-bad-rows); ${when}.\n` +
        `First malformed rows:\n${describeFirstBadRows(this.kept)}`,
    );
  }
}

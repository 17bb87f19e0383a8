/**
 * The command-line side of reading flows: the `--max-bad-rows` option every reading command shares,
 * and the end-of-run line about skipped rows.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { describeFirstBadRows, formatPercent } from './bad-rows.js';
import type { ReadOptions } from './read.js';
import type { FlowDataset } from './schema.js';

/** `100` (rows), `0.001` (fraction) or `0.1%` (percent). */
export function parseMaxBadRows(text: string): number {
  const t = text.trim();
  const pct = t.endsWith('%');
  const num = pct ? t.slice(0, -1).trim() : t;
  if (!/^(\d+\.?\d*|\.\d+)$/.test(num)) {
    throw new InvalidArgumentError(`expected a row count (100), a fraction (0.001) or a percentage (0.1%), got "${text}"`);
  }
  const v = Number(num);
  if (pct) {
    if (v >= 100) throw new InvalidArgumentError(`a percentage must be below 100%, got "${text}"`);
    return v / 100;
  }
  if (v >= 1 && !Number.isInteger(v)) throw new InvalidArgumentError(`a row count must be a whole number, got "${text}"`);
  return v;
}

export function addReadOptions(cmd: Command): Command {
  return cmd.option(
    '--max-bad-rows <n|pct>',
    'malformed rows to skip before giving up: a count (100), a fraction (0.001) or a percentage (0.1%)',
    parseMaxBadRows,
  );
}

export function readOptionsFrom(opts: { maxBadRows?: number }): ReadOptions {
  return opts.maxBadRows === undefined ? {} : { maxBadRows: opts.maxBadRows };
}

/** "skipped 3 malformed rows of 120,004 (0.0025%): file:line field: reason ..."; '' if none. */
export function summarizeBadRows(ds: FlowDataset, show = 5): string {
  if (ds.badRowCount === 0) return '';
  const total = ds.length + ds.badRowCount;
  const n = ds.badRowCount;
  const more = n > Math.min(show, ds.badRows.length) ? `\n  ... and ${(n - Math.min(show, ds.badRows.length)).toLocaleString('en-US')} more` : '';
  return (
    `skipped ${n.toLocaleString('en-US')} malformed row${n === 1 ? '' : 's'} of ${total.toLocaleString('en-US')} ` +
    `(${formatPercent(n / total)}):\n${describeFirstBadRows(ds.badRows, show)}${more}`
  );
}

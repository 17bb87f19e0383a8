/**
 * What the model predicts: the attack type (`---` is `normal`) or the CIDDS class. The class list is
 * fitted on training rows; a class met later that training never saw is an error, never remapped.
 */
import { NONE, type DictColumn, type FlowDataset } from '../flows/schema.js';
import { InputError } from '../util/errors.js';
import type { Preprocessor, ResolvedPreprocessOptions } from './types.js';
import { compareCodeUnits } from './vocabulary.js';

export const NORMAL = 'normal';

function targetColumn(ds: FlowDataset, options: ResolvedPreprocessOptions): DictColumn {
  return options.target === 'class' ? ds.columns.label : ds.columns.attackType;
}

/** The class a raw column value stands for; undefined when the row carries no label. */
export function targetValue(options: ResolvedPreprocessOptions, raw: string): string | undefined {
  const v = raw.trim();
  if (options.target === 'class') return v === NONE || v === '' ? undefined : v;
  return v === NONE || v === '' ? NORMAL : v;
}

/** Row ranges of the sources that carry no labels (nfdump captures). */
function unlabelledRanges(ds: FlowDataset): Array<{ from: number; to: number; path: string }> {
  const out: Array<{ from: number; to: number; path: string }> = [];
  let at = 0;
  for (const s of ds.sources) {
    if (!s.labelled) out.push({ from: at, to: at + s.rows, path: s.path });
    at += s.rows;
  }
  return out;
}

function sourcePathOf(ds: FlowDataset, row: number): string {
  let at = 0;
  for (const s of ds.sources) {
    if (row < at + s.rows) return s.path;
    at += s.rows;
  }
  return '(data set)';
}

/** Distinct classes among the labelled training rows, `normal` first, then in code unit order. */
export function fitClasses(ds: FlowDataset, rows: Uint32Array, options: ResolvedPreprocessOptions): string[] {
  const col = targetColumn(ds, options);
  const unlabelled = unlabelledRanges(ds);
  const used = new Uint8Array(col.values.length);
  // Once every value has been seen the rest of the rows cannot add one: a few classes are usually
  // all met in the first rows of millions.
  let unseen = used.length;
  for (let i = 0; i < rows.length && unseen > 0; i++) {
    const r = rows[i];
    if (unlabelled.length && unlabelled.some((u) => r >= u.from && r < u.to)) continue;
    const c = col.codes[r];
    if (used[c] === 0) {
      used[c] = 1;
      unseen--;
    }
  }
  const classes = new Set<string>();
  used.forEach((u, c) => {
    const v = u ? targetValue(options, col.values[c]) : undefined;
    if (v !== undefined) classes.add(v);
  });
  return [...classes].sort((a, b) => (a === NORMAL ? -1 : b === NORMAL ? 1 : compareCodeUnits(a, b)));
}

/** Class index of each row, in `p.classes`; throws an InputError for unlabelled or unseen classes. */
export function encodeTargets(p: Preprocessor, ds: FlowDataset, rows?: Uint32Array): Int32Array {
  const col = targetColumn(ds, p.options);
  const n = rows ? rows.length : ds.length;
  const index = new Map(p.classes.map((c, i) => [c, i]));
  // -1: unlabelled, -2: a class training never saw.
  const lookup = new Int32Array(col.values.length);
  col.values.forEach((raw, c) => {
    const v = targetValue(p.options, raw);
    lookup[c] = v === undefined ? -1 : (index.get(v) ?? -2);
  });
  for (const u of unlabelledRanges(ds)) {
    const hit = rows ? rows.find((r) => r >= u.from && r < u.to) : u.to > u.from ? u.from : undefined;
    if (hit !== undefined) throw new InputError(`${u.path}: the file carries no labels (${p.options.target}), so it cannot be used for training or evaluation`);
  }
  const out = new Int32Array(n);
  const unseen = new Map<number, { count: number; firstRow: number }>();
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    const code = col.codes[r];
    const k = lookup[code];
    out[i] = k;
    if (k < 0) {
      const u = unseen.get(code);
      if (u) u.count++;
      else unseen.set(code, { count: 1, firstRow: r });
    }
  }
  if (unseen.size) {
    const parts = [...unseen].map(([code, u]) => {
      const raw = col.values[code];
      const what = lookup[code] === -1 ? `no ${p.options.target} label ("${raw}")` : `${p.options.target} "${targetValue(p.options, raw)}"`;
      return `${what} in ${u.count} flow(s), first in ${sourcePathOf(ds, u.firstRow)} (row ${u.firstRow + 1} of the data set)`;
    });
    throw new InputError(
      `flows whose class the model was not trained on: ${parts.join('; ')}. The model knows: ${p.classes.join(', ') || '(no classes)'}`,
    );
  }
  return out;
}

import type { DictColumn } from '../flows/schema.js';
import type { Vocabulary } from './types.js';

export const UNKNOWN_CODE = 0;

/**
 * Distinct values of `col` among `rows`, sorted by code unit order so the vocabulary does not
 * depend on row order or locale. `rename` maps a raw value to the vocabulary's value (e.g. `---`
 * to `normal`); returning undefined leaves the value out.
 */
export function fitVocabulary(col: DictColumn, rows: Uint32Array, rename?: (v: string) => string | undefined): Vocabulary {
  const used = new Uint8Array(col.values.length);
  const codes = col.codes;
  for (let i = 0; i < rows.length; i++) used[codes[rows[i]]] = 1;
  return vocabularyOfUsed(col.values, used, rename);
}

/** The vocabulary of the dictionary values whose `used` flag is set (see fitVocabulary). */
export function vocabularyOfUsed(values: readonly string[], used: Uint8Array, rename?: (v: string) => string | undefined): Vocabulary {
  const out = new Set<string>();
  for (let c = 0; c < used.length; c++) {
    if (!used[c]) continue;
    const v = rename ? rename(values[c]) : values[c];
    if (v !== undefined) out.add(v);
  }
  return [...out].sort(compareCodeUnits);
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * For each value of a data set's dictionary, its vocabulary code (0 when unseen in training):
 * computed once per dictionary value, so rows are mapped by array lookup alone.
 */
export function vocabularyCodes(vocab: Vocabulary, dictValues: readonly string[], rename?: (v: string) => string | undefined): Int32Array {
  const index = new Map<string, number>();
  vocab.forEach((v, i) => index.set(v, i + 1));
  const out = new Int32Array(dictValues.length);
  for (let c = 0; c < dictValues.length; c++) {
    const v = rename ? rename(dictValues[c]) : dictValues[c];
    out[c] = v === undefined ? UNKNOWN_CODE : (index.get(v) ?? UNKNOWN_CODE);
  }
  return out;
}

/**
 * Joins data sets row-wise: rows of data set i follow those of i-1. Text columns that already share
 * a dictionary (batches of one read) keep it; otherwise dictionaries are merged and codes remapped.
 */
import { KEEP_BAD_ROWS } from './bad-rows.js';
import { COLUMN_NAMES, type DictColumn, type FlowColumns, type FlowDataset, type SourceFile } from './schema.js';

type NumericArray = Float64Array | Int32Array | Uint32Array | Uint8Array;

export function concatDatasets(parts: FlowDataset[]): FlowDataset {
  return concatInto(parts, false);
}

/**
 * The same, but drops each input column as soon as it is copied, so joining the batches of a
 * large read needs the result plus one column of headroom instead of twice the data.
 */
export function concatReleasing(parts: FlowDataset[]): FlowDataset {
  return concatInto(parts, true);
}

function concatInto(parts: FlowDataset[], release: boolean): FlowDataset {
  if (parts.length === 0) throw new RangeError('concatDatasets needs at least one data set');
  const length = parts.reduce((n, p) => n + p.length, 0);
  const columns = {} as Record<keyof FlowColumns, unknown>;
  for (const name of COLUMN_NAMES) {
    const first = parts[0].columns[name];
    if (isDict(first)) {
      columns[name] = concatDict(parts.map((p) => p.columns[name] as DictColumn), length);
    } else {
      const out = new (first.constructor as new (n: number) => NumericArray)(length);
      let at = 0;
      for (const p of parts) {
        const a = p.columns[name] as NumericArray;
        out.set(a.subarray(0, p.length), at);
        at += p.length;
      }
      columns[name] = out;
    }
    if (release) for (const p of parts) (p.columns as unknown as Record<string, unknown>)[name] = undefined;
  }
  const badRows = parts.flatMap((p) => p.badRows).slice(0, KEEP_BAD_ROWS);
  return {
    length,
    columns: columns as unknown as FlowColumns,
    sources: mergeSources(parts.flatMap((p) => p.sources)),
    badRowCount: parts.reduce((n, p) => n + p.badRowCount, 0),
    badRows,
  };
}

function isDict(c: unknown): c is DictColumn {
  return typeof c === 'object' && c !== null && 'codes' in c && 'values' in c;
}

/** Batches of one file arrive as separate sources with the same path: add them up. */
function mergeSources(list: SourceFile[]): SourceFile[] {
  const out: SourceFile[] = [];
  for (const s of list) {
    const last = out[out.length - 1];
    if (last && last.path === s.path && last.format === s.format) {
      last.rows += s.rows;
      last.badRows += s.badRows;
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

function isPrefix(short: string[], long: string[]): boolean {
  if (short === long) return true;
  if (short.length > long.length) return false;
  for (let i = 0; i < short.length; i++) if (short[i] !== long[i]) return false;
  return true;
}

function concatDict(cols: DictColumn[], length: number): DictColumn {
  const codes = new Uint32Array(length);
  let longest = cols[0].values;
  for (const c of cols) if (c.values.length > longest.length) longest = c.values;
  if (cols.every((c) => isPrefix(c.values, longest))) {
    // Shared (append-only) dictionary: codes are valid as they are.
    let at = 0;
    for (const c of cols) {
      codes.set(c.codes, at);
      at += c.codes.length;
    }
    return { codes, values: longest };
  }
  const values: string[] = [];
  const index = new Map<string, number>();
  const remaps = new Map<string[], Uint32Array>();
  let at = 0;
  for (const c of cols) {
    let remap = remaps.get(c.values);
    if (!remap) {
      remap = new Uint32Array(c.values.length);
      c.values.forEach((v, i) => {
        let code = index.get(v);
        if (code === undefined) {
          code = values.length;
          values.push(v);
          index.set(v, code);
        }
        remap![i] = code;
      });
      remaps.set(c.values, remap);
    }
    const src = c.codes;
    for (let i = 0; i < src.length; i++) codes[at + i] = remap[src[i]];
    at += src.length;
  }
  return { codes, values };
}

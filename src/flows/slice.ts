/**
 * Takes rows of a data set by index (a split, a sample, a time window). Dictionaries are shared
 * with the original: codes keep their meaning, nothing is remapped.
 */
import { COLUMN_NAMES, type DictColumn, type FlowColumns, type FlowDataset } from './schema.js';

type NumericArray = Float64Array | Int32Array | Uint32Array | Uint8Array;

function take<T extends NumericArray>(a: T, rows: Uint32Array): T {
  const out = new (a.constructor as new (n: number) => T)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]];
  return out;
}

export function sliceDataset(ds: FlowDataset, rows: Uint32Array): FlowDataset {
  for (let i = 0; i < rows.length; i++) {
    if (rows[i] >= ds.length) throw new RangeError(`sliceDataset: row ${rows[i]} is out of range (length ${ds.length})`);
  }
  const columns = {} as Record<keyof FlowColumns, unknown>;
  for (const name of COLUMN_NAMES) {
    const c = ds.columns[name];
    if (c instanceof Float64Array || c instanceof Int32Array || c instanceof Uint8Array) {
      columns[name] = take(c, rows);
    } else {
      const d = c as DictColumn;
      columns[name] = { codes: take(d.codes, rows), values: d.values };
    }
  }
  return { ...ds, length: rows.length, columns: columns as unknown as FlowColumns };
}

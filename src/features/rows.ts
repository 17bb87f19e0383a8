import type { FlowDataset } from '../flows/schema.js';

/** The rows to work on: the given selection, or every row of the data set. */
export function rowsOrAll(ds: FlowDataset, rows?: Uint32Array): Uint32Array {
  if (rows) return rows;
  const all = new Uint32Array(ds.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  return all;
}

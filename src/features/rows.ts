import type { FlowDataset } from '../flows/schema.js';

/** Every row of a data set, built once per data set: fitting and each transform ask for it. */
const allRowsOf = new WeakMap<FlowDataset, Uint32Array>();

/** The rows to work on: the given selection, or every row of the data set (shared: do not modify). */
export function rowsOrAll(ds: FlowDataset, rows?: Uint32Array): Uint32Array {
  if (rows) return rows;
  let all = allRowsOf.get(ds);
  if (!all || all.length !== ds.length) {
    all = new Uint32Array(ds.length);
    for (let i = 0; i < all.length; i++) all[i] = i;
    allRowsOf.set(ds, all);
  }
  return all;
}

import type { FlowDataset } from '../flows/schema.js';

export interface SourceOrder {
  /** Positions into `rows`, grouped by source address, each group in start-time order (stable). */
  order: Uint32Array;
  /** Start offsets of the groups in `order`, plus a final entry equal to rows.length. */
  groupStart: Uint32Array;
}

/**
 * Positions of `rows` in start-time order, ties kept in row order. Flow files are nearly always
 * written in time order, so the sort is skipped when the rows already are.
 */
export function timeOrder(ds: FlowDataset, rows: Uint32Array): Uint32Array {
  const start = ds.columns.start;
  const pos = new Uint32Array(rows.length);
  let sorted = true;
  for (let p = 0; p < rows.length; p++) {
    pos[p] = p;
    if (p > 0 && start[rows[p]] < start[rows[p - 1]]) sorted = false;
  }
  if (!sorted) pos.sort((a, b) => start[rows[a]] - start[rows[b]] || a - b);
  return pos;
}

/** Groups `rows` by source address (first-seen dictionary order), time-ordered within each group. */
export function sourceTimeOrder(ds: FlowDataset, rows: Uint32Array): SourceOrder {
  const byTime = timeOrder(ds, rows);
  const src = ds.columns.srcAddr.codes;
  const nCodes = ds.columns.srcAddr.values.length;
  // Counting sort by source code keeps the time order inside each source.
  const counts = new Uint32Array(nCodes + 1);
  for (let p = 0; p < rows.length; p++) counts[src[rows[p]] + 1]++;
  for (let c = 0; c < nCodes; c++) counts[c + 1] += counts[c];
  const next = counts.slice(0, nCodes);
  const order = new Uint32Array(rows.length);
  for (let i = 0; i < byTime.length; i++) {
    const p = byTime[i];
    order[next[src[rows[p]]]++] = p;
  }
  const starts: number[] = [];
  for (let c = 0; c < nCodes; c++) if (counts[c + 1] > counts[c]) starts.push(counts[c]);
  starts.push(rows.length);
  return { order, groupStart: Uint32Array.from(starts) };
}

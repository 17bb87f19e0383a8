/**
 * Histogram bins and Pearson correlations computed in TS over typed arrays, so the charts get
 * small pre-aggregated tables however many flows there are.
 */
import type { FeatureDistribution, HistogramBin } from './charts/histogram.js';
import type { CorrelationMatrix } from './charts/correlation.js';

export const HISTOGRAM_BINS = 30;

/**
 * Distribution of `values`, skipping NaN (rows where the feature does not apply, e.g. ports of
 * ICMP flows). Non-negative values with a long right tail (skewness above 2, or most values in
 * the first of the linear bins) get bins of equal width in log(1 + x / c), c the smallest positive value.
 */
export function distributionOf(name: string, label: string, values: Float64Array, bins = HISTOGRAM_BINS): FeatureDistribution {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
  }
  if (n === 0) return { name, label, scale: 'linear', count: 0, min: 0, max: 0, mean: 0, std: 0, zeros: 0, bins: [] };
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  // Values in the first of `bins` equal-width bins: when that holds most flows, linear bins hide the shape.
  const firstBinEnd = min + (max - min) / bins;
  let inFirstBin = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    if (v < firstBinEnd) inFirstBin++;
  }
  const std = Math.sqrt(m2 / n);
  const skew = std > 0 ? m3 / n / std ** 3 : 0;
  const log = min >= 0 && max > 10 && (skew > 2 || inFirstBin > n / 2);
  // log(1 + x / c) with c the smallest positive value: sub-second durations spread out instead of
  // all landing in the first bin, as they would with plain log(1 + x).
  const c = log ? smallestPositive(values) : 1;
  const t = log ? (x: number) => Math.log1p(x / c) : (x: number) => x;
  const lo = t(min);
  const hi = t(max);
  // A constant column: one bar of width 1 centred on the value.
  if (hi === lo) return { name, label, scale: 'linear', count: n, min, max, mean, std, zeros, bins: [{ start: min - 0.5, end: min + 0.5, count: n }] };
  const width = (hi - lo) / bins;
  const k = bins;
  const counts = new Float64Array(k);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    counts[Math.min(k - 1, Math.floor((t(v) - lo) / width))]++;
  }
  const inv = log ? (y: number) => Math.expm1(y) * c : (x: number) => x;
  const out: HistogramBin[] = [];
  for (let b = 0; b < k; b++) {
    const start = b === 0 ? min : round(inv(lo + b * width));
    const end = b === k - 1 ? max : round(inv(lo + (b + 1) * width));
    out.push({ start, end, count: counts[b] });
  }
  return { name, label, scale: log ? 'log' : 'linear', ...(log ? { logConstant: c } : {}), count: n, min, max, mean, std, zeros, bins: out };
}

function smallestPositive(values: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > 0 && values[i] < m) m = values[i];
  return Number.isFinite(m) ? m : 1;
}

/** Inner bin edges to six significant digits: enough for an axis, and short in JSON. */
function round(v: number): number {
  return Number(v.toPrecision(6));
}

/** Evenly spread positions 0..n-1, at most `max` of them. */
export function evenSample(n: number, max: number): Uint32Array {
  if (n <= max) return Uint32Array.from({ length: n }, (_, i) => i);
  const out = new Uint32Array(max);
  for (let i = 0; i < max; i++) out[i] = Math.floor((i * n) / max);
  return out;
}

/** Pearson correlation of columns (each the same length); null where a column is constant. */
export function correlationOf(names: string[], columns: Float64Array[]): CorrelationMatrix {
  const k = columns.length;
  const n = k ? columns[0].length : 0;
  const centred = columns.map((c) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += c[i];
    const m = n ? s / n : 0;
    const out = new Float64Array(n);
    let ss = 0;
    for (let i = 0; i < n; i++) {
      out[i] = c[i] - m;
      ss += out[i] * out[i];
    }
    return { v: out, norm: Math.sqrt(ss) };
  });
  const matrix: Array<Array<number | null>> = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const A = centred[a];
      const B = centred[b];
      if (A.norm === 0 || B.norm === 0) continue;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += A.v[i] * B.v[i];
      const r = Math.max(-1, Math.min(1, dot / (A.norm * B.norm)));
      matrix[a][b] = matrix[b][a] = Math.round(r * 1e4) / 1e4;
    }
  }
  return { names, matrix, sampleRows: n };
}

import type { ChartSpec } from '../render.js';
import { powersOfTen, SI_LABEL } from './axis.js';

export interface HistogramBin {
  start: number;
  end: number;
  count: number;
}

/** One feature's distribution, with bins already computed (in TS, over all rows). */
export interface FeatureDistribution {
  name: string;
  /** Axis title, with the unit. */
  label: string;
  /** `log`: bins equal-width in log(1 + x / logConstant), for skewed non-negative values. */
  scale: 'linear' | 'log';
  logConstant?: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  zeros: number;
  bins: HistogramBin[];
}

export function histogramChart(d: FeatureDistribution): ChartSpec {
  const log = d.scale === 'log';
  return {
    title: { text: d.name, subtitle: d.min === d.max && d.count > 0 ? `constant: ${formatNumber(d.min)}` : log ? 'log scale' : `mean ${formatNumber(d.mean)}, std ${formatNumber(d.std)}` },
    width: 260,
    height: 140,
    data: { values: d.bins },
    mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      // symlog with constant c is log(1 + x / c): equal-width log bins show as equal-width bars, and 0 stays on the axis.
      x: { field: 'start', type: 'quantitative', title: d.label, scale: log ? { type: 'symlog', constant: d.logConstant ?? 1, nice: false } : { nice: false, zero: false },
        axis: log
          ? { labelExpr: SI_LABEL, values: logTicks(d) }
          : { labelExpr: SI_LABEL, ...(d.min === d.max ? { values: [d.min] } : { tickCount: 5 }) },
      },
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', title: 'flows', axis: { labelExpr: SI_LABEL, tickCount: 4, grid: true } },
      y2: { datum: 0 },
    },
  };
}

/** 0 and the powers of ten in range, skipping those crowding 0; the maximum when few remain. */
function logTicks(d: FeatureDistribution): number[] {
  const c = d.logConstant ?? 1;
  const ticks = [0, ...powersOfTen(d.max, c).filter((v) => v > c * 3 && v <= d.max)];
  return ticks.length < 3 ? [...ticks, d.max] : ticks;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e5) ? v.toExponential(2) : String(Math.round(v * 100) / 100);
}

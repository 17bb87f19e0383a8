import type { ChartSpec } from '../render.js';
import { powersOfTen, SI_LABEL } from './axis.js';

export interface Count {
  name: string;
  count: number;
}

/**
 * Horizontal bars of counts, largest first. Flow data sets are heavily imbalanced (millions of
 * normal flows, thousands of attacks), so the axis turns logarithmic when counts span more than
 * three orders of magnitude; the exact count is printed beside each bar either way.
 */
export function countsChart(title: string, counts: readonly Count[], subtitle?: string): ChartSpec {
  const values = [...counts].filter((c) => c.count > 0).sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  const max = Math.max(1, ...values.map((c) => c.count));
  const min = Math.max(1, Math.min(max, ...values.map((c) => c.count)));
  const log = max / min > 1000;
  return {
    title: subtitle ? { text: title, subtitle } : title,
    width: 360,
    height: { step: 22 },
    data: { values },
    encoding: {
      y: { field: 'name', type: 'nominal', sort: null, title: null, axis: { labelLimit: 160 } },
      x: {
        field: 'count',
        type: 'quantitative',
        title: log ? 'flows (log scale)' : 'flows',
        scale: log ? { type: 'log', domainMin: 1 } : { nice: true },
        axis: { labelExpr: SI_LABEL, grid: true, ...(log ? { values: powersOfTen(max) } : {}) },
      },
    },
    layer: [
      // On a log axis a bar must start at 1, not at the (absent) zero.
      { mark: { type: 'bar', height: { band: 0.75 } }, encoding: log ? { x2: { datum: 1 } } : {} },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#444' }, encoding: { text: { field: 'count', type: 'quantitative', format: ',d' } } },
    ],
  };
}

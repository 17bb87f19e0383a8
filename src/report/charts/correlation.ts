import type { ChartSpec } from '../render.js';

export interface CorrelationMatrix {
  names: string[];
  /** Pearson r; null where a column is constant. */
  matrix: Array<Array<number | null>>;
  /** Rows the coefficients were computed on (an evenly spread sample of large data sets). */
  sampleRows: number;
}

/** Heatmap of Pearson correlations, red positive, blue negative; values printed when they fit. */
export function correlationChart(c: CorrelationMatrix, title = 'Correlation of numeric features'): ChartSpec {
  const values = c.names.flatMap((a, i) => c.names.map((b, j) => ({ a, b, r: c.matrix[i][j] })));
  const cell = c.names.length <= 12 ? 34 : 16;
  return {
    title: { text: title, subtitle: `Pearson r over ${c.sampleRows.toLocaleString('en-US')} flows` },
    data: { values },
    width: { step: cell },
    height: { step: cell },
    encoding: {
      x: { field: 'b', type: 'nominal', sort: c.names, title: null, axis: { labelAngle: -45, labelLimit: 220 } },
      y: { field: 'a', type: 'nominal', sort: c.names, title: null, axis: { labelLimit: 220 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'r',
            type: 'quantitative',
            title: 'r',
            scale: { domain: [-1, 1], scheme: 'redblue', reverse: true },
            legend: { gradientLength: 120 },
            condition: { test: 'datum.r === null', value: '#f0f0f0' },
          },
        },
      },
      ...(cell >= 30
        ? [
            {
              mark: { type: 'text' as const, fontSize: 9 },
              transform: [{ filter: 'datum.r !== null' }],
              encoding: {
                text: { field: 'r', type: 'quantitative' as const, format: '.2f' },
                color: { condition: { test: 'datum.r !== null && abs(datum.r) > 0.6', value: 'white' }, value: '#222' },
              },
            },
          ]
        : []),
    ],
  };
}

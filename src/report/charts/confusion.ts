import type { Metrics } from '../../evaluate/types.js';
import type { ChartSpec } from '../render.js';

/**
 * Confusion matrix: rows are true classes, columns predictions. Shading is the share of the true
 * class's flows (recall along the diagonal), so rare attack classes are as readable as the
 * normal class; the cell text is the flow count.
 */
export function confusionChart(confusion: Metrics['confusion'], title = 'Confusion matrix'): ChartSpec {
  const { labels, matrix } = confusion;
  const values = labels.flatMap((t, i) => {
    const rowTotal = matrix[i].reduce((a, b) => a + b, 0);
    return labels.map((p, j) => ({ true: t, predicted: p, count: matrix[i][j], share: rowTotal ? matrix[i][j] / rowTotal : 0 }));
  });
  return {
    title: { text: title, subtitle: 'rows: true class, columns: predicted; shade: share of the true class' },
    data: { values },
    width: { step: 56 },
    height: { step: 32 },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: labels, title: 'predicted', axis: { orient: 'top', labelAngle: -30, labelLimit: 120 } },
      y: { field: 'true', type: 'nominal', sort: labels, title: 'true class', axis: { labelLimit: 120 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: { color: { field: 'share', type: 'quantitative', title: 'share', scale: { domain: [0, 1], scheme: 'blues' }, legend: { format: '.0%', gradientLength: 100 } } },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative', format: ',d' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#222' },
        },
      },
    ],
  };
}

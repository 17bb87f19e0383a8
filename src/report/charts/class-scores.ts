import type { ClassScores } from '../../evaluate/types.js';
import type { ChartSpec } from '../render.js';
import { COLORS } from '../theme.js';

const SCORES = ['precision', 'recall', 'f1'] as const;

/** Precision, recall and F1 per class, grouped bars on a 0..1 axis. */
export function classScoresChart(perClass: Readonly<Record<string, ClassScores>>, classes: readonly string[], title = 'Scores per class'): ChartSpec {
  const values = classes.filter((c) => perClass[c]).flatMap((c) => SCORES.map((score) => ({ class: c, score, value: perClass[c][score] })));
  return {
    title,
    data: { values },
    width: 320,
    height: { step: 12 },
    encoding: {
      y: { field: 'class', type: 'nominal', sort: [...classes], title: null, axis: { labelLimit: 140 } },
      yOffset: { field: 'score', type: 'nominal', sort: [...SCORES] },
      x: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 1] }, axis: { format: '.0%', grid: true } },
      color: { field: 'score', type: 'nominal', title: null, sort: [...SCORES], scale: { domain: [...SCORES], range: COLORS.scores }, legend: { orient: 'top', direction: 'horizontal' } },
    },
    mark: { type: 'bar' },
  };
}

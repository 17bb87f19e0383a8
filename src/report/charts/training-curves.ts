import type { EpochRecord } from '../../evaluate/types.js';
import type { ChartSpec } from '../render.js';
import { COLORS } from '../theme.js';

/** Train and validation loss (or accuracy) per epoch, one line each. */
export function trainingCurveChart(history: readonly EpochRecord[], metric: 'loss' | 'accuracy'): ChartSpec {
  const values = history.flatMap((e) => {
    const train = metric === 'loss' ? e.loss : e.accuracy;
    const val = metric === 'loss' ? e.valLoss : e.valAccuracy;
    return [
      { epoch: e.epoch, split: 'train', value: train },
      ...(val === null ? [] : [{ epoch: e.epoch, split: 'validation', value: val }]),
    ];
  });
  return {
    title: metric === 'loss' ? 'Loss per epoch' : 'Accuracy per epoch',
    width: 320,
    height: 180,
    data: { values },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' }, scale: { nice: false } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric,
        scale: metric === 'accuracy' ? { zero: false, domainMax: 1 } : { zero: false },
        axis: { grid: true },
      },
      color: {
        field: 'split',
        type: 'nominal',
        title: null,
        scale: { domain: ['train', 'validation'], range: [COLORS.train, COLORS.validation] },
        legend: { orient: 'top', direction: 'horizontal' },
      },
    },
    layer: [{ mark: { type: 'line', strokeWidth: 2 } }, { mark: { type: 'point', filled: true, size: 30 } }],
  };
}

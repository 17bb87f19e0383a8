/** Fixed inputs for chart and report tests. */
import type { EpochRecord, Metrics } from '../../src/evaluate/types.js';
import type { FeatureDistribution } from '../../src/report/charts/histogram.js';

export const HISTORY: EpochRecord[] = [
  { epoch: 1, loss: 0.92, accuracy: 0.71, valLoss: 0.81, valAccuracy: 0.74, seconds: 12.5, flowsPerSec: 41000 },
  { epoch: 2, loss: 0.41, accuracy: 0.88, valLoss: 0.45, valAccuracy: 0.86, seconds: 12.1, flowsPerSec: 42300 },
  { epoch: 3, loss: 0.22, accuracy: 0.94, valLoss: 0.31, valAccuracy: 0.91, seconds: 12.0, flowsPerSec: 42700 },
  { epoch: 4, loss: 0.15, accuracy: 0.96, valLoss: 0.29, valAccuracy: 0.92, seconds: 11.9, flowsPerSec: 43000 },
];

export const METRICS: Metrics = {
  split: 'test',
  classes: ['normal', 'pingScan', 'portScan'],
  confusion: {
    labels: ['normal', 'pingScan', 'portScan'],
    matrix: [
      [9500, 12, 88],
      [3, 40, 7],
      [120, 2, 880],
    ],
  },
  perClass: {
    normal: { precision: 0.9871, recall: 0.9896, f1: 0.9883, support: 9600 },
    pingScan: { precision: 0.7407, recall: 0.8, f1: 0.7692, support: 50 },
    portScan: { precision: 0.9025, recall: 0.8782, f1: 0.8902, support: 1002 },
  },
  accuracy: 0.9781,
  macroF1: 0.8826,
  attack: { precision: 0.9106, recall: 0.8849, f1: 0.8976, support: 1052 } as Metrics['attack'],
  falsePositiveRate: 0.0104,
  r2: { train: 0.91, test: 0.83 },
  timing: { ingestRowsPerSec: 812000, trainFlowsPerSec: 42000, predictFlowsPerSec: 150000 },
  flows: { train: 40000, validation: 8000, test: 10652 },
};

export const SKEWED: FeatureDistribution = {
  name: 'bytes',
  label: 'bytes',
  scale: 'log',
  count: 10000,
  min: 0,
  max: 1e6,
  mean: 5400,
  std: 40000,
  zeros: 12,
  bins: Array.from({ length: 20 }, (_, i) => ({
    start: Number(Math.expm1((i * Math.log1p(1e6)) / 20).toPrecision(6)),
    end: Number(Math.expm1(((i + 1) * Math.log1p(1e6)) / 20).toPrecision(6)),
    count: Math.round(1000 * Math.exp(-((i - 8) ** 2) / 10)),
  })),
};

export const LINEAR: FeatureDistribution = {
  name: 'duration',
  label: 'seconds',
  scale: 'linear',
  count: 600,
  min: 0,
  max: 3,
  mean: 1.2,
  std: 0.7,
  zeros: 40,
  bins: Array.from({ length: 10 }, (_, i) => ({ start: i * 0.3, end: (i + 1) * 0.3, count: 100 - Math.abs(i - 4) * 20 })),
};

/** Durations from 1 ms to 300 s: log bins scaled by the smallest positive value (0.001). */
export const SECONDS: FeatureDistribution = {
  name: 'duration',
  label: 'seconds',
  scale: 'log',
  logConstant: 0.001,
  count: 5000,
  min: 0,
  max: 300,
  mean: 12,
  std: 40,
  zeros: 700,
  bins: Array.from({ length: 24 }, (_, i) => ({
    start: Number((Math.expm1((i * Math.log1p(300 / 0.001)) / 24) * 0.001).toPrecision(6)),
    end: Number((Math.expm1(((i + 1) * Math.log1p(300 / 0.001)) / 24) * 0.001).toPrecision(6)),
    count: i === 0 ? 700 : Math.round(400 * Math.exp(-((i - 7) ** 2) / 8) + 150 * Math.exp(-((i - 20) ** 2) / 6)),
  })),
};

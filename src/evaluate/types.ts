/**
 * The shape of `metrics.json`. Scripts rely on these keys (see README): change them only with a
 * format note in the README.
 */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Metrics {
  /** Which split these scores were computed on (`test`, `validation`, or a file list for `ntc evaluate`). */
  split: string;
  classes: string[];
  /** Rows are true classes, columns predicted, both in `labels` order. */
  confusion: { labels: string[]; matrix: number[][] };
  perClass: Record<string, ClassScores>;
  accuracy: number;
  macroF1: number;
  /** Any attack class against the normal class. */
  attack: { precision: number; recall: number; f1: number };
  /** Normal flows predicted as any attack class, over all normal flows. */
  falsePositiveRate: number;
  /** R² of the predicted against the true encoded class, the score the replaced project printed. */
  r2: { train: number | null; test: number | null };
  timing: { ingestRowsPerSec: number | null; trainFlowsPerSec: number | null; predictFlowsPerSec: number | null };
  /** Flow counts per split (`train`, `validation`, `test`). */
  flows: Record<string, number>;
}

/** One line per epoch of training. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
  flowsPerSec: number;
}

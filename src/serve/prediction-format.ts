/**
 * Text forms of classified flows: CSV (the flow's key columns, `predicted`, `score`, one `p_<class>`
 * per class) and JSON Lines (one object per flow with the same fields). Probabilities have 6
 * decimals. `score` is the probability of the predicted class; for a model trained with
 * `--loss mse` it is the raw regression output and there are no per-class probabilities.
 * prediction-rows.ts writes these same texts as bytes for `ntc classify`.
 */
import { flowKeyAt, type FlowKey } from '../flows/flow-key.js';
import type { FlowDataset } from '../flows/schema.js';
import type { FlowPredictions } from '../train/predict.js';

export type OutputFormat = 'csv' | 'jsonl';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['csv', 'jsonl'];

/** The flow columns each result repeats, so a row can be matched to its input. */
export const KEY_COLUMNS = ['start', 'duration', 'proto', 'srcAddr', 'srcPort', 'dstAddr', 'dstPort', 'packets', 'bytes'] as const;

/** One classified flow as the JSON API and JSONL output give it. */
export interface ClassifiedFlow extends FlowKey<string> {
  predicted: string;
  score: number;
  /** Per class, when the model outputs probabilities. */
  probabilities?: Record<string, number>;
}

/** Other outputs (mse regression values) with 6 significant digits, more than float32 carries. */
export function num(v: number): number {
  return Number(v.toPrecision(6));
}

const SCALE = 1e6;
/**
 * A probability with 6 decimals, trailing zeros dropped (`0.25`, `0.000113`, `1`): the CSV writer's
 * hot path, several times faster than toPrecision. Values outside [0, 1] (mse outputs) and NaN
 * take the general path.
 */
export function formatProbability(p: number): string {
  if (!(p >= 0 && p <= 1)) return String(num(p));
  const v = Math.round(p * SCALE);
  if (v === 0) return '0';
  if (v >= SCALE) return '1';
  const d = String(v);
  const s = '000000'.slice(d.length) + d;
  let end = 6;
  while (s.charCodeAt(end - 1) === 48) end--;
  return `0.${s.slice(0, end)}`;
}

/** A CSV field, quoted when it holds a quote, comma or line break. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Whether the model's outputs are one probability per class (cross-entropy) or one value (mse). */
export function hasProbabilities(classes: readonly string[], outputs: number): boolean {
  return outputs === classes.length && outputs > 1;
}

export function csvHeader(classes: readonly string[], outputs: number): string {
  const probs = hasProbabilities(classes, outputs) ? classes.map((c) => csvField(`p_${c}`)) : [];
  return `${[...KEY_COLUMNS, 'predicted', 'score', ...probs].join(',')}\n`;
}

/** Flow `i` of `ds` with its prediction (`pred` row i belongs to ds row i). */
export function classifiedFlow(ds: FlowDataset, pred: FlowPredictions, classes: readonly string[], i: number): ClassifiedFlow {
  const k = pred.outputs;
  const cls = pred.classOf[i];
  const withProbs = hasProbabilities(classes, k);
  const key = flowKeyAt(ds, i);
  const flow: ClassifiedFlow = {
    ...key,
    start: new Date(key.start).toISOString(),
    predicted: classes[cls] ?? String(cls),
    score: withProbs ? Number(formatProbability(pred.prob[i * k + cls])) : num(pred.prob[i * k]),
  };
  if (withProbs) {
    const probabilities: Record<string, number> = {};
    for (let j = 0; j < k; j++) probabilities[classes[j]] = Number(formatProbability(pred.prob[i * k + j]));
    flow.probabilities = probabilities;
  }
  return flow;
}

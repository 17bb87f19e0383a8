/**
 * Text forms of classified flows: CSV (the flow's key columns, `predicted`, `score`, one `p_<class>`
 * per class) and JSON Lines (one object per flow with the same fields). Probabilities have 6
 * decimals. `score` is the probability of the predicted class; for a model trained with
 * `--loss mse` it is the raw regression output and there are no per-class probabilities.
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
function num(v: number): number {
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

/** ISO 8601 times; flows come in time order, so the text up to the second is reused across rows. */
class IsoTimes {
  private second = NaN;
  private prefix = '';

  format(ms: number): string {
    const s = Math.floor(ms / 1000);
    if (s !== this.second) {
      const iso = new Date(s * 1000).toISOString();
      if (iso.length !== 24) return new Date(ms).toISOString(); // years beyond 9999
      this.second = s;
      this.prefix = iso.slice(0, 20);
    }
    const frac = ms - s * 1000;
    if (!Number.isInteger(frac)) return new Date(ms).toISOString();
    return `${this.prefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
  }
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Whether the model's outputs are one probability per class (cross-entropy) or one value (mse). */
function hasProbabilities(classes: readonly string[], outputs: number): boolean {
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

export function formatCsvRows(ds: FlowDataset, pred: FlowPredictions, classes: readonly string[]): string {
  const c = ds.columns;
  const k = pred.outputs;
  const withProbs = hasProbabilities(classes, k);
  const quotedClasses = classes.map(csvField);
  // Dictionary values repeat across rows: quote each once.
  const quoted = (d: { values: string[] }, cache: Map<number, string>, code: number): string => {
    let s = cache.get(code);
    if (s === undefined) cache.set(code, (s = csvField(d.values[code])));
    return s;
  };
  const times = new IsoTimes();
  const protoQ = new Map<number, string>();
  const srcQ = new Map<number, string>();
  const dstQ = new Map<number, string>();
  const lines: string[] = new Array(ds.length);
  for (let i = 0; i < ds.length; i++) {
    const cls = pred.classOf[i];
    let line =
      `${times.format(c.start[i])},${c.duration[i]},${quoted(c.proto, protoQ, c.proto.codes[i])},` +
      `${quoted(c.srcAddr, srcQ, c.srcAddr.codes[i])},${c.srcPort[i]},${quoted(c.dstAddr, dstQ, c.dstAddr.codes[i])},${c.dstPort[i]},` +
      `${c.packets[i]},${c.bytes[i]},${quotedClasses[cls] ?? cls},${withProbs ? formatProbability(pred.prob[i * k + cls]) : num(pred.prob[i * k])}`;
    if (withProbs) for (let j = 0; j < k; j++) line += `,${formatProbability(pred.prob[i * k + j])}`;
    lines[i] = line;
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function formatJsonlRows(ds: FlowDataset, pred: FlowPredictions, classes: readonly string[]): string {
  let out = '';
  for (let i = 0; i < ds.length; i++) out += `${JSON.stringify(classifiedFlow(ds, pred, classes, i))}\n`;
  return out;
}

/**
 * The string formatters `ntc classify` used before it wrote bytes (one string per flow), kept as the
 * definition its byte output must match exactly.
 */
import type { FlowDataset } from '../../src/flows/schema.js';
import type { FlowPredictions } from '../../src/train/predict.js';
import { classifiedFlow, csvField, formatProbability, hasProbabilities, num } from '../../src/serve/prediction-format.js';
import { ByteWriter } from '../../src/serve/byte-writer.js';
import type { OutputFormat } from '../../src/serve/prediction-format.js';
import { predictionRows } from '../../src/serve/prediction-rows.js';

class IsoTimes {
  private second = NaN;
  private prefix = '';

  format(ms: number): string {
    const s = Math.floor(ms / 1000);
    if (s !== this.second) {
      const iso = new Date(s * 1000).toISOString();
      if (iso.length !== 24) return new Date(ms).toISOString();
      this.second = s;
      this.prefix = iso.slice(0, 20);
    }
    const frac = ms - s * 1000;
    // The one change: the old code wrote `59.1000Z` for a start a hair below a whole second.
    if (!Number.isInteger(frac) || frac >= 1000) return new Date(ms).toISOString();
    return `${this.prefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
  }
}

export function referenceCsvRows(ds: FlowDataset, pred: FlowPredictions, classes: readonly string[]): string {
  const c = ds.columns;
  const k = pred.outputs;
  const withProbs = hasProbabilities(classes, k);
  const quotedClasses = classes.map(csvField);
  const times = new IsoTimes();
  const lines: string[] = new Array(ds.length);
  for (let i = 0; i < ds.length; i++) {
    const cls = pred.classOf[i];
    let line =
      `${times.format(c.start[i])},${c.duration[i]},${csvField(c.proto.values[c.proto.codes[i]])},` +
      `${csvField(c.srcAddr.values[c.srcAddr.codes[i]])},${c.srcPort[i]},${csvField(c.dstAddr.values[c.dstAddr.codes[i]])},${c.dstPort[i]},` +
      `${c.packets[i]},${c.bytes[i]},${quotedClasses[cls] ?? cls},${withProbs ? formatProbability(pred.prob[i * k + cls]) : num(pred.prob[i * k])}`;
    if (withProbs) for (let j = 0; j < k; j++) line += `,${formatProbability(pred.prob[i * k + j])}`;
    lines[i] = line;
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function referenceJsonlRows(ds: FlowDataset, pred: FlowPredictions, classes: readonly string[]): string {
  let out = '';
  for (let i = 0; i < ds.length; i++) out += `${JSON.stringify(classifiedFlow(ds, pred, classes, i))}\n`;
  return out;
}

/** The rows as prediction-rows.ts writes them, through a ByteWriter of `chunkBytes` (small ones split rows across chunks). */
export function byteRows(format: OutputFormat, ds: FlowDataset, pred: FlowPredictions, classes: readonly string[], chunkBytes = 1 << 16): string {
  const rows = predictionRows(format, classes, pred.outputs);
  const out = new ByteWriter(chunkBytes);
  const parts: Buffer[] = [];
  for (let i = 0; ; ) {
    i = rows.fill(out, ds, pred, i);
    const chunk = out.take();
    parts.push(Buffer.from(chunk.bytes));
    chunk.release();
    if (i >= ds.length) break;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * `ntc classify` without the command line: flow files (or stdin) in, one classified row per flow
 * out, in input order, batch by batch so memory does not grow with the input. Files are read as
 * one stream (shared dictionaries, one bad-row budget), as `ntc evaluate` reads them as one data set.
 */
import { newContext, sourceBatches, type ReadOptions, type ReadProgress } from '../flows/read.js';
import { fileSize } from '../flows/byte-source.js';
import type { BadRow } from '../flows/schema.js';
import type { TrainedModel } from '../pipeline/load-trained.js';
import { UserError } from '../util/errors.js';
import { coalesceBatches } from './coalesce.js';
import { csvHeader, formatCsvRows, formatJsonlRows, type OutputFormat } from './prediction-format.js';
import type { OutputSink } from './output-sink.js';
import { StreamClassifier, type StreamStats } from './stream-classifier.js';

export const DEFAULT_CLASSIFY_BATCH_ROWS = 131072;

export interface ClassifyOptions {
  /** Paths; `-` is stdin. */
  inputs: string[];
  format: OutputFormat;
  read: ReadOptions;
  /** See StreamClassifierOptions.idleSeconds. */
  idleSeconds?: number;
  batchSize?: number;
  /**
   * Flows per classified batch (default 131,072). Larger batches re-run fewer window prefixes
   * (about 16% extra steps at 65,536 on a 1M-flow CIDDS file, 3% at 262,144) but hold more memory.
   */
  batchRows?: number;
  /** Longest a flow from a live stream (stdin) waits for its batch to fill (default 1,000 ms). */
  maxDelayMs?: number;
  onProgress?: (p: ReadProgress) => void;
}

export interface ClassifySummary {
  flows: number;
  badRowCount: number;
  badRows: BadRow[];
  seconds: number;
  stream: StreamStats;
  /** The output's reader went away before the end (e.g. `| head`). */
  stoppedEarly: boolean;
}

export async function classifyToSink(trained: TrainedModel, sink: OutputSink, o: ClassifyOptions): Promise<ClassifySummary> {
  if (o.inputs.length === 0) throw new UserError('no flow files given');
  if (o.inputs.filter((p) => p === '-').length > 1) throw new UserError('stdin (-) can be read only once');
  if (o.idleSeconds !== undefined && !(o.idleSeconds > 0)) throw new UserError(`--idle-timeout must be a positive number of seconds, got ${o.idleSeconds}`);
  const t0 = performance.now();
  let bytesTotal = 0;
  for (const p of o.inputs) bytesTotal = p === '-' ? -Infinity : bytesTotal + (await fileSize(p));
  const ctx = newContext({ ...o.read, onProgress: o.onProgress }, Number.isFinite(bytesTotal) ? bytesTotal : 0);
  const classes = trained.preprocessor.classes;
  const classifier = new StreamClassifier(trained.model, trained.preprocessor, { idleSeconds: o.idleSeconds, batchSize: o.batchSize });
  let headerDone = false;
  let stoppedEarly = false;
  outer: for (const path of o.inputs) {
    const live = path === '-';
    const batchRows = o.batchRows ?? DEFAULT_CLASSIFY_BATCH_ROWS;
    const batches = sourceBatches(path, ctx, { batchRows, grow: false, flushEachChunk: live });
    for await (const batch of coalesceBatches(batches, batchRows, o.maxDelayMs ?? 1000)) {
      const pred = await classifier.classify(batch);
      if (!headerDone && o.format === 'csv') await sink.write(csvHeader(classes, pred.outputs));
      headerDone = true;
      await sink.write(o.format === 'csv' ? formatCsvRows(batch, pred, classes) : formatJsonlRows(batch, pred, classes));
      if (sink.closed) {
        stoppedEarly = true;
        break outer;
      }
    }
  }
  if (!stoppedEarly) ctx.log.checkFinal(ctx.rowsBefore);
  if (!headerDone && o.format === 'csv') await sink.write(csvHeader(classes, trained.model.spec.outputs));
  return {
    flows: classifier.stats.flows,
    badRowCount: ctx.log.count,
    badRows: ctx.log.kept,
    seconds: (performance.now() - t0) / 1000,
    stream: { ...classifier.stats },
    stoppedEarly,
  };
}

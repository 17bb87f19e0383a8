/**
 * `ntc classify` without the command line: flow files (or stdin) in, one classified row per flow
 * out, in input order, batch by batch so memory does not grow with the input. Files are read as
 * one stream (one read context and bad-row budget), as `ntc evaluate` reads them as one data set;
 * the address dictionary is restarted when it grows past a limit (bounded-addresses.ts).
 */
import { newContext, sourceBatches, type ReadOptions, type ReadProgress } from '../flows/read.js';
import { fileSize } from '../flows/byte-source.js';
import type { BadRow, FlowDataset } from '../flows/schema.js';
import type { TrainedModel } from '../pipeline/load-trained.js';
import type { FlowPredictions } from '../train/predict.js';
import { UserError } from '../util/errors.js';
import { boundedAddresses, DEFAULT_MAX_ADDRESSES, type AddressStats } from './bounded-addresses.js';
import { coalesceBatches, IDLE, idleTicks } from './coalesce.js';
import { ByteWriter } from './byte-writer.js';
import type { OutputSink } from './output-sink.js';
import type { OutputFormat } from './prediction-format.js';
import { predictionRows, type PredictionRows } from './prediction-rows.js';
import { readAhead, type ReadAheadSummary } from './read-ahead.js';
import { WINDOW_BUFFER_SETS } from './source-windows.js';
import { StreamClassifier, type ClassifiedBatch, type StreamStats } from './stream-classifier.js';

/**
 * Batches short enough that the threads overlap well at both ends of a file (the model thread
 * starts sooner, and the last batch's model run and output, which nothing overlaps, are short),
 * long enough that per-batch work stays small: on 2 cores 65,536 classified the 1M-flow bench
 * file in 1.91 s against 2.02 s at 131,072 (medians of 8 alternating runs); 32,768 cost more CPU.
 */
export const DEFAULT_CLASSIFY_BATCH_ROWS = 65536;
/** Batches read from a file before the oldest one's results are written (see StreamClassifier). */
const BATCHES_IN_FLIGHT = WINDOW_BUFFER_SETS - 1;

export interface ClassifyOptions {
  /** Paths; `-` is stdin. */
  inputs: string[];
  format: OutputFormat;
  read: ReadOptions;
  /** See StreamClassifierOptions.idleSeconds. */
  idleSeconds?: number;
  batchSize?: number;
  /**
   * Flows per classified batch (default 65,536). Without deferred windows, larger batches re-run
   * fewer window prefixes (about 16% extra steps at 65,536 on a 1M-flow CIDDS file, 3% at 262,144)
   * but hold more memory; with them, few are (17,046 steps of the 1M-flow bench file at 65,536).
   */
  batchRows?: number;
  /**
   * Addresses the reader's dictionary may hold before a fresh one is started between batches
   * (default DEFAULT_MAX_ADDRESSES), so an endless stream of new hosts runs in bounded memory.
   */
  maxAddresses?: number;
  /**
   * See StreamClassifierOptions.deferOpenWindows (default on). Results held back for the next batch
   * are released when the input stays quiet for `maxDelayMs`.
   */
  deferOpenWindows?: boolean;
  /**
   * Longest a flow from a live stream (stdin) waits for its batch to fill (default 1,000 ms); a flow
   * whose window is deferred then waits for the next batch, or this long again if the input is quiet.
   */
  maxDelayMs?: number;
  onProgress?: (p: ReadProgress) => void;
  /**
   * Read and parse files on a worker thread while this thread classifies (default on; stdin is
   * always read here).
   */
  readThread?: boolean;
}

/** Batches from one input, or from all files through the reader thread. */
interface Feed {
  live: boolean;
  batches: AsyncIterable<FlowDataset | typeof IDLE>;
}

export interface ClassifySummary {
  flows: number;
  badRowCount: number;
  badRows: BadRow[];
  seconds: number;
  stream: StreamStats;
  addresses: AddressStats;
  /** The output's reader went away before the end (e.g. `| head`). */
  stoppedEarly: boolean;
}

/**
 * Classifies the inputs into `sink`. The model may still be loading (a promise): the reader thread
 * starts on the files meanwhile, so loading and the first batches overlap.
 */
export async function classifyToSink(model: TrainedModel | Promise<TrainedModel>, sink: OutputSink, o: ClassifyOptions): Promise<ClassifySummary> {
  // A load that fails is reported below, where it is awaited, not as an unhandled rejection before.
  Promise.resolve(model).catch(() => undefined);
  if (o.inputs.length === 0) throw new UserError('no flow files given');
  if (o.inputs.filter((p) => p === '-').length > 1) throw new UserError('stdin (-) can be read only once');
  if (o.idleSeconds !== undefined && !(o.idleSeconds > 0)) throw new UserError(`--idle-timeout must be a positive number of seconds, got ${o.idleSeconds}`);
  const t0 = performance.now();
  let bytesTotal = 0;
  for (const p of o.inputs) bytesTotal = p === '-' ? -Infinity : bytesTotal + (await fileSize(p));
  const ctx = newContext({ ...o.read, onProgress: o.onProgress }, Number.isFinite(bytesTotal) ? bytesTotal : 0);
  const batchRows = o.batchRows ?? DEFAULT_CLASSIFY_BATCH_ROWS;
  const maxAddresses = o.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  const addresses: AddressStats = { peak: 0, restarts: 0 };
  const readThread = (o.readThread ?? true) && !o.inputs.includes('-');
  const ahead: ReadAheadSummary = { badRowCount: 0, badRows: [], addresses };
  const reader = readThread ? started(readAhead({ inputs: o.inputs, maxBadRows: o.read.maxBadRows, batchRows, maxAddresses, onProgress: o.onProgress }, ahead)) : undefined;
  try {
    const trained = await model;
    const deferOpenWindows = o.deferOpenWindows ?? true;
    const classifier = new StreamClassifier(trained.model, trained.preprocessor, { idleSeconds: o.idleSeconds, batchSize: o.batchSize, deferOpenWindows });
    const rows = predictionRows(o.format, trained.preprocessor.classes, trained.model.spec.outputs);
    const out = new ByteWriter();
    // The header goes out with the first results (or at the end), so a failed read writes nothing.
    let headerDone = false;
    let stoppedEarly = false;
    /** Writes completed batches; true once the reader has gone away. */
    const write = async (done: ClassifiedBatch[]): Promise<boolean> => {
      for (const { ds, pred } of done) {
        if (!headerDone) await sink.write(rows.header);
        headerDone = true;
        await writeRows(sink, out, rows, ds, pred);
        if (sink.closed) return true;
      }
      return false;
    };
    /** Batches whose results are not written yet, oldest first. */
    const running: Promise<ClassifiedBatch[]>[] = [];
    /** Writes the oldest running batch once it is done; true once the reader has gone away. */
    const settle = async (): Promise<boolean> => {
      const batch = running.shift();
      return batch ? write(await batch) : false;
    };
    const maxDelayMs = o.maxDelayMs ?? 1000;
    const feeds: Feed[] = reader
      ? [{ live: false, batches: reader }]
      : o.inputs.map((path) => {
        const live = path === '-';
        const read = sourceBatches(path, ctx, { batchRows, grow: false, flushEachChunk: live });
        const batches = boundedAddresses(read, ctx, maxAddresses, addresses);
        return { live, batches: idleTicks(coalesceBatches(batches, batchRows, maxDelayMs), maxDelayMs, () => classifier.owing) };
      });
    outer: for (const { live, batches } of feeds) {
      for await (const batch of batches) {
        const next = batch === IDLE ? classifier.finish() : classifier.classify(batch);
        // Rejections surface when `next` is awaited, batches later.
        next.catch(() => undefined);
        running.push(next);
        // From a file, a batch's model run overlaps with writing earlier batches and reading later
        // ones; a live stream is answered as soon as its batch is done.
        while (running.length > (live ? 0 : BATCHES_IN_FLIGHT)) {
          if (await settle()) {
            stoppedEarly = true;
            // Let their model runs end before the caller disposes of the model.
            await Promise.allSettled(running);
            break outer;
          }
        }
      }
    }
    while (!stoppedEarly && running.length > 0) if (await settle()) stoppedEarly = true;
    if (!stoppedEarly && (await write(await classifier.finish()))) stoppedEarly = true;
    // The reader thread checked the bad-row limit at the end of its input already.
    if (!stoppedEarly && !readThread) ctx.log.checkFinal(ctx.rowsBefore);
    if (!headerDone) await sink.write(rows.header);
    return {
      flows: classifier.stats.flows,
      badRowCount: readThread ? ahead.badRowCount : ctx.log.count,
      badRows: readThread ? ahead.badRows : ctx.log.kept,
      seconds: (performance.now() - t0) / 1000,
      stream: { ...classifier.stats },
      addresses: readThread ? ahead.addresses : addresses,
      stoppedEarly,
    };
  } finally {
    // Ends the reader thread whatever happened (a read to the end has ended it already).
    await reader?.return(undefined);
  }
}

/**
 * `source` with its first batch already asked for, so that its thread starts reading now; iterating
 * it gives that batch first.
 */
function started<T>(source: AsyncGenerator<T>): AsyncGenerator<T> & AsyncIterable<T> {
  let first: Promise<IteratorResult<T>> | null = source.next();
  // Its failure surfaces when the batch is taken (or not at all, when nobody takes it).
  first.catch(() => undefined);
  const it = {
    next(): Promise<IteratorResult<T>> {
      const f = first;
      first = null;
      return f ?? source.next();
    },
    async return(value?: unknown): Promise<IteratorResult<T>> {
      first = null;
      return source.return(value as T);
    },
    throw(err: unknown): Promise<IteratorResult<T>> {
      first = null;
      return source.throw(err);
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it as unknown as AsyncGenerator<T> & AsyncIterable<T>;
}

/** One batch's rows, a buffer at a time; each batch ends with a write so live streams are answered at once. */
async function writeRows(sink: OutputSink, out: ByteWriter, rows: PredictionRows, batch: FlowDataset, pred: FlowPredictions): Promise<void> {
  for (let i = 0; ; ) {
    i = rows.fill(out, batch, pred, i);
    const chunk = out.take();
    await sink.write(chunk.bytes, chunk.release);
    if (i >= batch.length || sink.closed) return;
  }
}

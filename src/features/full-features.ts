/**
 * Fitting and writing the `full` feature set, on several threads when the data set is large and its
 * columns are in shared memory (as the readers leave large reads), else on this thread; both give
 * identical results (full-kernel.ts says which work may be split).
 */
import type { FlowDataset } from '../flows/schema.js';
import { isShared, sharedArray, toShared } from '../flows/shared-arrays.js';
import type { CandidateFit, ColumnTarget } from './column-groups.js';
import type { FeatureEnv } from './feature-env.js';
import {
  emptyFitCounts, fitCountsBlock, fitCountsWidth, fitOrderedContext, fitOrderedInputs, fullFits, type OrderedFit, fullRows, fullTables, mergeFitCounts, transformBlock,
  transformPlan, usedProtoCodes,
} from './full-kernel.js';
import { zeroedMatrix } from './matrix.js';
import { blockCount, parallelWorthIt, runBlocks } from './row-pool.js';
import type { RunningStats } from './running-stats.js';
import { batchContext, batchContextJobs } from './source-context.js';
import type { Preprocessor, ResolvedPreprocessOptions } from './types.js';
import { vocabularyOfUsed } from './vocabulary.js';

/** Whether the columns the full features read can be handed to worker threads as they are. */
function sharedColumns(ds: FlowDataset): boolean {
  const c = ds.columns;
  return [c.duration, c.packets, c.bytes, c.flags, c.tos, c.proto.codes, c.srcPort, c.dstPort, c.srcAddr.codes, c.dstAddr.codes].every(isShared);
}

function onThreads(ds: FlowDataset, rows: number): boolean {
  return parallelWorthIt(rows) && sharedColumns(ds);
}

/**
 * The full set's vocabularies and candidate fits on `fitRows` (`given` is the caller's selection,
 * undefined for every row; fitRows is then every row).
 */
export function fitFull(
  ds: FlowDataset,
  given: Uint32Array | undefined,
  fitRows: Uint32Array,
  options: ResolvedPreprocessOptions,
  /** More of the caller's work for this thread, run while other threads count. */
  alongside: () => void = () => {},
): { vocabularies: Preprocessor['vocabularies']; fits: Map<string, CandidateFit> } {
  const n = fitRows.length;
  const protoValues = ds.columns.proto.values;
  const tables = fullTables(ds);
  const width = fitCountsWidth(protoValues.length);
  let counts: Float64Array;
  let ordered: OrderedFit | undefined;
  if (onThreads(ds, n)) {
    // The scaler sums run on this thread in row order while the other threads compute the
    // context (the sums but one need no context), then the counts (while this thread completes
    // the context and adds up the sum that needs it).
    const inp = fullRows(ds, given ? toShared(given) : null);
    const blocks = blockCount(n);
    const out = sharedArray(Float64Array, blocks * width);
    const idle = options.contextIdleSeconds;
    const context = batchContextJobs(ds, idle);
    let inputs: RunningStats[] = [];
    runBlocks(context.jobs, () => (inputs = fitOrderedInputs(inp, n)));
    runBlocks([{ call: { kernel: 'fitCounts', inp, tables, width, out }, rows: n }], () => {
      context.finish();
      ordered = fitOrderedContext(inputs, n, batchContext(ds, fitRows, idle));
      alongside();
    });
    counts = emptyFitCounts(protoValues.length);
    for (let b = 0; b < blocks; b++) mergeFitCounts(counts, out.subarray(b * width, (b + 1) * width));
  } else {
    const inp = fullRows(ds, fitRows);
    counts = new Float64Array(width);
    fitCountsBlock(inp, tables, 0, n, counts);
    ordered = fitOrderedContext(fitOrderedInputs(inp, n), n, batchContext(ds, fitRows, options.contextIdleSeconds));
    alongside();
  }
  const vocabularies = { proto: vocabularyOfUsed(protoValues, usedProtoCodes(counts)) };
  return { vocabularies, fits: fullFits(counts, ordered!, n, vocabularies.proto, protoValues) };
}

/**
 * Writes the full features of the env's rows (`given` as for fitFull); returns the matrix data,
 * in shared memory when threads wrote it.
 */
export function transformFull(env: FeatureEnv, given: Uint32Array | undefined, targetOf: (name: string) => ColumnTarget, cols: number, into?: Float32Array): Float32Array {
  const { ds, rows } = env;
  const n = rows.length;
  const ctx = env.context();
  const plan = transformPlan(ds, env.vocabularies.proto, targetOf, cols);
  const tables = fullTables(ds);
  const byRow = ctx.rowOf !== undefined;
  if (onThreads(ds, n) && !into) {
    const data = sharedArray(Float32Array, n * cols);
    const inp = fullRows(ds, given ? toShared(given) : null);
    runBlocks([{ call: { kernel: 'transform', inp, tables, plan, ctx: { logGap: toShared(ctx.logGap), bits: toShared(ctx.bits), byRow }, data }, rows: n }]);
    return data;
  }
  // Zero-filled: one-hot columns only write their 1s.
  const data = zeroedMatrix(n * cols, into);
  transformBlock(fullRows(ds, rows), tables, plan, { logGap: ctx.logGap, bits: ctx.bits, byRow }, data, 0, n);
  return data;
}

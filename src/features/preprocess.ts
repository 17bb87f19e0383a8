/**
 * Fitting and applying the preprocessing: vocabularies and scaler statistics come from training
 * rows only; the same `Preprocessor` then turns any flows into the same feature columns.
 */
import type { FlowDataset } from '../flows/schema.js';
import { UserError } from '../util/errors.js';
import { candidateColumns, FeatureEnv, type Candidate } from './candidates.js';
import { rowsOrAll } from './rows.js';
import type { SourceContextStore } from './source-context.js';
import { fitClasses } from './targets.js';
import {
  DEFAULT_PREPROCESS_OPTIONS,
  PREPROCESSOR_VERSION,
  type FeatureMatrix,
  type PreprocessOptions,
  type Preprocessor,
  type ResolvedPreprocessOptions,
} from './types.js';
import { fitVocabulary } from './vocabulary.js';

export function resolveOptions(options: PreprocessOptions = {}): ResolvedPreprocessOptions {
  const o = { ...DEFAULT_PREPROCESS_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (o.features !== 'full' && o.features !== 'compat') throw new UserError(`unknown feature set "${o.features}" (expected full or compat)`);
  if (o.target !== 'attackType' && o.target !== 'class') throw new UserError(`unknown target "${o.target}" (expected attackType or class)`);
  if (!(o.contextIdleSeconds > 0)) throw new UserError(`context idle time must be a positive number of seconds, got ${o.contextIdleSeconds}`);
  return o;
}

function fitVocabularies(ds: FlowDataset, rows: Uint32Array, options: ResolvedPreprocessOptions): Preprocessor['vocabularies'] {
  const vocabs: Preprocessor['vocabularies'] = { proto: fitVocabulary(ds.columns.proto, rows) };
  if (options.features === 'compat') {
    vocabs.srcAddr = fitVocabulary(ds.columns.srcAddr, rows);
    vocabs.dstAddr = fitVocabulary(ds.columns.dstAddr, rows);
  }
  return vocabs;
}

export function fitPreprocessor(ds: FlowDataset, rows?: Uint32Array, options?: PreprocessOptions): Preprocessor {
  const opts = resolveOptions(options);
  const fitRows = rowsOrAll(ds, rows);
  if (fitRows.length === 0) throw new UserError('cannot fit the preprocessing on zero training flows');
  const vocabularies = fitVocabularies(ds, fitRows, opts);
  const env = new FeatureEnv(ds, fitRows, opts, vocabularies);
  const candidates = candidateColumns(opts, vocabularies);
  const stats = candidates.map(() => new RunningStats());
  const raw = new Float64Array(BLOCK);
  for (let from = 0; from < fitRows.length; from += BLOCK) {
    const to = Math.min(from + BLOCK, fitRows.length);
    candidates.forEach((c, j) => {
      c.fill(raw, env, from, to);
      stats[j].add(raw, to - from);
    });
  }
  const names: string[] = [];
  const mean: number[] = [];
  const std: number[] = [];
  const droppedConstant: string[] = [];
  candidates.forEach((c, j) => {
    const s = stats[j];
    if (s.min === s.max) {
      droppedConstant.push(c.name);
      return;
    }
    names.push(c.name);
    mean.push(c.scaled ? s.mean() : 0);
    std.push(c.scaled ? s.std() || 1 : 1);
  });
  return {
    version: PREPROCESSOR_VERSION,
    options: opts,
    names,
    scaler: { mean, std },
    droppedConstant,
    vocabularies,
    classes: fitClasses(ds, fitRows, opts),
    fittedRows: fitRows.length,
  };
}

/**
 * Rows are processed in blocks so that writing one column of a row-major block stays in cache
 * (column-at-a-time over millions of rows is dominated by cache misses).
 */
const BLOCK = 4096;

/** Mean and population standard deviation in one pass; sums are shifted by the first value for accuracy. */
class RunningStats {
  private n = 0;
  private shift = 0;
  private sum = 0;
  private sumSq = 0;
  min = Infinity;
  max = -Infinity;

  add(v: Float64Array, count: number): void {
    if (this.n === 0 && count > 0) this.shift = v[0];
    const k = this.shift;
    let { sum, sumSq, min, max } = this;
    for (let i = 0; i < count; i++) {
      const x = v[i];
      const d = x - k;
      sum += d;
      sumSq += d * d;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    Object.assign(this, { sum, sumSq, min, max });
    this.n += count;
  }

  mean(): number {
    return this.shift + this.sum / this.n;
  }

  std(): number {
    const m = this.sum / this.n;
    return Math.sqrt(Math.max(0, this.sumSq / this.n - m * m));
  }
}

export interface TransformOptions {
  /**
   * Streaming: per-source contexts carried across calls. Without it the context features are
   * computed over the whole data set (batch).
   */
  contexts?: SourceContextStore;
}

export function transformFlows(p: Preprocessor, ds: FlowDataset, rows?: Uint32Array, opts: TransformOptions = {}): FeatureMatrix {
  checkPreprocessor(p);
  const sel = rowsOrAll(ds, rows);
  const byName = new Map<string, Candidate>(candidateColumns(p.options, p.vocabularies).map((c) => [c.name, c]));
  const env = new FeatureEnv(ds, sel, p.options, p.vocabularies, opts.contexts);
  const cols = p.names.length;
  const columns = p.names.map((name) => {
    const c = byName.get(name);
    if (!c) throw new UserError(`the saved preprocessing names a feature "${name}" this version of ntc does not know`);
    return c;
  });
  const data = new Float32Array(sel.length * cols);
  const raw = new Float64Array(BLOCK);
  for (let from = 0; from < sel.length; from += BLOCK) {
    const to = Math.min(from + BLOCK, sel.length);
    for (let j = 0; j < cols; j++) {
      columns[j].fill(raw, env, from, to);
      writeScaledColumn(data, raw, to - from, from * cols + j, cols, p.scaler.mean[j], p.scaler.std[j]);
    }
  }
  return { names: [...p.names], data, rows: sel.length, cols };
}

function writeScaledColumn(data: Float32Array, raw: Float64Array, count: number, at: number, stride: number, mean: number, std: number): void {
  for (let i = 0; i < count; i++, at += stride) data[at] = (raw[i] - mean) / std;
}

function checkPreprocessor(p: Preprocessor): void {
  if (p.version !== PREPROCESSOR_VERSION) {
    throw new UserError(`the saved preprocessing has version ${String(p.version)}; this ntc reads version ${PREPROCESSOR_VERSION}`);
  }
}

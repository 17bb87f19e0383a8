/**
 * Fitting and applying the preprocessing: vocabularies and scaler statistics come from training
 * rows only; the same `Preprocessor` then turns any flows into the same feature columns.
 */
import type { FlowDataset } from '../flows/schema.js';
import { UserError } from '../util/errors.js';
import { candidateGroups } from './candidates.js';
import { BLOCK, type CandidateFit, type CandidateGroup, type ColumnTarget } from './column-groups.js';
import { FeatureEnv } from './feature-env.js';
import { fitFull, transformFull } from './full-features.js';
import { zeroedMatrix } from './matrix.js';
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
  let classes: string[] | undefined;
  const fitTargets = () => (classes = fitClasses(ds, fitRows, opts));
  const full = opts.features === 'full' ? fitFull(ds, rows, fitRows, opts, fitTargets) : undefined;
  const vocabularies = full ? full.vocabularies : fitVocabularies(ds, fitRows, opts);
  const names: string[] = [];
  const mean: number[] = [];
  const std: number[] = [];
  const droppedConstant: string[] = [];
  const env = full ? undefined : new FeatureEnv(ds, fitRows, opts, vocabularies);
  for (const group of candidateGroups(opts, vocabularies)) {
    const fits = full ? group.candidates.map((c) => fusedFit(full.fits, c.name)) : group.fit(env!);
    group.candidates.forEach((c, k) => {
      const f = fits[k];
      if (f.constant) {
        droppedConstant.push(c.name);
        return;
      }
      names.push(c.name);
      mean.push(f.mean);
      std.push(f.std);
    });
  }
  return {
    version: PREPROCESSOR_VERSION,
    options: opts,
    names,
    scaler: { mean, std },
    droppedConstant,
    vocabularies,
    classes: classes ?? fitTargets(),
    fittedRows: fitRows.length,
  };
}

function fusedFit(fits: Map<string, CandidateFit>, name: string): CandidateFit {
  const f = fits.get(name);
  if (!f) throw new Error(`internal: the fused fit has no candidate ${name}`);
  return f;
}

export interface TransformOptions {
  /**
   * Streaming: per-source contexts carried across calls. Without it the context features are
   * computed over the whole data set (batch).
   */
  contexts?: SourceContextStore;
  /**
   * Write the matrix into the start of this array (at least rows x columns long; zeroed here) instead
   * of a new one: a caller transforming batch after batch reuses its buffers, and spares the page
   * faults and garbage collections that a fresh matrix per batch costs.
   */
  into?: Float32Array;
  /** With `contexts`: timeOrder(ds, rows), when the caller computed it already (it is a pass over the rows). */
  timeOrder?: Uint32Array;
}

export function transformFlows(p: Preprocessor, ds: FlowDataset, rows?: Uint32Array, opts: TransformOptions = {}): FeatureMatrix {
  checkPreprocessor(p);
  const sel = rowsOrAll(ds, rows);
  const groups = candidateGroups(p.options, p.vocabularies);
  const colOf = outputColumns(p, groups);
  const env = new FeatureEnv(ds, sel, p.options, p.vocabularies, opts.contexts, opts.timeOrder);
  const targetOf = (name: string): ColumnTarget => {
    const j = colOf.get(name) ?? -1;
    return j < 0 ? { col: -1, mean: 0, std: 1 } : { col: j, mean: p.scaler.mean[j], std: p.scaler.std[j] };
  };
  const cols = p.names.length;
  const unitBinary = groups.every((g) => g.candidates.every((c) => c.scaled || isIdentityOrAbsent(targetOf(c.name))));
  if (p.options.features === 'full' && unitBinary) {
    return { names: [...p.names], data: transformFull(env, rows, targetOf, cols, opts.into), rows: sel.length, cols };
  }
  // Zero-filled: one-hot columns only write their 1s.
  const data = zeroedMatrix(sel.length * cols, opts.into);
  writeByGroups(env, groups, targetOf, data, cols);
  return { names: [...p.names], data, rows: sel.length, cols };
}

/** The general path: each group writes its columns, a block of rows at a time. */
export function writeByGroups(env: FeatureEnv, groups: readonly CandidateGroup[], targetOf: (name: string) => ColumnTarget, data: Float32Array, cols: number): void {
  const writers = groups.map((g) => g.writer(env, g.candidates.map((c) => targetOf(c.name))));
  const n = env.rows.length;
  for (let from = 0; from < n; from += BLOCK) {
    const to = Math.min(from + BLOCK, n);
    for (const write of writers) write(data, cols, from, to);
  }
}

function isIdentityOrAbsent(t: ColumnTarget): boolean {
  return t.col < 0 || (t.mean === 0 && t.std === 1);
}

/** Output column of each feature the preprocessor keeps. */
function outputColumns(p: Preprocessor, groups: readonly CandidateGroup[]): Map<string, number> {
  const known = new Set(groups.flatMap((g) => g.candidates.map((c) => c.name)));
  const colOf = new Map<string, number>();
  p.names.forEach((name, j) => {
    if (!known.has(name)) throw new UserError(`the saved preprocessing names a feature "${name}" this version of ntc does not know`);
    if (colOf.has(name)) throw new UserError(`the saved preprocessing names the feature "${name}" twice`);
    colOf.set(name, j);
  });
  return colOf;
}

function checkPreprocessor(p: Preprocessor): void {
  if (p.version !== PREPROCESSOR_VERSION) {
    throw new UserError(`the saved preprocessing has version ${String(p.version)}; this ntc reads version ${PREPROCESSOR_VERSION}`);
  }
}

/**
 * Candidate columns come in groups that share one per-row input: a number (scalar), a bit set
 * (TCP flags, context flags) or a category index (one-hot). A group fits all its columns in one
 * pass over its input and writes them straight into the row-major output, a block of rows at a
 * time so the strided writes stay in cache. One-hot columns only write their 1s into the zeroed
 * output, and 0/1 columns skip the scaling arithmetic when their scale is the identity.
 */
import type { FeatureEnv } from './feature-env.js';
import { RunningStats } from './running-stats.js';

export interface Candidate {
  name: string;
  /** Binary and one-hot columns stay 0/1; the rest are standardised. */
  scaled: boolean;
}

/** What fitting learnt about one candidate on the training rows. */
export interface CandidateFit {
  /** Same value on every training row: left out. */
  constant: boolean;
  mean: number;
  std: number;
}

/** Where a transform puts one candidate: output column, or -1 when the preprocessor left it out. */
export interface ColumnTarget {
  col: number;
  mean: number;
  std: number;
}

/** Writes positions from..to-1 of the env's rows into rows from..to-1 of the row-major output. */
export type BlockWriter = (data: Float32Array, stride: number, from: number, to: number) => void;

export interface CandidateGroup {
  candidates: readonly Candidate[];
  fit(env: FeatureEnv): CandidateFit[];
  writer(env: FeatureEnv, targets: readonly ColumnTarget[]): BlockWriter;
}

/** Rows per block: a block of the output (rows x ~30 floats) stays in L2. */
export const BLOCK = 2048;

/** Fills out[0..to-from-1] with the inputs of positions from..to-1 of the env's rows. */
export type BlockFill<T> = (out: T, from: number, to: number) => void;

function isIdentity(t: ColumnTarget): boolean {
  return t.mean === 0 && t.std === 1;
}

/** One column from a per-row number. */
export function scalarColumn(name: string, scaled: boolean, prepare: (env: FeatureEnv) => BlockFill<Float64Array>): CandidateGroup {
  return {
    candidates: [{ name, scaled }],
    fit(env) {
      const fill = prepare(env);
      const stats = new RunningStats();
      const raw = new Float64Array(BLOCK);
      for (let from = 0; from < env.rows.length; from += BLOCK) {
        const to = Math.min(from + BLOCK, env.rows.length);
        fill(raw, from, to);
        stats.add(raw, to - from);
      }
      return [{ constant: stats.min === stats.max, mean: scaled ? stats.mean() : 0, std: scaled ? stats.std() || 1 : 1 }];
    },
    writer(env, [t]) {
      if (t.col < 0) return () => {};
      const fill = prepare(env);
      const raw = new Float64Array(BLOCK);
      return (data, stride, from, to) => {
        fill(raw, from, to);
        const { mean, std } = t;
        for (let i = 0, at = from * stride + t.col; i < to - from; i++, at += stride) data[at] = (raw[i] - mean) / std;
      };
    },
  };
}

/** 0/1 columns, each one bit of a per-row bit set. */
export function bitColumns(columns: ReadonlyArray<{ name: string; bit: number }>, prepare: (env: FeatureEnv) => BlockFill<Uint8Array>): CandidateGroup {
  return {
    candidates: columns.map((c) => ({ name: c.name, scaled: false })),
    fit(env) {
      const fill = prepare(env);
      const bits = new Uint8Array(BLOCK);
      let any = 0;
      let all = 0xff;
      for (let from = 0; from < env.rows.length; from += BLOCK) {
        const to = Math.min(from + BLOCK, env.rows.length);
        fill(bits, from, to);
        for (let i = 0; i < to - from; i++) {
          any |= bits[i];
          all &= bits[i];
        }
      }
      // A bit is constant when it is set on every row or on none.
      return columns.map((c) => ({ constant: ((any ^ all) >> c.bit & 1) === 0, mean: 0, std: 1 }));
    },
    writer(env, targets) {
      const kept = columns.map((c, k) => ({ bit: c.bit, ...targets[k] })).filter((t) => t.col >= 0);
      if (kept.length === 0) return () => {};
      const fill = prepare(env);
      const bits = new Uint8Array(BLOCK);
      return (data, stride, from, to) => {
        fill(bits, from, to);
        const n = to - from;
        for (const { bit, col, mean, std } of kept) {
          let at = from * stride + col;
          if (mean === 0 && std === 1) for (let i = 0; i < n; i++, at += stride) data[at] = (bits[i] >> bit) & 1;
          else for (let i = 0; i < n; i++, at += stride) data[at] = (((bits[i] >> bit) & 1) - mean) / std;
        }
      };
    },
  };
}

/** One 0/1 column `${prefix}${names[k]}` per category k of a per-row category index. */
export function oneHotColumns(prefix: string, names: readonly string[], prepare: (env: FeatureEnv) => BlockFill<Int32Array>): CandidateGroup {
  const k = names.length;
  return {
    candidates: names.map((n) => ({ name: `${prefix}${n}`, scaled: false })),
    fit(env) {
      const fill = prepare(env);
      const cat = new Int32Array(BLOCK);
      const counts = new Float64Array(k);
      for (let from = 0; from < env.rows.length; from += BLOCK) {
        const to = Math.min(from + BLOCK, env.rows.length);
        fill(cat, from, to);
        for (let i = 0; i < to - from; i++) counts[cat[i]]++;
      }
      const n = env.rows.length;
      return names.map((_, c) => ({ constant: counts[c] === 0 || counts[c] === n, mean: 0, std: 1 }));
    },
    writer(env, targets) {
      if (targets.every((t) => t.col < 0)) return () => {};
      const fill = prepare(env);
      const cat = new Int32Array(BLOCK);
      // Output column of each category's 1, or -1 when that column is left out or scaled (written below).
      const hotCol = Int32Array.from(targets, (t) => (t.col >= 0 && isIdentity(t) ? t.col : -1));
      const scaled = targets.map((t, c) => ({ c, ...t })).filter((t) => t.col >= 0 && !isIdentity(t));
      return (data, stride, from, to) => {
        fill(cat, from, to);
        const n = to - from;
        for (let i = 0, row = from * stride; i < n; i++, row += stride) {
          const col = hotCol[cat[i]];
          if (col >= 0) data[row + col] = 1;
        }
        for (const { c, col, mean, std } of scaled) {
          for (let i = 0, at = from * stride + col; i < n; i++, at += stride) data[at] = ((cat[i] === c ? 1 : 0) - mean) / std;
        }
      };
    },
  };
}

/** Several groups' candidates in the given order: [group, candidate within it] per candidate. */
export function interleave(groups: readonly CandidateGroup[], order: ReadonlyArray<readonly [number, number]>): CandidateGroup {
  return {
    candidates: order.map(([g, c]) => groups[g].candidates[c]),
    fit(env) {
      const fits = groups.map((g) => g.fit(env));
      return order.map(([g, c]) => fits[g][c]);
    },
    writer(env, targets) {
      const writers = groups.map((g, gi) => {
        const own = g.candidates.map((_, c) => targets[order.findIndex(([og, oc]) => og === gi && oc === c)]);
        return g.writer(env, own);
      });
      return (data, stride, from, to) => {
        for (const w of writers) w(data, stride, from, to);
      };
    },
  };
}

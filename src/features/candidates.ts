/**
 * Every column the preprocessor may output, each as a function filling one raw (unscaled) value
 * per selected row. Fitting keeps those that vary on the training rows; transforming recomputes
 * the kept ones by name. Per-row work is typed-array arithmetic and lookups into tables computed
 * once per distinct dictionary value; no strings are touched per row.
 */
import { TCP_FLAGS, TCP_FLAG_BIT, type FlowDataset, type TcpFlag } from '../flows/schema.js';
import { internalFlags } from './address.js';
import { PORT_CLASSES, portClass, protoKinds } from './ports.js';
import { batchContext, streamingContext, type ContextValues, CONTEXT_WIDTH, type SourceContextStore } from './source-context.js';
import type { Preprocessor, ResolvedPreprocessOptions, Vocabulary } from './types.js';
import { vocabularyCodes } from './vocabulary.js';

export interface Candidate {
  name: string;
  /** Binary and one-hot columns stay 0/1; the rest are standardised. */
  scaled: boolean;
  /** Raw values of positions from..to-1 of the env's rows into out[0..to-from-1]. */
  fill(out: Float64Array, env: FeatureEnv, from: number, to: number): void;
}

/** The rows being featurised and lazily computed per-row intermediates shared by several columns. */
export class FeatureEnv {
  private contextValues?: ContextValues;
  private readonly categories = new Map<string, Uint8Array | Int32Array>();

  constructor(
    readonly ds: FlowDataset,
    readonly rows: Uint32Array,
    readonly options: ResolvedPreprocessOptions,
    readonly vocabularies: Preprocessor['vocabularies'],
    private readonly store?: SourceContextStore,
  ) {}

  context(): ContextValues {
    this.contextValues ??= this.store
      ? streamingContext(this.ds, this.rows, this.store)
      : batchContext(this.ds, this.rows, this.options.contextIdleSeconds);
    return this.contextValues;
  }

  /** A per-row category index computed once and shared by the columns of a one-hot group. */
  category<T extends Uint8Array | Int32Array>(key: string, compute: () => T): T {
    let c = this.categories.get(key) as T | undefined;
    if (!c) this.categories.set(key, (c = compute()));
    return c;
  }
}

function numeric(name: string, scaled: boolean, fill: Candidate['fill']): Candidate {
  return { name, scaled, fill };
}

const FLAG_NAMES: Record<TcpFlag, string> = {
  C: 'flagCwr', E: 'flagEce', U: 'flagUrg', A: 'flagAck', P: 'flagPsh', R: 'flagRst', S: 'flagSyn', F: 'flagFin',
};

function flagColumns(): Candidate[] {
  return TCP_FLAGS.map((f) =>
    numeric(FLAG_NAMES[f], false, (out, { ds, rows }, from, to) => {
      const flags = ds.columns.flags;
      const shift = Math.log2(TCP_FLAG_BIT[f]);
      // Branch-free: flags are close to random per row, and mispredicted branches cost more than the work.
      for (let p = from; p < to; p++) out[p - from] = (flags[rows[p]] >> shift) & 1;
    }),
  );
}

/** One-hot columns `${prefix}${names[k]}` from a per-row category index. */
function oneHot(prefix: string, names: readonly string[], compute: (env: FeatureEnv) => Uint8Array | Int32Array): Candidate[] {
  return names.map((n, k) =>
    numeric(`${prefix}${n}`, false, (out, env, from, to) => {
      const cat = env.category(prefix, () => compute(env));
      // Branch-free equality: (x - 1) >>> 31 is 1 only for x = 0 (x = cat ^ k is a small non-negative int).
      for (let p = from; p < to; p++) out[p - from] = ((cat[p] ^ k) - 1) >>> 31;
    }),
  );
}

function portClassesOf(env: FeatureEnv, which: 'srcPort' | 'dstPort'): Uint8Array {
  const { ds, rows } = env;
  const kinds = protoKinds(ds.columns.proto.values);
  const protoCodes = ds.columns.proto.codes;
  const ports = ds.columns[which];
  const out = new Uint8Array(rows.length);
  for (let p = 0; p < rows.length; p++) out[p] = portClass(kinds[protoCodes[rows[p]]], ports[rows[p]]);
  return out;
}

function dictCodes(env: FeatureEnv, col: 'proto' | 'srcAddr' | 'dstAddr', vocab: Vocabulary): Int32Array {
  const { ds, rows } = env;
  const lookup = vocabularyCodes(vocab, ds.columns[col].values);
  const codes = ds.columns[col].codes;
  const out = new Int32Array(rows.length);
  for (let p = 0; p < rows.length; p++) out[p] = lookup[codes[rows[p]]];
  return out;
}

function contextColumn(name: string, index: number, scaled: boolean): Candidate {
  return numeric(name, scaled, (out, env, from, to) => {
    const { values, rowOf } = env.context();
    if (rowOf) for (let p = from; p < to; p++) out[p - from] = values[rowOf[p] * CONTEXT_WIDTH + index];
    else for (let p = from; p < to; p++) out[p - from] = values[p * CONTEXT_WIDTH + index];
  });
}

function internalColumn(name: string, which: 'srcAddr' | 'dstAddr'): Candidate {
  return numeric(name, false, (out, env, from, to) => {
    const { ds, rows } = env;
    const flags = env.category(`internal:${which}`, () => internalFlags(ds.columns[which].values));
    const codes = ds.columns[which].codes;
    for (let p = from; p < to; p++) out[p - from] = flags[codes[rows[p]]];
  });
}

function fullCandidates(vocabs: Preprocessor['vocabularies']): Candidate[] {
  const protoNames = ['Unknown', ...vocabs.proto];
  return [
    numeric('logDuration', true, (out, { ds, rows }, from, to) => {
      const d = ds.columns.duration;
      for (let p = from; p < to; p++) out[p - from] = Math.log1p(Math.max(0, d[rows[p]]));
    }),
    numeric('logPackets', true, (out, { ds, rows }, from, to) => {
      const v = ds.columns.packets;
      for (let p = from; p < to; p++) out[p - from] = Math.log1p(Math.max(0, v[rows[p]]));
    }),
    numeric('logBytes', true, (out, { ds, rows }, from, to) => {
      const v = ds.columns.bytes;
      for (let p = from; p < to; p++) out[p - from] = Math.log1p(Math.max(0, v[rows[p]]));
    }),
    numeric('logBytesPerPacket', true, (out, { ds, rows }, from, to) => {
      const { bytes, packets } = ds.columns;
      for (let p = from; p < to; p++) {
        const r = rows[p];
        out[p - from] = Math.log1p(Math.max(0, bytes[r]) / Math.max(1, packets[r]));
      }
    }),
    numeric('tos', true, (out, { ds, rows }, from, to) => {
      const v = ds.columns.tos;
      for (let p = from; p < to; p++) out[p - from] = v[rows[p]];
    }),
    ...flagColumns(),
    ...oneHot('proto', protoNames, (env) => dictCodes(env, 'proto', vocabs.proto)),
    ...oneHot('srcPort', PORT_CLASSES, (env) => portClassesOf(env, 'srcPort')),
    ...oneHot('dstPort', PORT_CLASSES, (env) => portClassesOf(env, 'dstPort')),
    internalColumn('srcInternal', 'srcAddr'),
    internalColumn('dstInternal', 'dstAddr'),
    contextColumn('srcNew', 0, false),
    contextColumn('srcLogGap', 1, true),
    contextColumn('dstAddrChanged', 2, false),
    contextColumn('dstPortChanged', 3, false),
  ];
}

/** The replaced project's inputs: raw numbers, label-encoded protocol and addresses, ports as numbers. */
function compatCandidates(vocabs: Preprocessor['vocabularies']): Candidate[] {
  const raw = (name: string, col: 'duration' | 'srcPort' | 'dstPort' | 'packets' | 'bytes' | 'tos') =>
    numeric(name, true, (out, { ds, rows }, from, to) => {
      const v = ds.columns[col];
      for (let p = from; p < to; p++) out[p - from] = v[rows[p]];
    });
  const encoded = (name: string, col: 'proto' | 'srcAddr' | 'dstAddr', vocab: Vocabulary | undefined) =>
    numeric(name, true, (out, env, from, to) => {
      const codes = env.category(`code:${col}`, () => dictCodes(env, col, vocab ?? []));
      for (let p = from; p < to; p++) out[p - from] = codes[p];
    });
  return [
    raw('duration', 'duration'),
    encoded('proto', 'proto', vocabs.proto),
    encoded('srcAddr', 'srcAddr', vocabs.srcAddr),
    raw('srcPort', 'srcPort'),
    encoded('dstAddr', 'dstAddr', vocabs.dstAddr),
    raw('dstPort', 'dstPort'),
    raw('packets', 'packets'),
    raw('bytes', 'bytes'),
    ...flagColumns(),
    raw('tos', 'tos'),
  ];
}

export function candidateColumns(options: ResolvedPreprocessOptions, vocabs: Preprocessor['vocabularies']): Candidate[] {
  return options.features === 'compat' ? compatCandidates(vocabs) : fullCandidates(vocabs);
}

/**
 * Every column the preprocessor may output, in output order, grouped by the per-row input they
 * share. Fitting keeps those that vary on the training rows; transforming recomputes the kept ones
 * by name. Per-row work is typed-array arithmetic and lookups into tables computed once per
 * distinct dictionary value; no strings are touched per row.
 */
import { TCP_FLAGS, TCP_FLAG_BIT, type TcpFlag } from '../flows/schema.js';
import { internalFlags } from './address.js';
import { bitColumns, interleave, oneHotColumns, scalarColumn, type BlockFill, type CandidateGroup } from './column-groups.js';
import { log1pNonNegative, log1pSeconds } from './exact-log.js';
import type { FeatureEnv } from './feature-env.js';
import { PORT_CLASS, PORT_CLASSES, PROTO_KIND, protoKinds } from './ports.js';
import { CONTEXT_BIT } from './source-context.js';
import type { Preprocessor, ResolvedPreprocessOptions, Vocabulary } from './types.js';
import { vocabularyCodes } from './vocabulary.js';

export type { Candidate, CandidateGroup } from './column-groups.js';

const FLAG_NAMES: Record<TcpFlag, string> = {
  C: 'flagCwr', E: 'flagEce', U: 'flagUrg', A: 'flagAck', P: 'flagPsh', R: 'flagRst', S: 'flagSyn', F: 'flagFin',
};

function flagColumns(): CandidateGroup {
  const columns = TCP_FLAGS.map((f) => ({ name: FLAG_NAMES[f], bit: Math.log2(TCP_FLAG_BIT[f]) }));
  return bitColumns(columns, ({ ds, rows }) => {
    const flags = ds.columns.flags;
    return (out, from, to) => {
      for (let p = from; p < to; p++) out[p - from] = flags[rows[p]];
    };
  });
}

type NumberColumn = 'duration' | 'srcPort' | 'dstPort' | 'packets' | 'bytes' | 'tos';

/** A data set column as is. */
function numberColumn(name: string, col: NumberColumn): CandidateGroup {
  return scalarColumn(name, true, ({ ds, rows }) => {
    const v = ds.columns[col];
    return (out, from, to) => {
      for (let p = from; p < to; p++) out[p - from] = v[rows[p]];
    };
  });
}

/** log1p of a count column; a loop of its own per column, so the log is inlined there. */
function logCountColumn(name: string, col: 'packets' | 'bytes'): CandidateGroup {
  return scalarColumn(name, true, ({ ds, rows }) => {
    const v = ds.columns[col];
    return col === 'packets'
      ? (out, from, to) => {
          for (let p = from; p < to; p++) out[p - from] = log1pNonNegative(v[rows[p]]);
        }
      : (out, from, to) => {
          for (let p = from; p < to; p++) out[p - from] = log1pNonNegative(v[rows[p]]);
        };
  });
}

/** Per row, the vocabulary code (0: unseen in training) of a dictionary column's value. */
function vocabularyCodeFill(env: FeatureEnv, col: 'proto' | 'srcAddr' | 'dstAddr', vocab: Vocabulary): BlockFill<Int32Array | Float64Array> {
  const { ds, rows } = env;
  const lookup = vocabularyCodes(vocab, ds.columns[col].values);
  const codes = ds.columns[col].codes;
  return (out, from, to) => {
    for (let p = from; p < to; p++) out[p - from] = lookup[codes[rows[p]]];
  };
}

function portClassColumns(which: 'srcPort' | 'dstPort'): CandidateGroup {
  return oneHotColumns(which, PORT_CLASSES, ({ ds, rows }) => {
    // Per protocol value: its fixed class, or -1 for protocols whose port number decides.
    const fixed = Int32Array.from(protoKinds(ds.columns.proto.values), (k) =>
      k === PROTO_KIND.ported ? -1 : k === PROTO_KIND.icmp ? PORT_CLASS.Icmp : PORT_CLASS.None,
    );
    const protoCodes = ds.columns.proto.codes;
    const ports = ds.columns[which];
    return (out, from, to) => {
      for (let p = from; p < to; p++) {
        const r = rows[p];
        const c = fixed[protoCodes[r]];
        const port = ports[r];
        // Same classes as portClass(): WellKnown < 1024 <= Registered < 49152 <= Ephemeral.
        out[p - from] = c >= 0 ? c : port < 1024 ? PORT_CLASS.WellKnown : port < 49152 ? PORT_CLASS.Registered : PORT_CLASS.Ephemeral;
      }
    };
  });
}

function internalColumn(name: string, which: 'srcAddr' | 'dstAddr'): CandidateGroup {
  return bitColumns([{ name, bit: 0 }], ({ ds, rows }) => {
    const flags = internalFlags(ds.columns[which].values);
    const codes = ds.columns[which].codes;
    return (out, from, to) => {
      for (let p = from; p < to; p++) out[p - from] = flags[codes[rows[p]]];
    };
  });
}

/** srcNew, srcLogGap, dstAddrChanged, dstPortChanged: see source-context.ts. */
function contextColumns(): CandidateGroup {
  const bits = bitColumns(
    [
      { name: 'srcNew', bit: Math.log2(CONTEXT_BIT.srcNew) },
      { name: 'dstAddrChanged', bit: Math.log2(CONTEXT_BIT.dstAddrChanged) },
      { name: 'dstPortChanged', bit: Math.log2(CONTEXT_BIT.dstPortChanged) },
    ],
    (env) => {
      const { bits, rowOf } = env.context();
      if (!rowOf) return (out, from, to) => out.set(bits.subarray(from, to));
      return (out, from, to) => {
        for (let p = from; p < to; p++) out[p - from] = bits[rowOf[p]];
      };
    },
  );
  const gap = scalarColumn('srcLogGap', true, (env) => {
    const { logGap, rowOf } = env.context();
    if (!rowOf) return (out, from, to) => out.set(logGap.subarray(from, to));
    return (out, from, to) => {
      for (let p = from; p < to; p++) out[p - from] = logGap[rowOf[p]];
    };
  });
  return interleave([bits, gap], [[0, 0], [1, 0], [0, 1], [0, 2]]);
}

function fullCandidates(vocabs: Preprocessor['vocabularies']): CandidateGroup[] {
  return [
    scalarColumn('logDuration', true, ({ ds, rows }) => {
      const d = ds.columns.duration;
      return (out, from, to) => {
        for (let p = from; p < to; p++) out[p - from] = log1pSeconds(d[rows[p]]);
      };
    }),
    logCountColumn('logPackets', 'packets'),
    logCountColumn('logBytes', 'bytes'),
    scalarColumn('logBytesPerPacket', true, ({ ds, rows }) => {
      const { bytes, packets } = ds.columns;
      return (out, from, to) => {
        for (let p = from; p < to; p++) {
          const r = rows[p];
          out[p - from] = log1pNonNegative(Math.max(0, bytes[r]) / Math.max(1, packets[r]));
        }
      };
    }),
    numberColumn('tos', 'tos'),
    flagColumns(),
    oneHotColumns('proto', ['Unknown', ...vocabs.proto], (env) => vocabularyCodeFill(env, 'proto', vocabs.proto)),
    portClassColumns('srcPort'),
    portClassColumns('dstPort'),
    internalColumn('srcInternal', 'srcAddr'),
    internalColumn('dstInternal', 'dstAddr'),
    contextColumns(),
  ];
}

/** The replaced project's inputs: raw numbers, label-encoded protocol and addresses, ports as numbers. */
function compatCandidates(vocabs: Preprocessor['vocabularies']): CandidateGroup[] {
  const encoded = (name: string, col: 'proto' | 'srcAddr' | 'dstAddr', vocab: Vocabulary | undefined) =>
    scalarColumn(name, true, (env) => vocabularyCodeFill(env, col, vocab ?? []));
  return [
    numberColumn('duration', 'duration'),
    encoded('proto', 'proto', vocabs.proto),
    encoded('srcAddr', 'srcAddr', vocabs.srcAddr),
    numberColumn('srcPort', 'srcPort'),
    encoded('dstAddr', 'dstAddr', vocabs.dstAddr),
    numberColumn('dstPort', 'dstPort'),
    numberColumn('packets', 'packets'),
    numberColumn('bytes', 'bytes'),
    flagColumns(),
    numberColumn('tos', 'tos'),
  ];
}

export function candidateGroups(options: ResolvedPreprocessOptions, vocabs: Preprocessor['vocabularies']): CandidateGroup[] {
  return options.features === 'compat' ? compatCandidates(vocabs) : fullCandidates(vocabs);
}

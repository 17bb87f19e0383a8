/**
 * What `ntc explore` reports about a data set: counts per class, attack type and protocol, the
 * distribution of each numeric field and how the numeric features correlate.
 */
import { NONE, type DictColumn, type FlowDataset } from '../flows/schema.js';
import { transformFlows, type Preprocessor } from '../features/index.js';
import { protoKinds, PROTO_KIND } from '../features/ports.js';
import type { Count } from './charts/counts.js';
import type { CorrelationMatrix } from './charts/correlation.js';
import type { FeatureDistribution } from './charts/histogram.js';
import { correlationOf, distributionOf, evenSample } from './distribution.js';

export const EXPLORE_SUMMARY_VERSION = 1;
/** Correlations are computed on an evenly spread sample of at most this many flows. */
export const CORRELATION_SAMPLE = 100_000;

export interface ExploreSummary {
  version: typeof EXPLORE_SUMMARY_VERSION;
  flows: number;
  files: Array<{ path: string; format: string; rows: number; badRows: number; labelled: boolean }>;
  badRowCount: number;
  /** ISO times of the first and last flow start; null for an empty data set. */
  firstFlow: string | null;
  lastFlow: string | null;
  distinctSources: number;
  distinctDestinations: number;
  /** CIDDS class/label column; `(unlabelled)` for rows without one and for files without labels. */
  classCounts: Count[];
  /** `---` counted as `normal`, except in files without labels (`(unlabelled)`). */
  attackTypeCounts: Count[];
  protocolCounts: Count[];
  features: FeatureDistribution[];
  /** Of the model's input features when a preprocessor was given, else of the numeric fields. */
  correlation: CorrelationMatrix;
}

export const UNLABELLED = '(unlabelled)';

/** Row ranges of files without labels (nfdump captures): their `---` means "unknown", not "normal". */
function unlabelledRanges(ds: FlowDataset): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let at = 0;
  for (const s of ds.sources) {
    if (!s.labelled) out.push([at, at + s.rows]);
    at += s.rows;
  }
  return out;
}

function countsOf(col: DictColumn, rename: (v: string) => string, unlabelled: Array<[number, number]> = []): Count[] {
  const perCode = new Float64Array(col.values.length);
  for (let i = 0; i < col.codes.length; i++) perCode[col.codes[i]]++;
  const byName = new Map<string, number>();
  for (const [from, to] of unlabelled) {
    for (let i = from; i < to; i++) perCode[col.codes[i]]--;
    byName.set(UNLABELLED, (byName.get(UNLABELLED) ?? 0) + (to - from));
  }
  perCode.forEach((n, c) => {
    if (n > 0) {
      const name = rename(col.values[c]);
      byName.set(name, (byName.get(name) ?? 0) + n);
    }
  });
  return [...byName].filter(([, count]) => count > 0).map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}

function distinctCodes(col: DictColumn): number {
  const seen = new Uint8Array(col.values.length);
  let n = 0;
  for (let i = 0; i < col.codes.length; i++) {
    if (!seen[col.codes[i]]) {
      seen[col.codes[i]] = 1;
      n++;
    }
  }
  return n;
}

/** A field's values are made when asked for, one field at a time: seven float64 copies of every flow at once cost 56 bytes a flow (0.9 GB at CIDDS-002's 16M). */
interface NumericField {
  name: string;
  label: string;
  values: () => Float64Array;
}

/** The numeric fields worth a histogram; ports only where the protocol has ports. */
function numericFields(ds: FlowDataset): NumericField[] {
  const { duration, packets, bytes, tos, srcPort, dstPort, proto } = ds.columns;
  const n = ds.length;
  const kinds = protoKinds(proto.values);
  const ported = (i: number) => kinds[proto.codes[i]] === PROTO_KIND.ported;
  const make = (f: (i: number) => number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = f(i);
    return out;
  };
  return [
    { name: 'duration', label: 'seconds', values: () => Float64Array.from(duration) },
    { name: 'packets', label: 'packets', values: () => Float64Array.from(packets) },
    { name: 'bytes', label: 'bytes', values: () => Float64Array.from(bytes) },
    { name: 'bytesPerPacket', label: 'bytes per packet', values: () => make((i) => bytes[i] / Math.max(1, packets[i])) },
    { name: 'srcPort', label: 'source port (TCP/UDP)', values: () => make((i) => (ported(i) ? srcPort[i] : NaN)) },
    { name: 'dstPort', label: 'destination port (TCP/UDP)', values: () => make((i) => (ported(i) ? dstPort[i] : NaN)) },
    { name: 'tos', label: 'type of service', values: () => make((i) => tos[i]) },
  ];
}

function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function summarizeDataset(ds: FlowDataset, p?: Preprocessor): ExploreSummary {
  const { start, label, attackType, proto, srcAddr, dstAddr } = ds.columns;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < ds.length; i++) {
    if (start[i] < first) first = start[i];
    if (start[i] > last) last = start[i];
  }
  const unlabelled = unlabelledRanges(ds);
  const fields = numericFields(ds);
  const sample = evenSample(ds.length, CORRELATION_SAMPLE);
  // Each field's values live only while its histogram and its correlation sample are taken.
  const features: FeatureDistribution[] = [];
  const sampled: Float64Array[] = [];
  for (const f of fields) {
    const values = f.values();
    features.push(distributionOf(f.name, f.label, values));
    sampled.push(Float64Array.from(sample, (i) => values[i]));
  }
  return {
    version: EXPLORE_SUMMARY_VERSION,
    flows: ds.length,
    files: ds.sources.map((s) => ({ path: s.path, format: s.format, rows: s.rows, badRows: s.badRows, labelled: s.labelled })),
    badRowCount: ds.badRowCount,
    firstFlow: isoOrNull(first),
    lastFlow: isoOrNull(last),
    distinctSources: distinctCodes(srcAddr),
    distinctDestinations: distinctCodes(dstAddr),
    classCounts: countsOf(label, (v) => (v.trim() === NONE || v.trim() === '' ? UNLABELLED : v.trim()), unlabelled),
    attackTypeCounts: countsOf(attackType, (v) => (v.trim() === NONE || v.trim() === '' ? 'normal' : v.trim()), unlabelled),
    protocolCounts: countsOf(proto, (v) => v),
    features,
    correlation: p ? modelFeatureCorrelation(p, ds, sample) : fieldCorrelation(fields, features, sampled),
  };
}

/** Numeric fields, in log(1 + x) where their histogram is logarithmic (else a few huge flows decide r). */
function fieldCorrelation(fields: NumericField[], features: FeatureDistribution[], sampled: Float64Array[]): CorrelationMatrix {
  const names: string[] = [];
  const columns: Float64Array[] = [];
  fields.forEach((f, k) => {
    if (f.name === 'srcPort' || f.name === 'dstPort') return; // NaN for portless flows; identities anyway
    const log = features[k].scale === 'log';
    names.push(log ? `log ${f.name}` : f.name);
    columns.push(log ? sampled[k].map((v) => Math.log1p(Math.max(0, v))) : sampled[k]);
  });
  return correlationOf(names, columns);
}

function modelFeatureCorrelation(p: Preprocessor, ds: FlowDataset, sample: Uint32Array): CorrelationMatrix {
  const m = transformFlows(p, ds, sample);
  const columns = m.names.map((_, j) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]));
  return correlationOf(m.names, columns);
}

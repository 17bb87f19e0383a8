/** Builds FlowDatasets straight from row objects, so feature tests don't depend on the readers. */
import { NONE, type DictColumn, type FlowDataset, type SourceFile } from '../../src/flows/schema.js';
import { seededUniform } from '../../src/util/rng.js';

export interface TestFlow {
  start?: number;
  duration?: number;
  proto?: string;
  srcAddr?: string;
  dstAddr?: string;
  srcPort?: number;
  dstPort?: number;
  packets?: number;
  bytes?: number;
  flags?: number;
  tos?: number;
  label?: string;
  attackType?: string;
  attackId?: string;
  attackDescription?: string;
}

function dict(values: string[]): DictColumn {
  const index = new Map<string, number>();
  const codes = new Uint32Array(values.length);
  values.forEach((v, i) => {
    let c = index.get(v);
    if (c === undefined) index.set(v, (c = index.size));
    codes[i] = c;
  });
  return { codes, values: [...index.keys()] };
}

export const T0 = Date.UTC(2017, 7, 2);

export function datasetFromFlows(flows: TestFlow[], sources?: SourceFile[]): FlowDataset {
  const f = flows.map((r, i) => ({
    start: T0 + i * 1000,
    duration: 0.01,
    proto: 'TCP',
    srcAddr: '192.168.100.5',
    dstAddr: '192.168.220.1',
    srcPort: 50000,
    dstPort: 80,
    packets: 1,
    bytes: 60,
    flags: 0,
    tos: 0,
    label: 'normal',
    attackType: NONE,
    attackId: NONE,
    attackDescription: NONE,
    ...r,
  }));
  return {
    length: f.length,
    columns: {
      start: Float64Array.from(f, (r) => r.start),
      duration: Float64Array.from(f, (r) => r.duration),
      proto: dict(f.map((r) => r.proto)),
      srcAddr: dict(f.map((r) => r.srcAddr)),
      dstAddr: dict(f.map((r) => r.dstAddr)),
      srcPort: Int32Array.from(f, (r) => r.srcPort),
      dstPort: Int32Array.from(f, (r) => r.dstPort),
      packets: Float64Array.from(f, (r) => r.packets),
      bytes: Float64Array.from(f, (r) => r.bytes),
      flows: new Float64Array(f.length).fill(1),
      flags: Uint8Array.from(f, (r) => r.flags),
      tos: Uint8Array.from(f, (r) => r.tos),
      label: dict(f.map((r) => r.label)),
      attackType: dict(f.map((r) => r.attackType)),
      attackId: dict(f.map((r) => r.attackId)),
      attackDescription: dict(f.map((r) => r.attackDescription)),
    },
    sources: sources ?? [{ path: 'test.csv', format: 'cidds', rows: f.length, badRows: 0, labelled: true }],
    badRowCount: 0,
    badRows: [],
  };
}

/** Deterministic pseudo-random generator (mulberry32) for reproducible synthetic data. */
export const rng = seededUniform;

/** A mixed synthetic data set: several sources, protocols, attack types, out-of-order starts. */
export function syntheticFlows(n: number, seed = 1): TestFlow[] {
  const r = rng(seed);
  const srcs = ['192.168.100.5', '192.168.100.6', '10000_34', 'ATTACKER1', 'DNS', '192.168.220.9'];
  const dsts = ['192.168.220.1', '192.168.220.2', 'EXT_SERVER', '10000_55', '198.18.0.7'];
  const protos = ['TCP', 'TCP', 'TCP', 'UDP', 'ICMP'];
  const attacks = [NONE, NONE, NONE, 'portScan', 'dos', 'pingScan'];
  const out: TestFlow[] = [];
  for (let i = 0; i < n; i++) {
    const proto = protos[Math.floor(r() * protos.length)];
    const attackType = attacks[Math.floor(r() * attacks.length)];
    out.push({
      start: T0 + Math.floor(i * 700 + r() * 2000),
      duration: Math.round(r() * 5000) / 1000,
      proto,
      srcAddr: srcs[Math.floor(r() * srcs.length)],
      dstAddr: dsts[Math.floor(r() * dsts.length)],
      srcPort: Math.floor(r() * 65536),
      dstPort: proto === 'ICMP' ? 8 * 256 : [22, 80, 443, 8080, 50000][Math.floor(r() * 5)],
      packets: 1 + Math.floor(r() * 100),
      bytes: 40 + Math.floor(r() * 100000),
      flags: Math.floor(r() * 64),
      tos: [0, 0, 32, 192][Math.floor(r() * 4)],
      label: attackType === NONE ? 'normal' : 'attacker',
      attackType,
    });
  }
  return out;
}

/**
 * Fixtures for classify/serve tests: a CIDDS file where a handful of sources send many flows (so
 * windows span read batches) next to many one-off sources, and a saved model directory built
 * without training (fitted preprocessing, seeded random weights) — enough to check that two paths
 * compute the same thing, which is all these tests judge.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CIDDS_HEADER, formatCiddsFlags, formatCiddsRow, type CiddsRow } from '../../src/flows/cidds-format.js';
import { readFlows } from '../../src/flows/read.js';
import { TCP_FLAG_BIT } from '../../src/flows/schema.js';
import { fitPreprocessor, type PreprocessOptions } from '../../src/features/index.js';
import { createModel } from '../../src/nn/engine.js';
import { saveModel } from '../../src/nn/model-io.js';
import type { FlowJson } from '../../src/serve/flow-json.js';
import type { OutputSink } from '../../src/serve/output-sink.js';
import { seededUniform as rng } from '../../src/util/rng.js';

export interface FlowFileOptions {
  rows: number;
  seed: number;
  /** Largest gap between consecutive flows, ms (keep it below the idle time for batch equality). */
  maxGapMs?: number;
}

/** Flow rows in time order (ties included): busy scanners, regular clients and one-off hosts. */
export function makeFlows(o: FlowFileOptions): CiddsRow[] {
  const r = rng(o.seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const busy = ['ATTACKER1', '192.168.220.15', 'DNS', '192.168.100.4'];
  const attacks = ['portScan', 'pingScan', 'bruteForce'];
  const rows: CiddsRow[] = [];
  let t = Date.UTC(2017, 7, 2, 8, 0, 0, 0);
  for (let i = 0; i < o.rows; i++) {
    // Some flows share a start time with the one before: ties must keep file order.
    if (r() > 0.2) t += Math.floor(r() * (o.maxGapMs ?? 2000));
    const u = r();
    const src = u < 0.5 ? pick(busy) : u < 0.8 ? `192.168.${pick([100, 200])}.${1 + Math.floor(r() * 40)}` : `${10000 + Math.floor(r() * 5000)}_${1 + Math.floor(r() * 254)}`;
    const attack = src === 'ATTACKER1' ? pick(attacks) : undefined;
    const proto = attack === 'pingScan' ? 'ICMP' : r() < 0.8 ? 'TCP' : 'UDP';
    rows.push({
      start: t,
      duration: Math.round(r() * (attack ? 10 : 3000)) / 1000,
      proto,
      srcAddr: src,
      srcPort: proto === 'ICMP' ? 0 : 1024 + Math.floor(r() * 60000),
      dstAddr: r() < 0.5 ? `192.168.100.${1 + Math.floor(r() * 60)}` : pick(['DNS', 'EXT_SERVER', '10001_3']),
      dstPort: proto === 'ICMP' ? 8 * 256 : pick([22, 53, 80, 443, 445, 8080, Math.floor(r() * 65536)]),
      packets: 1 + Math.floor(r() * 30),
      bytes: 40 + Math.floor(r() * 20000),
      flags: proto === 'TCP' ? pick([TCP_FLAG_BIT.S, TCP_FLAG_BIT.A | TCP_FLAG_BIT.P, TCP_FLAG_BIT.A | TCP_FLAG_BIT.R]) : 0,
      tos: 0,
      label: attack ? 'attacker' : 'normal',
      attackType: attack,
      attackId: attack ? '1' : undefined,
      attackDescription: attack ? 'nmap args: -sS -T 2' : undefined,
    });
  }
  return rows;
}

/** A row as a POST /v1/classify body gives it: ISO start, CIDDS flag letters. */
export function flowJsonOf(r: CiddsRow): FlowJson & { start: string; flags: string; tos: number } {
  return {
    start: new Date(r.start).toISOString(),
    duration: r.duration,
    proto: r.proto,
    srcAddr: r.srcAddr,
    srcPort: r.srcPort,
    dstAddr: r.dstAddr,
    dstPort: r.dstPort,
    packets: r.packets,
    bytes: r.bytes,
    flags: formatCiddsFlags(r.flags),
    tos: r.tos,
  };
}

export function ciddsText(rows: CiddsRow[]): string {
  return `${CIDDS_HEADER.join(',')}\n${rows.map(formatCiddsRow).join('\n')}\n`;
}

export async function writeFlowFile(dir: string, name: string, o: FlowFileOptions): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, ciddsText(makeFlows(o)));
  return path;
}

/**
 * A model directory as `ntc train` lays it out, fitted on `trainFile` but with untrained weights.
 * Weights are scaled up so that class probabilities differ clearly between flows.
 */
export async function writeModelDir(dir: string, trainFile: string, o: { seqLen: number; seed: number; preprocess?: PreprocessOptions; layers?: number[] }): Promise<string> {
  const ds = await readFlows([trainFile]);
  const p = fitPreprocessor(ds, undefined, o.preprocess);
  const model = await createModel({
    inputSize: p.names.length,
    seqLen: o.seqLen,
    layers: o.layers ?? [16, 8],
    dropout: 0,
    outputs: p.classes.length,
    classes: p.classes.length,
    loss: 'crossentropy',
    lr: 0.001,
    seed: o.seed,
  });
  model.setWeights(model.getWeights().map((w) => ({ ...w, values: w.values.map((v) => v * 3) })));
  const out = join(dir, 'model');
  await saveModel(out, model, { preprocessor: p, config: { seqLen: o.seqLen }, trainFiles: [trainFile], trainedAt: new Date(0).toISOString() });
  model.dispose();
  return out;
}

/** An OutputSink that keeps everything written, for comparing outputs. */
export function memorySink(): OutputSink & { text: () => string } {
  const parts: Buffer[] = [];
  const write = async (data: string | Uint8Array, done?: () => void): Promise<void> => {
    parts.push(Buffer.from(data));
    done?.();
  };
  return { closed: false, write, commit: async () => {}, abort: async () => {}, text: () => Buffer.concat(parts).toString('utf8') };
}

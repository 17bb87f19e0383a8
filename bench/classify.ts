/**
 * Classify benchmark: `ntc classify` end to end (read CSV, features, per-source windows, LSTM,
 * CSV out) against bench/reference/classify.py (pandas + PyTorch, same architecture and seqLen,
 * two threads) on the same generated CIDDS file, each in its own child process; rates use the
 * time each child measures for the work itself, without interpreter start-up and imports.
 *
 * The model is untrained (fitted preprocessing, seeded random weights): only the time matters.
 * Run as `node dist/bench/classify.js --child MODEL FILE OUT` it is the ntc child.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitPreprocessor } from '../src/features/index.js';
import { readFlows } from '../src/flows/read.js';
import { createModel } from '../src/nn/engine.js';
import { saveModel } from '../src/nn/model-io.js';
import { loadTrained } from '../src/pipeline/load-trained.js';
import { classifyToSink } from '../src/serve/classify-stream.js';
import { fileSink } from '../src/serve/output-sink.js';
import { fastestOfAlternating, runJsonChild } from './child.js';
import { ensureCiddsFile } from './generate-cidds.js';

export interface ClassifySection {
  flows: number;
  ntcFlowsPerSec: number;
  referenceFlowsPerSec: number;
  ratio: number;
  ntcPeakMB: number;
  referencePeakMB: number;
}

interface NtcChild {
  rows: number;
  totalS: number;
  cpuS: number;
  peakMB: number;
  prefixSteps: number;
  deferredFlows: number;
}

interface ReferenceChild {
  rows: number;
  windows: number;
  readS: number;
  preprocessS: number;
  modelS: number;
  writeS: number;
  totalS: number;
  cpuS: number;
  peakMB: number;
}

export const BENCH_SEQ_LEN = 16;

export function peakMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A model directory of ntc's default architecture, fitted on the file's first 200k flows. */
export async function ensureBenchModel(dir: string, file: string, log: (s: string) => void): Promise<string> {
  const out = join(dir, 'model');
  log(`classify: building an untrained 2x(64,32) seqLen ${BENCH_SEQ_LEN} model in ${out}`);
  const ds = await readFlows([file]);
  const fitRows = Uint32Array.from({ length: Math.min(200_000, ds.length) }, (_, i) => i);
  const p = fitPreprocessor(ds, fitRows);
  const model = await createModel({
    inputSize: p.names.length, seqLen: BENCH_SEQ_LEN, layers: [64, 32], dropout: 0, outputs: p.classes.length, classes: p.classes.length, loss: 'crossentropy', lr: 0.001, seed: 1,
  });
  await saveModel(out, model, { preprocessor: p });
  model.dispose();
  return out;
}

export interface ClassifyBenchOptions {
  root: string;
  rows: number;
  seed: number;
  runs: number;
  log: (s: string) => void;
}

export async function classifyBenchmark(o: ClassifyBenchOptions): Promise<ClassifySection> {
  const file = join(o.root, 'bench', 'out', `cidds-${o.rows}-seed${o.seed}.csv`);
  o.log(`classify: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores (other work on the machine slows both sides; PyTorch's two threads suffer most)`);
  await ensureCiddsFile(file, o.rows, o.seed, o.log);
  const model = await ensureBenchModel(join(o.root, 'bench', 'out', 'classify'), file, o.log);
  const ntcOut = join(o.root, 'bench', 'out', 'classify', 'ntc-predictions.csv');
  const refOut = join(o.root, 'bench', 'out', 'classify', 'reference-predictions.csv');
  const [ntc, ref] = await fastestOfAlternating(
    o.runs,
    async (run) => {
      const n = await runJsonChild<NtcChild>(process.execPath, [fileURLToPath(import.meta.url), '--child', model, file, ntcOut], o.log);
      o.log(`classify: ntc run ${run}: ${n.result.totalS.toFixed(2)} s, ${n.result.cpuS.toFixed(2)} s CPU, peak ${n.result.peakMB.toFixed(0)} MB, ${n.result.prefixSteps} prefix steps re-run, ${n.result.deferredFlows} flows deferred to the next batch`);
      return n.result;
    },
    async (run) => {
      const r = await runJsonChild<ReferenceChild>('/usr/bin/python3', [join(o.root, 'bench', 'reference', 'classify.py'), file, refOut, String(BENCH_SEQ_LEN)], o.log);
      o.log(
        `classify: reference run ${run}: ${r.result.totalS.toFixed(2)} s (read ${r.result.readS.toFixed(2)}, preprocess ${r.result.preprocessS.toFixed(2)}, ` +
          `LSTM ${r.result.modelS.toFixed(2)} over ${r.result.windows} windows, write ${r.result.writeS.toFixed(2)}), ${r.result.cpuS.toFixed(2)} s CPU, peak ${r.result.peakMB.toFixed(0)} MB`,
      );
      return r.result;
    },
  );
  if (ntc.rows !== o.rows || ref.rows !== o.rows) throw new Error(`flow counts differ: ntc ${ntc.rows}, reference ${ref.rows}, file ${o.rows}`);
  const ntcRate = ntc.rows / ntc.totalS;
  const refRate = ref.rows / ref.totalS;
  return {
    flows: o.rows,
    ntcFlowsPerSec: Math.round(ntcRate),
    referenceFlowsPerSec: Math.round(refRate),
    ratio: Number((ntcRate / refRate).toFixed(2)),
    ntcPeakMB: Math.round(ntc.peakMB),
    referencePeakMB: Math.round(ref.peakMB),
  };
}

async function child(model: string, file: string, out: string): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  // As `ntc classify` does: the reader thread starts while the model loads.
  const trained = loadTrained(model);
  const sink = await fileSink(out);
  const s = await classifyToSink(trained, sink, { inputs: [file], format: 'csv', read: {} });
  await sink.commit();
  (await trained).model.dispose();
  const cpu = process.cpuUsage(c0);
  const result: NtcChild = { rows: s.flows, totalS: (performance.now() - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, peakMB: peakMB(), prefixSteps: s.stream.prefixSteps, deferredFlows: s.stream.deferredFlows };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[2] === '--child' && process.argv[1] === fileURLToPath(import.meta.url)) {
  await child(process.argv[3], process.argv[4], process.argv[5]);
}

/**
 * Train and predict benchmarks: ntc's sequence model (`createModel` on the default engine: the
 * native kernels where they were built, else WebAssembly) against
 * bench/reference/lstm_throughput.py (PyTorch 1.13) at the same thread counts — the machine's
 * cores (at most 2; the headline figures) and 1 — plus, on one thread, ntc's portable wasm engine
 * and its reference tfjs engine, on the same network — 2
 * stacked LSTMs (64, 32), dropout 0.2 after each, dense softmax over 4 classes at every step, Adam,
 * cross-entropy — and the same data: batches of 256 sequences x 16 steps x 24 features, every
 * step real, written once to files both sides read. Each side runs in its own child process (peak
 * memory is the child's own VmHWM), does one warm-up step, then times a fixed number of steps.
 *
 * The labels are a fixed function of the current and previous step's features, so a model that
 * really trains lowers its loss; each side reports its mean loss over the first and last passes
 * through the data, and the section fails when either did not fall.
 *
 * PyTorch's thread count is its own pool only: the reference holds Debian's OpenBLAS to one thread,
 * since OpenBLAS's default pool beside torch.set_num_threads(2) oversubscribes the 2 cores and
 * made PyTorch 3-5x slower than its real speed (the 4,333/8,632 seq/s in machine-notes.md).
 *
 * Run as `node dist/bench/train.js --child MODE X Y BATCHES BATCH SEQ_LEN INPUT_SIZE CLASSES STEPS ENGINE THREADS`
 * it is the ntc child.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel, setEngineDefaults } from '../src/nn/engine.js';
import { Rng } from '../src/util/rng.js';
import { runJsonChild } from './child.js';

/** The shape of the benchmark's work; both sides get exactly these numbers. */
export interface LstmBenchDims {
  /** Distinct batches in the data files, cycled through by the timed steps. */
  batches: number;
  batch: number;
  seqLen: number;
  inputSize: number;
  classes: number;
}

export const LSTM_BENCH_DIMS: LstmBenchDims = { batches: 8, batch: 256, seqLen: 16, inputSize: 24, classes: 4 };

export type LstmBenchMode = 'train' | 'predict';

/** Timed steps per side: about 10 s each at the rates measured on this 2-core machine. */
const STEPS: Record<LstmBenchMode, number> = { train: 192, predict: 640 };

export interface LstmSection {
  /** Threads of both sides in the headline figures: the machine's cores, at most 2. */
  threads: number;
  ntcSeqPerSec: number;
  /** PyTorch on as many threads as ntc. */
  torchSeqPerSec: number;
  /** ntcSeqPerSec / torchSeqPerSec. */
  ratio: number;
  /** Both sides on one thread. */
  oneThread: { ntcSeqPerSec: number; torchSeqPerSec: number; ratio: number };
  /** The engine the headline figures ran on (`native` or `wasm`). */
  engine: string;
  /** ntc's portable engine (`--engine wasm`), one thread. */
  wasmSeqPerSec: number;
  /** ntc's reference engine (`--engine tfjs`), one thread. */
  tfjsSeqPerSec: number;
  ntcPeakMB: number;
  torchPeakMB: number;
  ntcCpuS: number;
  torchCpuS: number;
}

interface ChildFigures {
  mode: LstmBenchMode;
  steps: number;
  batch: number;
  totalS: number;
  cpuS: number;
  peakMB: number;
  outputShape: number[];
  threads: number;
  engine?: string;
  firstLoss?: number;
  lastLoss?: number;
}

export interface LstmBenchOptions {
  root: string;
  /** Runs of each side, alternating ntc and PyTorch; the fastest of each counts. */
  runs: number;
  log: (s: string) => void;
}

/**
 * Writes seeded random features and learnable labels: class = argmax of a fixed projection of this
 * step's and the previous step's features (so the recurrence has something to learn too).
 */
export function writeLstmData(dir: string, d: LstmBenchDims, seed: number): { x: string; y: string } {
  const rng = new Rng(seed);
  const x = new Float32Array(d.batches * d.batch * d.seqLen * d.inputSize).map(() => rng.normal());
  const now = Array.from({ length: d.inputSize * d.classes }, () => rng.normal());
  const prev = Array.from({ length: d.inputSize * d.classes }, () => rng.normal());
  const y = new Int32Array(d.batches * d.batch * d.seqLen);
  for (let s = 0; s < d.batches * d.batch; s++) {
    for (let t = 0; t < d.seqLen; t++) {
      const row = (s * d.seqLen + t) * d.inputSize;
      let best = 0;
      let bestScore = -Infinity;
      for (let k = 0; k < d.classes; k++) {
        let score = 0;
        for (let i = 0; i < d.inputSize; i++) {
          score += x[row + i] * now[i * d.classes + k];
          if (t > 0) score += x[row - d.inputSize + i] * prev[i * d.classes + k];
        }
        if (score > bestScore) [best, bestScore] = [k, score];
      }
      y[s * d.seqLen + t] = best;
    }
  }
  mkdirSync(dir, { recursive: true });
  const files = { x: join(dir, `lstm-x-seed${seed}.f32`), y: join(dir, `lstm-y-seed${seed}.i32`) };
  // Node runs little-endian here, as the reference reads them.
  writeFileSync(files.x, new Uint8Array(x.buffer));
  writeFileSync(files.y, new Uint8Array(y.buffer));
  return files;
}

function dimArgs(d: LstmBenchDims): string[] {
  return [d.batches, d.batch, d.seqLen, d.inputSize, d.classes].map(String);
}

function describe(side: string, run: number, r: ChildFigures): string {
  const rate = Math.round((r.steps * r.batch) / r.totalS).toLocaleString('en-US');
  const loss = r.firstLoss === undefined ? '' : `, loss ${r.firstLoss.toFixed(3)} -> ${r.lastLoss!.toFixed(3)}`;
  return `${r.mode}: ${side}${r.engine ? ` (${r.engine}, ${r.threads} thread${r.threads > 1 ? 's' : ''})` : ''} run ${run}: ${r.steps} x ${r.batch} sequences in ${r.totalS.toFixed(2)} s (${rate}/s), ` +
    `${r.cpuS.toFixed(2)} s CPU, peak ${r.peakMB.toFixed(0)} MB, output [${r.outputShape.join(', ')}]${loss}`;
}

function check(side: string, r: ChildFigures, d: LstmBenchDims): void {
  const want = [d.batch, d.seqLen, d.classes];
  if (r.outputShape.join(',') !== want.join(',')) throw new Error(`${r.mode}: ${side} output shape [${r.outputShape}] is not [${want}]`);
  if (r.mode === 'train' && !(r.lastLoss! < r.firstLoss!)) {
    throw new Error(`train: ${side} loss did not fall (${r.firstLoss} -> ${r.lastLoss}): the training step is not doing the work`);
  }
}

export async function lstmBenchmark(mode: LstmBenchMode, o: LstmBenchOptions, d = LSTM_BENCH_DIMS): Promise<LstmSection> {
  const threads = Math.max(1, Math.min(2, availableParallelism()));
  o.log(`${mode}: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores ` +
    `(other work on the machine slows both sides; two threads suffer most)`);
  const data = writeLstmData(join(o.root, 'bench', 'out', 'lstm'), d, 42);
  const steps = String(STEPS[mode]);
  const rate = (r: ChildFigures) => (r.steps * r.batch) / r.totalS;
  const best = new Map<string, ChildFigures>();
  const keep = (key: string, r: ChildFigures) => {
    const b = best.get(key);
    if (!b || r.totalS < b.totalS) best.set(key, r);
  };
  const runNtc = async (engine: string, t: number, run: number) => {
    const n = await runJsonChild<ChildFigures>(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, data.x, data.y, ...dimArgs(d), steps, engine, String(t)], o.log);
    o.log(describe('ntc', run, n.result));
    check('ntc', n.result, d);
    keep(`ntc-${engine}-${t}`, n.result);
  };
  const runTorch = async (t: number, run: number) => {
    const r = await runJsonChild<ChildFigures>('/usr/bin/python3', [
      join(o.root, 'bench', 'reference', 'lstm_throughput.py'), mode, data.x, data.y, ...dimArgs(d), steps, String(t),
    ], o.log);
    o.log(describe(`PyTorch ${t} thread${t > 1 ? 's' : ''}`, run, r.result));
    check('PyTorch', r.result, d);
    if (r.result.threads !== t) throw new Error(`PyTorch ran ${r.result.threads} threads, not ${t}`);
    keep(`torch-${t}`, r.result);
  };
  // Alternate the sides within each run, so a slow spell of the machine hits both.
  for (let run = 1; run <= o.runs; run++) {
    for (const t of new Set([threads, 1])) {
      await runNtc('auto', t, run);
      await runTorch(t, run);
    }
    await runNtc('wasm', 1, run);
    await runNtc('tfjs', 1, run);
  }
  const ntc = best.get(`ntc-auto-${threads}`)!;
  const torch = best.get(`torch-${threads}`)!;
  const ntc1 = best.get('ntc-auto-1')!;
  const torch1 = best.get('torch-1')!;
  const ratio = (a: ChildFigures, b: ChildFigures) => Number((rate(a) / rate(b)).toFixed(2));
  return {
    threads,
    ntcSeqPerSec: Math.round(rate(ntc)),
    torchSeqPerSec: Math.round(rate(torch)),
    ratio: ratio(ntc, torch),
    oneThread: { ntcSeqPerSec: Math.round(rate(ntc1)), torchSeqPerSec: Math.round(rate(torch1)), ratio: ratio(ntc1, torch1) },
    engine: ntc.engine ?? 'unknown',
    wasmSeqPerSec: Math.round(rate(best.get('ntc-wasm-1')!)),
    tfjsSeqPerSec: Math.round(rate(best.get('ntc-tfjs-1')!)),
    ntcPeakMB: Math.round(ntc.peakMB),
    torchPeakMB: Math.round(torch.peakMB),
    ntcCpuS: Number(ntc.cpuS.toFixed(2)),
    torchCpuS: Number(torch.cpuS.toFixed(2)),
  };
}

function peakMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

async function child(mode: LstmBenchMode, xFile: string, yFile: string, d: LstmBenchDims, steps: number, engine: string, threads: number): Promise<void> {
  setEngineDefaults({ engine, threads });
  const seqValues = d.batch * d.seqLen;
  const xAll = new Float32Array(new Uint8Array(readFileSync(xFile)).buffer);
  const yAll = new Int32Array(new Uint8Array(readFileSync(yFile)).buffer);
  if (xAll.length !== d.batches * seqValues * d.inputSize || yAll.length !== d.batches * seqValues) {
    throw new Error(`${xFile}/${yFile}: sizes ${xAll.length}/${yAll.length} do not fit ${JSON.stringify(d)}`);
  }
  const mask = new Float32Array(seqValues).fill(1);
  const batches = Array.from({ length: d.batches }, (_, i) => ({
    x: xAll.slice(i * seqValues * d.inputSize, (i + 1) * seqValues * d.inputSize),
    y: yAll.slice(i * seqValues, (i + 1) * seqValues),
    mask,
    batch: d.batch,
  }));
  const model = await createModel({
    inputSize: d.inputSize, seqLen: d.seqLen, layers: [64, 32], dropout: 0.2, outputs: d.classes, loss: 'crossentropy', lr: 1e-3, seed: 1,
  });
  const step = mode === 'train'
    ? async (i: number) => {
      const r = await model.trainBatch(batches[i % d.batches]);
      if (r.steps !== seqValues) throw new Error(`trainBatch counted ${r.steps} real steps, expected ${seqValues}`);
      return r.loss;
    }
    : async (i: number) => (await model.predict(batches[i % d.batches].x, d.batch, mask)).length;
  await step(0); // warm-up: wasm compilation, kernel registration, first allocations
  const outputs: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) outputs.push(await step(i));
  const totalS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  // predict's flat batch * seqLen * classes output, reported as the shape it has to be.
  const values = (await model.predict(batches[0].x, d.batch, mask)).length;
  model.dispose();
  const perSeq = d.seqLen * d.classes;
  const result: ChildFigures = {
    mode, steps, batch: d.batch, totalS, cpuS: (cpu.user + cpu.system) / 1e6, peakMB: peakMB(), engine: model.engine,
    threads: model.engine === 'tfjs-wasm' ? 1 : threads,
    outputShape: values % perSeq === 0 ? [values / perSeq, d.seqLen, d.classes] : [values],
  };
  if (mode === 'train') {
    result.firstLoss = mean(outputs.slice(0, d.batches));
    result.lastLoss = mean(outputs.slice(Math.floor((steps - 1) / d.batches) * d.batches));
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[2] === '--child' && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, x, y, ...nums] = process.argv.slice(3);
  if (mode !== 'train' && mode !== 'predict') throw new Error(`unknown mode ${mode}: train or predict`);
  const [batches, batch, seqLen, inputSize, classes, steps] = nums.slice(0, 6).map(Number);
  await child(mode, x, y, { batches, batch, seqLen, inputSize, classes }, steps, nums[6] ?? 'auto', Number(nums[7] ?? 1));
}

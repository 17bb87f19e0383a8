/**
 * Output formatting alone: `ntc classify`'s CSV and JSONL row writers over a generated CIDDS file
 * with seeded fake predictions, without reading, features or the model in the timing. Prints the
 * best of several passes per format and a SHA-256 of each output, so a change to the writers can
 * be checked for identical bytes on real data as well as timed.
 *
 * Usage: node dist/bench/format-rows.js [FILE] [--passes N] [--format csv|jsonl]
 * (one format per process is what `ntc classify` runs: both in one process make the row writer's
 * call sites see two classes)
 */
import { createHash } from 'node:crypto';
import { readFlows } from '../src/flows/read.js';
import type { FlowDataset } from '../src/flows/schema.js';
import { ByteWriter } from '../src/serve/byte-writer.js';
import type { OutputFormat } from '../src/serve/prediction-format.js';
import { predictionRows } from '../src/serve/prediction-rows.js';
import type { FlowPredictions } from '../src/train/predict.js';
import { Rng } from '../src/util/rng.js';

const CLASSES = ['normal', 'bruteForce', 'dos', 'pingScan', 'portScan'];

/** Softmax of random logits, as float32 like the model's: probabilities with all their digits. */
function fakePredictions(n: number, k: number, seed: number): FlowPredictions {
  const rng = new Rng(seed);
  const prob = new Float32Array(n * k);
  const classOf = new Int32Array(n);
  const e = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += e[j] = Math.exp(rng.normal());
    let best = 0;
    for (let j = 0; j < k; j++) {
      prob[i * k + j] = e[j] / sum;
      if (e[j] > e[best]) best = j;
    }
    classOf[i] = best;
  }
  return { classOf, prob, outputs: k };
}

/** Formats every row, a chunk at a time as classify does; `sink` sees each chunk. */
function formatAll(format: OutputFormat, ds: FlowDataset, pred: FlowPredictions, sink?: (b: Uint8Array) => void): number {
  const rows = predictionRows(format, CLASSES, pred.outputs);
  const out = new ByteWriter();
  let bytes = 0;
  for (let i = 0; ; ) {
    i = rows.fill(out, ds, pred, i);
    const chunk = out.take();
    bytes += chunk.bytes.length;
    sink?.(chunk.bytes);
    chunk.release();
    if (i >= ds.length) return bytes;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--passes');
  const passes = at >= 0 ? Number(args.splice(at, 2)[1]) : 5;
  const fmtAt = args.indexOf('--format');
  const formats = fmtAt >= 0 ? [args.splice(fmtAt, 2)[1] as OutputFormat] : (['csv', 'jsonl'] as const);
  const file = args[0] ?? 'bench/out/cidds-1000000-seed42.csv';
  const ds = await readFlows([file]);
  const pred = fakePredictions(ds.length, CLASSES.length, 42);
  const result: Record<string, unknown> = { file, rows: ds.length };
  for (const format of formats) {
    const hash = createHash('sha256');
    const bytes = formatAll(format, ds, pred, (b) => hash.update(b));
    let best = Infinity;
    let bestCpu = Infinity;
    for (let p = 0; p < passes; p++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      formatAll(format, ds, pred);
      const cpu = process.cpuUsage(c0);
      best = Math.min(best, performance.now() - t0);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
    }
    const per1M = (ms: number): number => Math.round((ms * 1e6) / ds.length);
    // CPU time as well: on a shared machine the wall clock also counts time spent waiting for a core.
    result[format] = { msPer1MRows: per1M(best), cpuMsPer1MRows: per1M(bestCpu), bytes, sha256: hash.digest('hex').slice(0, 16) };
  }
  console.log(JSON.stringify(result));
}

await main();

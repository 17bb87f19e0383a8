/**
 * Full-scale benchmark: `ntc train FILE --epochs 1` on a generated CIDDS file the size of
 * CIDDS-002 (16 million flows), end to end through the real CLI in a child process, with the
 * options a user gets by default (sequence mode, time split, validation, default engine).
 *
 * Figures:
 * - endToEndSeconds: the child's wall time, start-up and report writing included;
 * - epochSeconds: the training epoch alone, from the run's metrics.json. With one epoch every
 *   training flow is a real step of exactly one sequence, so the epoch took
 *   flows.train / timing.trainFlowsPerSec seconds (the EpochRecord's own `seconds`);
 * - peakMB: the child's peak resident memory (VmHWM), from /usr/bin/time's %M;
 * - `<stage>Seconds`: seconds between the stage lines the CLI prints on stderr, timestamped here
 *   as they arrive, so the split needs nothing from the child beyond what a user sees:
 *   startAndRead (process start, imports, reading the file), preprocess (split, fitting the
 *   preprocessing, features, targets and sequences of the training and validation flows),
 *   trainAndValidate (the epoch, then the validation pass), score (features of the test flows,
 *   predicting the training and test splits, metrics), write (data summary, model, metrics.json,
 *   report.html).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureCiddsFile } from './generate-cidds.js';

export const FULL_SCALE_ROWS = 16_000_000;

export interface FullScaleSection {
  flows: number;
  /** The training epoch alone (EpochRecord.seconds). */
  epochSeconds: number;
  /** `ntc train` from process start to exit. */
  endToEndSeconds: number;
  /** Peak resident memory of the `ntc train` process. */
  peakMB: number;
  trainFlows: number;
  trainFlowsPerSec: number;
  /** Seconds per stage of the run, in order, as `<stage>Seconds` keys (see STAGE_MARKS). */
  [stage: `${string}Seconds`]: number;
  cpuSeconds: number;
  /** The engine `ntc train` used by default (from the saved model.json). */
  engine: string;
  fileMB: number;
  /** 1-minute load average before and after the run: other work on the machine slows it. */
  loadBefore: number;
  loadAfter: number;
}

export interface FullScaleOptions {
  root: string;
  rows: number;
  seed: number;
  log: (s: string) => void;
}

/** Stage lines of `ntc train` on stderr and the stage each begins; a stage ends where the next begins, the last at exit. */
const STAGE_MARKS: { line: string; stage: string }[] = [
  { line: 'preprocessing...', stage: 'preprocess' },
  { line: 'training...', stage: 'trainAndValidate' },
  { line: 'scoring...', stage: 'score' },
  { line: 'writing the run...', stage: 'write' },
];

interface ChildRun {
  wallS: number;
  marks: { stage: string; atS: number }[];
  peakKB: number;
  cpuS: number;
}

function runTrainChild(root: string, args: string[], timeFile: string, log: (s: string) => void): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const marks: { stage: string; atS: number }[] = [];
    // /usr/bin/time's %M is the child's own peak RSS (ru_maxrss), exact even when the peak comes at exit.
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, process.execPath, join(root, 'bin', 'ntc.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', () => {});
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      const at = (performance.now() - t0) / 1000;
      err = (err + d).slice(-4000);
      pending += d;
      const lines = pending.split(/[\r\n]/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const mark = STAGE_MARKS.find((m) => line.trim() === m.line);
        if (mark) marks.push({ stage: mark.stage, atS: at });
        log(`  [${at.toFixed(1).padStart(6)} s] ${line}`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`ntc ${args.join(' ')} exited with ${code}: ${err}`));
      const [kb, user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
      resolve({ wallS, marks, peakKB: kb, cpuS: user + sys });
    });
  });
}

/** Seconds per stage: start-up and reading before the first mark, then mark to mark, the last to exit. */
export function stageSeconds(marks: { stage: string; atS: number }[], wallS: number): Record<`${string}Seconds`, number> {
  const stages: Record<`${string}Seconds`, number> = {};
  const round = (s: number) => Math.round(s * 10) / 10;
  stages.startAndReadSeconds = round(marks.length > 0 ? marks[0].atS : wallS);
  marks.forEach((m, i) => {
    stages[`${m.stage}Seconds`] = round((i + 1 < marks.length ? marks[i + 1].atS : wallS) - m.atS);
  });
  return stages;
}

interface MetricsFile {
  flows: { train: number; validation: number; test: number };
  timing: { trainFlowsPerSec: number | null };
}

export async function fullScaleBenchmark(o: FullScaleOptions): Promise<FullScaleSection> {
  const file = join(o.root, 'bench', 'out', `cidds-${o.rows}-seed${o.seed}.csv`);
  const bytes = await ensureCiddsFile(file, o.rows, o.seed, o.log);
  if (!existsSync('/usr/bin/time')) throw new Error('fullScale needs /usr/bin/time for the peak memory (Debian package "time")');
  const work = mkdtempSync(join(o.root, 'bench', 'out', 'full-scale-'));
  const outDir = join(work, 'run');
  const loadBefore = loadavg()[0];
  o.log(`fullScale: ntc train ${file} (${(bytes / 1e6).toFixed(0)} MB) --epochs 1; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  try {
    const run = await runTrainChild(o.root, ['train', file, '--epochs', '1', '--out', outDir], join(work, 'time.txt'), o.log);
    const m = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8')) as MetricsFile;
    const flows = m.flows.train + m.flows.validation + m.flows.test;
    if (flows !== o.rows) throw new Error(`the run scored ${flows} flows, the file holds ${o.rows}`);
    const { engine } = JSON.parse(readFileSync(join(outDir, 'model', 'model.json'), 'utf8')) as { engine: string };
    const perSec = m.timing.trainFlowsPerSec;
    if (!(perSec && perSec > 0)) throw new Error('metrics.json has no training rate (timing.trainFlowsPerSec)');
    const section: FullScaleSection = {
      flows,
      epochSeconds: Math.round((m.flows.train / perSec) * 10) / 10,
      endToEndSeconds: Math.round(run.wallS * 10) / 10,
      peakMB: Math.round(run.peakKB / 1024),
      trainFlows: m.flows.train,
      trainFlowsPerSec: Math.round(perSec),
      ...stageSeconds(run.marks, run.wallS),
      cpuSeconds: Math.round(run.cpuS),
      engine,
      fileMB: Math.round(bytes / 1e6),
      loadBefore: Number(loadBefore.toFixed(2)),
      loadAfter: Number(loadavg()[0].toFixed(2)),
    };
    o.log(`fullScale: ${flows.toLocaleString('en-US')} flows, end to end ${section.endToEndSeconds} s, epoch ${section.epochSeconds} s ` +
      `(${section.trainFlowsPerSec.toLocaleString('en-US')} training flows/s, engine ${engine}), peak ${section.peakMB} MB, load average ${section.loadAfter}`);
    o.log(`fullScale: stages ${Object.entries(stageSeconds(run.marks, run.wallS)).map(([k, v]) => `${k.replace(/Seconds$/, '')} ${v} s`).join(', ')}`);
    return section;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

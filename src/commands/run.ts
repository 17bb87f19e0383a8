import { mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { addReadOptions, readOptionsFrom } from '../flows/read-options.js';
import { runTrainJob } from '../pipeline/train-job.js';
import { addTrainOptions, trainConfigFrom } from './train-options.js';

/** The embedded lab data set: an earlier capture to train on and a later one to test on. */
const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data');
export const EMBEDDED_TRAIN = join(DATA_DIR, 'lab-train.csv.gz');
export const EMBEDDED_TEST = join(DATA_DIR, 'lab-test.csv.gz');

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
}

/** Points `runs/latest` at the newest run, replacing the previous link. */
async function linkLatest(runsDir: string, name: string): Promise<void> {
  const link = join(runsDir, 'latest');
  await rm(link, { force: true });
  await symlink(name, link);
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .summary('the main job: train, test and report (on the embedded lab data set when given no files)')
    .description('Train and evaluate end to end and write runs/<timestamp>/ (model, metrics.json, report.html); runs/latest points at it.\nWith no files: trains on data/lab-train.csv.gz and tests on the later capture data/lab-test.csv.gz.\nWith files: reads them as one data set and splits it by time.')
    .argument('[files...]', 'labelled flow files (CIDDS CSV), e.g. CIDDS-002-week1.csv CIDDS-002-week2.csv')
    .option('-o, --out <dir>', 'output directory instead of runs/<timestamp>')
    .addHelpText('after', '\nExamples:\n  npm start                 (= ntc run)\n  ntc run CIDDS-002-week1.csv CIDDS-002-week2.csv\n  ntc run --compat          (the replaced project\'s setup, for comparison)');
  addTrainOptions(cmd);
  addReadOptions(cmd);
  cmd.action(async (files: string[], o: Record<string, unknown>) => {
    const embedded = files.length === 0;
    const name = timestamp();
    const outDir = (o.out as string | undefined) ?? join('runs', name);
    await mkdir(outDir, { recursive: true });
    await runTrainJob({
      trainFiles: embedded ? [EMBEDDED_TRAIN] : files,
      testFiles: embedded ? [EMBEDDED_TEST] : [],
      outDir,
      config: trainConfigFrom(o),
      read: readOptionsFrom(o as { maxBadRows?: number }),
      notes: embedded ? ['Data: the embedded traffic-lab data set (see data/README.md): trained on the earlier capture, tested on the later one.'] : undefined,
    });
    if (!o.out) await linkLatest('runs', name);
  });
}

/** Read, train, score, write: the job behind `ntc train` and `ntc run`. */
import { readWithProgress } from '../commands/read-input.js';
import type { ReadOptions } from '../flows/read.js';
import { summarizeDataset } from '../report/explore.js';
import type { TrainConfig } from './config.js';
import { epochReporter, formatMetricsTable } from './terminal.js';
import { trainRun, type TrainRunResult } from './train-run.js';
import { writeRun, type RunFiles } from './write-run.js';

export interface TrainJob {
  trainFiles: string[];
  testFiles: string[];
  outDir: string;
  config: TrainConfig;
  read: ReadOptions;
  notes?: string[];
}

export async function runTrainJob(job: TrainJob): Promise<{ result: TrainRunResult; files: RunFiles }> {
  const { ds: train, rowsPerSec } = await readWithProgress(job.trainFiles, job.read, 'reading training flows');
  const test = job.testFiles.length ? (await readWithProgress(job.testFiles, job.read, 'reading test flows')).ds : undefined;
  const epochs = epochReporter(job.config.epochs);
  const result = await trainRun({ train, test }, job.config, {
    ...epochs,
    onStage: (s) => process.stderr.write(`${s}...\n`),
    onModel: (m) => process.stderr.write(
      `model: LSTM ${m.spec.layers.join(',')} over ${m.spec.seqLen} steps, ${m.spec.inputSize} features, ${m.spec.loss}; ` +
      `engine ${m.engine}, ${m.threads} thread${m.threads > 1 ? 's' : ''}\n`,
    ),
  });
  result.metrics.timing.ingestRowsPerSec = rowsPerSec;
  result.trainMetrics.timing.ingestRowsPerSec = rowsPerSec;
  process.stderr.write('writing the run...\n');
  const summary = summarizeDataset(train, result.preprocessor);
  const files = await writeRun(job.outDir, result, { config: job.config, summary, trainFiles: job.trainFiles, testFiles: job.testFiles, notes: job.notes });
  result.model.dispose();
  process.stdout.write(`${formatMetricsTable(result.metrics, result.trainMetrics)}\n\nmodel:   ${files.model}\nmetrics: ${files.metrics}\nreport:  ${files.report}\n`);
  return { result, files };
}

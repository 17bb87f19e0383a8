/** Writes what a training run produced: the model directory, metrics.json and report.html. */
import { join } from 'node:path';
import type { Preprocessor } from '../features/index.js';
import { saveModel } from '../nn/model-io.js';
import { renderModelReport } from '../report/model-report.js';
import type { ExploreSummary } from '../report/explore.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { TrainConfig } from './config.js';
import type { TrainRunResult } from './train-run.js';

export const MODEL_DIR = 'model';

export interface RunFiles {
  model: string;
  metrics: string;
  report: string;
}

export interface RunContext {
  config: TrainConfig;
  summary: ExploreSummary;
  trainFiles: string[];
  testFiles: string[];
  notes?: string[];
}

/** The preprocessing travels inside the model directory, so classification rebuilds the same features. */
export interface ModelExtra {
  preprocessor: Preprocessor;
  config: TrainConfig;
  trainFiles: string[];
  trainedAt: string;
}

export async function writeRun(dir: string, r: TrainRunResult, ctx: RunContext): Promise<RunFiles> {
  const files: RunFiles = { model: join(dir, MODEL_DIR), metrics: join(dir, 'metrics.json'), report: join(dir, 'report.html') };
  const extra: ModelExtra = { preprocessor: r.preprocessor, config: ctx.config, trainFiles: ctx.trainFiles, trainedAt: new Date().toISOString() };
  await saveModel(files.model, r.model, extra as unknown as Record<string, unknown>);
  await writeFileAtomic(files.metrics, `${JSON.stringify(r.metrics, null, 2)}\n`);
  const html = await renderModelReport({
    summary: ctx.summary,
    history: r.history,
    metrics: r.metrics,
    trainMetrics: r.trainMetrics,
    config: { ...ctx.config, layers: ctx.config.layers.join(','), trainFiles: ctx.trainFiles.join(', '), testFiles: ctx.testFiles.join(', ') || '(split from the training files)', bestEpoch: r.bestEpoch },
    counts: r.counts,
    notes: ctx.notes,
  });
  await writeFileAtomic(files.report, html);
  return files;
}

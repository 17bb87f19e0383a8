import type { Command } from 'commander';
import { computeMetrics, encodedClassValue, r2Score } from '../evaluate/metrics.js';
import { NORMAL } from '../features/index.js';
import { addReadOptions, readOptionsFrom } from '../flows/read-options.js';
import { loadTrained } from '../pipeline/load-trained.js';
import { predictFlows } from '../pipeline/predict-flows.js';
import { formatMetricsTable } from '../pipeline/terminal.js';
import { readWithProgress } from './read-input.js';

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .summary('score a saved model on labelled flow files')
    .description('Predict every flow of labelled CIDDS files with a saved model and print the scores (the metrics.json keys with --json).')
    .argument('<files...>', 'labelled flow files (CIDDS CSV, plain or gzipped)')
    .requiredOption('-m, --model <dir>', 'model directory written by ntc train or ntc run (e.g. runs/latest/model)')
    .option('--json', 'print the scores as one JSON object on stdout')
    .option('--batch-size <n>', 'sequences per prediction batch', (v) => Number(v), 512)
    .addHelpText('after', '\nExample:\n  ntc evaluate --model runs/latest/model CIDDS-002-week2.csv --json');
  addReadOptions(cmd);
  cmd.action(async (files: string[], o: { model: string; json?: boolean; batchSize: number; maxBadRows?: number }) => {
    const trained = await loadTrained(o.model);
    try {
      const { ds, rowsPerSec } = await readWithProgress(files, readOptionsFrom(o));
      const rows = new Uint32Array(ds.length).map((_, i) => i);
      const p = trained.preprocessor;
      const pred = await predictFlows(trained.model, p, ds, rows, { batchSize: o.batchSize, labelled: true });
      const metrics = computeMetrics({
        yTrue: pred.targets!,
        yPred: pred.classOf,
        classes: p.classes,
        normalClass: p.classes.includes(NORMAL) ? NORMAL : p.classes[0],
        split: files.join(', '),
        r2: { train: null, test: ds.length > 0 ? r2Score(pred.targets!, encodedClassValue(pred.prob, pred.outputs)) : null },
        timing: { ingestRowsPerSec: rowsPerSec, trainFlowsPerSec: null, predictFlowsPerSec: pred.seconds > 0 ? ds.length / pred.seconds : null },
        flows: { test: ds.length },
      });
      process.stdout.write(o.json ? `${JSON.stringify(metrics, null, 2)}\n` : `${formatMetricsTable(metrics)}\n`);
    } finally {
      trained.model.dispose();
    }
  });
}

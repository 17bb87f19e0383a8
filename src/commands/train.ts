import type { Command } from 'commander';
import { addReadOptions, readOptionsFrom } from '../flows/read-options.js';
import { runTrainJob } from '../pipeline/train-job.js';
import { addTrainOptions, trainConfigFrom } from './train-options.js';

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .summary('train a model on flow files and score it on held-out flows')
    .description('Train an LSTM classifier on CIDDS or nfdump CSV files (plain or gzipped) and write DIR/model/, DIR/metrics.json and DIR/report.html.\nWithout --test the flows are split by time: the earliest train, the latest test.')
    .argument('<files...>', 'labelled flow files (CIDDS CSV), read as one data set in the order given')
    .requiredOption('-o, --out <dir>', 'output directory')
    .option('--test <files...>', 'held-out labelled files to test on instead of a split of the training files')
    .addHelpText('after', '\nExample:\n  ntc train CIDDS-002-week1.csv --test CIDDS-002-week2.csv --out runs/week1\n  ntc train data/lab-train.csv.gz --epochs 5 --out runs/quick');
  addTrainOptions(cmd);
  addReadOptions(cmd);
  cmd.action(async (files: string[], o: Record<string, unknown>) => {
    await runTrainJob({
      trainFiles: files,
      testFiles: (o.test as string[] | undefined) ?? [],
      outDir: o.out as string,
      config: trainConfigFrom(o),
      read: readOptionsFrom(o as { maxBadRows?: number }),
    });
  });
}

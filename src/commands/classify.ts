import { InvalidArgumentError, Option, type Command } from 'commander';
import { describeFirstBadRows, formatPercent } from '../flows/bad-rows.js';
import { addReadOptions, readOptionsFrom } from '../flows/read-options.js';
import { loadTrained } from '../pipeline/load-trained.js';
import { classifyToSink } from '../serve/classify-stream.js';
import { fileSink, stdoutSink, type OutputSink } from '../serve/output-sink.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../serve/prediction-format.js';
import { formatCount, Progress } from '../util/progress.js';

function positiveNumber(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${what} must be a positive number, got "${v}"`);
    return n;
  };
}

export function registerClassify(program: Command): void {
  const cmd = program
    .command('classify')
    .summary('predict the class of every flow of CSV files or stdin with a saved model')
    .description(
      'Classify flows (CIDDS or nfdump CSV, plain or gzipped; labels not needed) with a saved model, streaming.\n' +
        'Writes each flow with its predicted class, the score of that class and the probability of every class, ' +
        'in input order. Each flow is judged with the earlier flows of its source, exactly as ntc evaluate judges it; ' +
        'a source silent for longer than --idle-timeout starts a new window.',
    )
    .argument('[files...]', 'flow files; - or nothing reads stdin')
    .requiredOption('-m, --model <dir>', 'model directory written by ntc train or ntc run (e.g. runs/latest/model)')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS as string[]).default('csv'))
    .option('-o, --out <file>', 'write results to FILE (atomically: it appears when complete) instead of stdout')
    .option('--idle-timeout <seconds>', "forget a source after this many seconds without a flow (default: the model's context idle time)", positiveNumber('--idle-timeout'))
    .option('--batch-size <n>', 'sequences per model call', positiveNumber('--batch-size'), 512)
    .option('-q, --quiet', 'no progress or summary on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  ntc classify --model runs/latest/model capture.csv --out predictions.csv\n' +
        '  nfdump -r nfcapd.202611250900 -O tstart -o csv | ntc classify --model runs/latest/model --format jsonl',
    );
  addReadOptions(cmd);
  cmd.action(async (files: string[], o: { model: string; format: OutputFormat; out?: string; idleTimeout?: number; batchSize: number; quiet?: boolean; maxBadRows?: number }) => {
    // The files are read while the model loads; a bad model is reported where classifyToSink
    // waits for it (nothing has been written by then).
    const trained = loadTrained(o.model);
    trained.catch(() => undefined);
    const inputs = files.length ? files : ['-'];
    const toStdout = o.out === undefined || o.out === '-';
    let sink: OutputSink | undefined;
    let bar: Progress | undefined;
    try {
      sink = toStdout ? stdoutSink() : await fileSink(o.out!);
      const summary = await classifyToSink(trained, sink, {
        inputs,
        format: o.format,
        read: readOptionsFrom(o),
        idleSeconds: o.idleTimeout,
        batchSize: Math.floor(o.batchSize),
        onProgress(p) {
          if (o.quiet || p.file === 'stdin') return;
          bar ??= new Progress({ label: 'classifying', total: p.bytesTotal > 0 ? p.bytesTotal / 1e6 : undefined, unit: 'MB' });
          bar.update(p.bytesRead / 1e6, `${p.file} ${formatCount(p.rows)} flows`);
        },
      });
      await sink.commit();
      if (!summary.stoppedEarly) bar?.done('');
      if (!o.quiet) {
        const rate = summary.seconds > 0 ? summary.flows / summary.seconds : 0;
        const where = summary.stoppedEarly ? ' (the output was closed; stopped early)' : toStdout ? '' : ` -> ${o.out}`;
        process.stderr.write(`classified ${summary.flows.toLocaleString('en-US')} flows in ${summary.seconds.toFixed(1)}s (${formatCount(rate)} flows/s)${where}\n`);
        if (summary.badRowCount > 0) {
          const total = summary.flows + summary.badRowCount;
          process.stderr.write(
            `skipped ${summary.badRowCount.toLocaleString('en-US')} malformed row(s) of ${total.toLocaleString('en-US')} (${formatPercent(summary.badRowCount / total)}):\n` +
              `${describeFirstBadRows(summary.badRows, 5)}\n`,
          );
        }
      }
    } catch (err) {
      await sink?.abort();
      throw err;
    } finally {
      (await trained.catch(() => undefined))?.model.dispose();
    }
  });
}

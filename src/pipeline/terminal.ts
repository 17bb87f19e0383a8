/** What a training run shows on the terminal: per-epoch progress and the closing score table. */
import type { EpochRecord, Metrics } from '../evaluate/types.js';
import { formatCount, formatSeconds, Progress } from '../util/progress.js';

export function epochReporter(totalEpochs: number, quiet = false) {
  let bar: Progress | undefined;
  let epoch = 1;
  return {
    onBatch(done: number, total: number, loss: number) {
      bar ??= new Progress({ label: `epoch ${epoch}/${totalEpochs}`, total, unit: 'batches', quiet });
      bar.update(done, `loss ${loss.toFixed(4)}`);
    },
    onEpoch(r: EpochRecord) {
      const val = r.valLoss === null ? '' : ` val_loss ${r.valLoss.toFixed(4)} val_acc ${(r.valAccuracy ?? 0).toFixed(4)}`;
      const note = `loss ${r.loss.toFixed(4)} acc ${r.accuracy.toFixed(4)}${val} ${formatCount(r.flowsPerSec)} flows/s`;
      if (bar) bar.done(note);
      else if (!quiet) process.stderr.write(`epoch ${r.epoch}/${totalEpochs} ${note} ${formatSeconds(r.seconds)}\n`);
      bar = undefined;
      epoch = r.epoch + 1;
    },
  };
}

function fmt(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '-' : v.toFixed(4);
}

/** A plain-text table of the scores, for the end of a run and `ntc evaluate` without --json. */
export function formatMetricsTable(m: Metrics, train?: Metrics): string {
  const width = Math.max(12, ...m.classes.map((c) => c.length));
  const lines = [
    `scores on ${m.split}: ${m.confusion.matrix.flat().reduce((a, b) => a + b, 0).toLocaleString('en-US')} flows`,
    `${'class'.padEnd(width)}  precision  recall     f1         support`,
  ];
  for (const c of m.classes) {
    const s = m.perClass[c];
    if (!s) continue;
    lines.push(`${c.padEnd(width)}  ${fmt(s.precision).padEnd(9)}  ${fmt(s.recall).padEnd(9)}  ${fmt(s.f1).padEnd(9)}  ${s.support}`);
  }
  lines.push(
    '',
    `accuracy ${fmt(m.accuracy)}   macro-F1 ${fmt(m.macroF1)}`,
    `attack vs normal: precision ${fmt(m.attack.precision)} recall ${fmt(m.attack.recall)} F1 ${fmt(m.attack.f1)}`,
    `false-positive rate on normal flows: ${(m.falsePositiveRate * 100).toFixed(3)}%`,
    `R² of the encoded class: train ${fmt(m.r2.train)}  test ${fmt(m.r2.test)}`,
  );
  if (train) lines.push(`(train split: accuracy ${fmt(train.accuracy)}, macro-F1 ${fmt(train.macroF1)})`);
  return lines.join('\n');
}

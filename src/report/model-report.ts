/**
 * The report of one training run: how training went, how the model scores on held-out flows, and
 * what data and configuration produced it.
 */
import type { EpochRecord, Metrics } from '../evaluate/types.js';
import { classScoresChart } from './charts/class-scores.js';
import { confusionChart } from './charts/confusion.js';
import { trainingCurveChart } from './charts/training-curves.js';
import { exploreSections } from './explore.js';
import { renderPage, type Cell, type Section } from './page.js';
import { renderSvg } from './render.js';
import type { ExploreSummary } from './summary.js';

export interface ModelReportInput {
  summary: ExploreSummary;
  history: EpochRecord[];
  /** Scores on the test split. */
  metrics: Metrics;
  trainMetrics?: Metrics;
  config: Record<string, unknown>;
  counts: Record<string, number>;
  notes?: string[];
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(2)}%`;
}

function fixed(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function configValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

async function resultSections(m: Metrics, train?: Metrics): Promise<Section[]> {
  const [confusion, scores] = await Promise.all([renderSvg(confusionChart(m.confusion)), renderSvg(classScoresChart(m.perClass, m.classes))]);
  const perClassRows: Cell[][] = m.classes
    .filter((c) => m.perClass[c])
    .map((c) => [c, fixed(m.perClass[c].precision), fixed(m.perClass[c].recall), fixed(m.perClass[c].f1), m.perClass[c].support]);
  const overall: Cell[][] = [
    ['accuracy', pct(m.accuracy), train ? pct(train.accuracy) : null],
    ['macro F1', fixed(m.macroF1), train ? fixed(train.macroF1) : null],
    ['attack precision (any attack vs normal)', fixed(m.attack.precision), train ? fixed(train.attack.precision) : null],
    ['attack recall', fixed(m.attack.recall), train ? fixed(train.attack.recall) : null],
    ['attack F1', fixed(m.attack.f1), train ? fixed(train.attack.f1) : null],
    ['false positive rate (normal flagged as attack)', pct(m.falsePositiveRate), train ? pct(train.falsePositiveRate) : null],
    ['R² of the encoded class', fixed(m.r2.test), fixed(m.r2.train)],
  ];
  return [
    {
      id: 'results',
      title: `Results on the ${m.split} split`,
      blocks: [
        { kind: 'figures', figures: [{ name: 'confusion', svg: confusion }, { name: 'class-scores', svg: scores }] },
        { kind: 'table', table: { caption: 'Scores per class', head: ['class', 'precision', 'recall', 'F1', 'flows'], rows: perClassRows } },
        { kind: 'table', table: { caption: 'Overall', head: ['score', m.split, 'train'], rows: overall } },
      ],
    },
  ];
}

async function trainingSection(history: EpochRecord[]): Promise<Section> {
  if (history.length === 0) return { id: 'training', title: 'Training', blocks: [{ kind: 'text', text: 'No epochs were recorded.' }] };
  const [loss, accuracy] = await Promise.all([renderSvg(trainingCurveChart(history, 'loss')), renderSvg(trainingCurveChart(history, 'accuracy'))]);
  return {
    id: 'training',
    title: 'Training',
    blocks: [
      { kind: 'figures', figures: [{ name: 'loss-curve', svg: loss }, { name: 'accuracy-curve', svg: accuracy }] },
      {
        kind: 'table',
        table: {
          caption: 'Per epoch',
          head: ['epoch', 'loss', 'accuracy', 'validation loss', 'validation accuracy', 'seconds', 'flows/s'],
          rows: history.map((e) => [e.epoch, fixed(e.loss), fixed(e.accuracy), fixed(e.valLoss), fixed(e.valAccuracy), fixed(e.seconds, 1), Math.round(e.flowsPerSec)]),
        },
      },
    ],
  };
}

export async function renderModelReport(input: ModelReportInput): Promise<string> {
  const { metrics: m, trainMetrics, history, config, counts, summary, notes } = input;
  const timing = m.timing;
  const sections: Section[] = [
    ...(await resultSections(m, trainMetrics)),
    await trainingSection(history),
    {
      id: 'run',
      title: 'Run',
      blocks: [
        { kind: 'table', table: { caption: 'Flows', head: ['what', 'flows'], rows: Object.entries(counts).map(([k, v]) => [k, v]) } },
        {
          kind: 'table',
          table: {
            caption: 'Speed',
            head: ['stage', 'flows per second'],
            rows: [
              ['reading', timing.ingestRowsPerSec === null ? null : Math.round(timing.ingestRowsPerSec)],
              ['training', timing.trainFlowsPerSec === null ? null : Math.round(timing.trainFlowsPerSec)],
              ['predicting', timing.predictFlowsPerSec === null ? null : Math.round(timing.predictFlowsPerSec)],
            ],
          },
        },
        { kind: 'table', table: { caption: 'Configuration', head: ['setting', 'value'], rows: Object.entries(config).map(([k, v]) => [k, configValue(v)]) } },
        ...(notes && notes.length ? [{ kind: 'list' as const, items: notes }] : []),
      ],
    },
    ...(await exploreSections(summary)).map((s) => ({ ...s, id: `data-${s.id}`, title: `Data: ${s.title.toLowerCase()}` })),
  ];
  return renderPage({
    title: 'Traffic classifier report',
    subtitle: `${m.classes.length} classes, evaluated on the ${m.split} split`,
    summary: [
      { label: 'accuracy', value: pct(m.accuracy) },
      { label: 'macro F1', value: fixed(m.macroF1, 3) },
      { label: 'attack F1', value: fixed(m.attack.f1, 3) },
      { label: 'false positive rate', value: pct(m.falsePositiveRate) },
      { label: 'R² (test)', value: fixed(m.r2.test, 3) },
      { label: `${m.split} flows`, value: m.confusion.matrix.flat().reduce((a, b) => a + b, 0).toLocaleString('en-US') },
    ],
    sections,
    footer: 'Written by ntc. Scores are on held-out flows; see the README for how the split was made.',
  });
}

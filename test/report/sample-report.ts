/** A model report from fixed inputs, shared by the report's unit and browser tests. */
import { renderModelReport } from '../../src/report/model-report.js';
import { summarizeDataset } from '../../src/report/explore.js';
import { datasetFromFlows, syntheticFlows } from '../features/dataset.js';
import { HISTORY, METRICS } from './fixtures.js';

export async function sampleModelReport(): Promise<string> {
  const summary = summarizeDataset(datasetFromFlows(syntheticFlows(400)));
  return renderModelReport({
    summary,
    history: HISTORY,
    metrics: METRICS,
    trainMetrics: { ...METRICS, split: 'train', accuracy: 0.991 },
    config: { mode: 'sequence', seqLen: 16, split: 'time', note: '<b>not bold</b>' },
    counts: { train: 40000, validation: 8000, test: 10652 },
    notes: ['trained on CIDDS-002 week 1'],
  });
}


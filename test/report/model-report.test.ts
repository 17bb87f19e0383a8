import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderModelReport } from '../../src/report/model-report.js';
import { summarizeDataset } from '../../src/report/explore.js';
import { datasetFromFlows, syntheticFlows } from '../features/dataset.js';
import { HISTORY, METRICS } from './fixtures.js';
import { sampleModelReport } from './sample-report.js';

test('the model report shows curves, confusion, per-class scores, attack scores, R², config and counts', async () => {
  const html = await sampleModelReport();
  for (const chart of ['loss-curve', 'accuracy-curve', 'confusion', 'class-scores', 'class-counts', 'attack-type-counts', 'protocol-counts', 'correlation']) {
    assert.match(html, new RegExp(`data-chart="${chart}"`), chart);
  }
  assert.match(html, /<td>pingScan<\/td><td>0\.7407<\/td><td>0\.8000<\/td><td>0\.7692<\/td><td class="num">50<\/td>/);
  assert.match(html, /false positive rate \(normal flagged as attack\)<\/td><td>1\.04%<\/td>/);
  assert.match(html, /R² of the encoded class<\/td><td>0\.8300<\/td><td>0\.9100<\/td>/);
  assert.match(html, /<td>seqLen<\/td><td>16<\/td>/);
  assert.match(html, /&lt;b&gt;not bold&lt;\/b&gt;/);
  assert.match(html, /<td>validation<\/td><td class="num">8,000<\/td>/);
  assert.match(html, /trained on CIDDS-002 week 1/);
  assert.doesNotMatch(html, /https?:|<script|<link/);
});

test('a run without validation or epochs still renders', async () => {
  const summary = summarizeDataset(datasetFromFlows(syntheticFlows(50)));
  const noVal = HISTORY.map((e) => ({ ...e, valLoss: null, valAccuracy: null }));
  const html = await renderModelReport({ summary, history: noVal, metrics: METRICS, config: {}, counts: {} });
  assert.match(html, /data-chart="loss-curve"/);
  const none = await renderModelReport({ summary, history: [], metrics: METRICS, config: {}, counts: {} });
  assert.match(none, /No epochs were recorded/);
});

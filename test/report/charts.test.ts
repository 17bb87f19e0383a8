import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classScoresChart } from '../../src/report/charts/class-scores.js';
import { confusionChart } from '../../src/report/charts/confusion.js';
import { correlationChart } from '../../src/report/charts/correlation.js';
import { countsChart } from '../../src/report/charts/counts.js';
import { histogramChart } from '../../src/report/charts/histogram.js';
import { trainingCurveChart } from '../../src/report/charts/training-curves.js';
import { renderSvg, type ChartSpec } from '../../src/report/render.js';
import { assertGolden } from './golden.js';
import { HISTORY, LINEAR, METRICS, SECONDS, SKEWED } from './fixtures.js';

const CHARTS: Record<string, ChartSpec> = {
  'counts-linear': countsChart('Flows per protocol', [
    { name: 'UDP', count: 2230 },
    { name: 'TCP', count: 13880 },
    { name: 'ICMP', count: 50 },
  ]),
  'counts-log': countsChart('Flows per attack type', [
    { name: 'normal', count: 28_050_000 },
    { name: 'dos', count: 2_960_000 },
    { name: 'portScan', count: 266_000 },
    { name: 'bruteForce', count: 4992 },
  ]),
  'histogram-log': histogramChart(SKEWED),
  'histogram-linear': histogramChart(LINEAR),
  'histogram-log-seconds': histogramChart(SECONDS),
  correlation: correlationChart({ names: ['log bytes', 'log packets', 'tos'], matrix: [[1, 0.93, null], [0.93, 1, null], [null, null, null]], sampleRows: 5000 }),
  'loss-curve': trainingCurveChart(HISTORY, 'loss'),
  'accuracy-curve': trainingCurveChart(HISTORY, 'accuracy'),
  confusion: confusionChart(METRICS.confusion),
  'class-scores': classScoresChart(METRICS.perClass, METRICS.classes),
};

test('chart SVG is deterministic: the same spec renders byte-identically, whatever was rendered before', async () => {
  const first = await renderSvg(CHARTS.confusion);
  await renderSvg(CHARTS['counts-log']);
  await renderSvg(CHARTS['loss-curve']);
  assert.equal(await renderSvg(CHARTS.confusion), first);
});

for (const [name, spec] of Object.entries(CHARTS)) {
  test(`chart ${name} matches its golden SVG`, async () => {
    const svg = await renderSvg(spec);
    assert.match(svg, /^<svg [^>]*width="\d+(\.\d+)?" height="\d+(\.\d+)?"/);
    await assertGolden(`${name}.svg`, svg);
  });
}

test('log-scale counts bars start at 1 so every class gets a visible bar', async () => {
  const svg = await renderSvg(CHARTS['counts-log']);
  // Four bars, each a path with a positive width.
  const widths = [...svg.matchAll(/aria-roledescription="bar" d="M[\d.]+,[\d.]+h([\d.]+)/g)].map((m) => Number(m[1]));
  assert.equal(widths.length, 4);
  assert.ok(widths.every((w) => w > 10), `bar widths ${widths}`);
});

test('text from the data is escaped in the SVG', async () => {
  const svg = await renderSvg(countsChart('Classes', [{ name: '<script>alert(1)</script>&', count: 3 }]));
  assert.ok(!svg.includes('<script>'), 'raw markup from data must not reach the SVG');
  assert.match(svg, /&lt;script&gt;/);
});

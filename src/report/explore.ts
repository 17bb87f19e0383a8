/**
 * The exploration page: what is in a flow data set before any model sees it. Its sections are
 * reused by the model report.
 */
import { basename } from 'node:path';
import { correlationChart } from './charts/correlation.js';
import { countsChart } from './charts/counts.js';
import { histogramChart } from './charts/histogram.js';
import { renderPage, type Section } from './page.js';
import { renderSvg } from './render.js';
import { UNLABELLED, type ExploreSummary } from './summary.js';

export { summarizeDataset, type ExploreSummary, EXPLORE_SUMMARY_VERSION, CORRELATION_SAMPLE } from './summary.js';

export async function exploreSections(s: ExploreSummary): Promise<Section[]> {
  const [classes, attacks, protocols, correlation, ...histograms] = await Promise.all([
    renderSvg(countsChart('Flows per class', s.classCounts, 'CIDDS class / label column')),
    renderSvg(countsChart('Flows per attack type', s.attackTypeCounts)),
    renderSvg(countsChart('Flows per protocol', s.protocolCounts)),
    renderSvg(correlationChart(s.correlation)),
    ...s.features.map((f) => renderSvg(histogramChart(f))),
  ]);
  return [
    {
      id: 'labels',
      title: 'Classes and protocols',
      blocks: [
        {
          kind: 'figures',
          figures: [
            { name: 'class-counts', svg: classes },
            { name: 'attack-type-counts', svg: attacks },
            { name: 'protocol-counts', svg: protocols },
          ],
        },
      ],
    },
    {
      id: 'distributions',
      title: 'Distributions',
      blocks: [
        {
          kind: 'figures',
          figures: s.features.map((f, i) => ({
            name: `histogram-${f.name}`,
            svg: histograms[i],
            caption: `${f.count.toLocaleString('en-US')} flows, ${f.zeros.toLocaleString('en-US')} zero; min ${f.min.toLocaleString('en-US')}, max ${f.max.toLocaleString('en-US')}`,
          })),
        },
      ],
    },
    {
      id: 'correlation',
      title: 'Correlation',
      blocks: [{ kind: 'figures', figures: [{ name: 'correlation', svg: correlation, caption: 'Blank cells: a constant column.' }] }],
    },
    {
      id: 'files',
      title: 'Files',
      blocks: [
        {
          kind: 'table',
          table: {
            head: ['file', 'format', 'flows', 'malformed rows skipped', 'labelled'],
            rows: s.files.map((f) => [f.path, f.format, f.rows, f.badRows, f.labelled ? 'yes' : 'no']),
          },
        },
      ],
    },
  ];
}

export function exploreHeadline(s: ExploreSummary): Array<{ label: string; value: string }> {
  const attacks = s.attackTypeCounts.filter((c) => c.name !== 'normal' && c.name !== UNLABELLED).reduce((a, c) => a + c.count, 0);
  return [
    { label: 'flows', value: s.flows.toLocaleString('en-US') },
    { label: 'attack flows', value: s.flows ? `${attacks.toLocaleString('en-US')} (${((attacks / s.flows) * 100).toFixed(2)}%)` : '0' },
    { label: 'sources / destinations', value: `${s.distinctSources.toLocaleString('en-US')} / ${s.distinctDestinations.toLocaleString('en-US')}` },
    { label: 'time span', value: s.firstFlow && s.lastFlow ? `${s.firstFlow.slice(0, 16).replace('T', ' ')} – ${s.lastFlow.slice(0, 16).replace('T', ' ')} UTC` : '–' },
    { label: 'malformed rows skipped', value: s.badRowCount.toLocaleString('en-US') },
  ];
}

export async function renderExplorePage(s: ExploreSummary): Promise<string> {
  return renderPage({
    title: 'Flow data exploration',
    subtitle: s.files.map((f) => basename(f.path)).join(', '),
    summary: exploreHeadline(s),
    sections: await exploreSections(s),
    footer: 'Written by ntc explore. Histograms count all flows; correlations use an evenly spread sample.',
  });
}

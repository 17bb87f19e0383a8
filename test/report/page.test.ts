import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, renderPage } from '../../src/report/page.js';
import { correlationChart } from '../../src/report/charts/correlation.js';
import { confusionChart } from '../../src/report/charts/confusion.js';
import { renderSvg } from '../../src/report/render.js';
import { METRICS } from './fixtures.js';

const EVIL = '<img src=x onerror=alert(1)> & "quotes"';

test('text is escaped everywhere: title, cards, headings, tables, captions, lists', () => {
  const html = renderPage({
    title: EVIL,
    subtitle: EVIL,
    summary: [{ label: EVIL, value: EVIL }],
    sections: [
      {
        id: 'x',
        title: EVIL,
        blocks: [
          { kind: 'text', text: EVIL },
          { kind: 'list', items: [EVIL] },
          { kind: 'table', table: { caption: EVIL, head: [EVIL], rows: [[EVIL]] } },
          { kind: 'figures', figures: [{ name: 'f', svg: '<svg width="1" height="1"></svg>', caption: EVIL }] },
        ],
      },
    ],
    footer: EVIL,
  });
  assert.ok(!html.includes('<img'), 'markup in text must not survive');
  // <title> and <h1>, subtitle, card label and value, nav link and <h2>, text, list, caption, th, td, figcaption, footer.
  assert.equal(html.split(escapeHtml(EVIL)).length - 1, 14);
});

test('a page has no external reference of any kind: no URL, script, stylesheet link or remote font', async () => {
  const svg = await renderSvg(confusionChart(METRICS.confusion));
  const html = renderPage({ title: 't', summary: [], sections: [{ id: 's', title: 's', blocks: [{ kind: 'figures', figures: [{ name: 'c', svg }] }] }] });
  assert.doesNotMatch(html, /https?:|\/\/[a-z]|<script|<link|@import|src=/i);
  assert.match(html, /<svg [^>]*class="marks"/);
});

test('SVG ids are made unique per figure so two gradients on one page do not clash', async () => {
  const a = await renderSvg(confusionChart(METRICS.confusion));
  const b = await renderSvg(correlationChart({ names: ['x', 'y'], matrix: [[1, -0.5], [-0.5, 1]], sampleRows: 10 }));
  assert.match(a, /id="gradient-0"/);
  assert.match(b, /id="gradient-0"/);
  const html = renderPage({
    title: 't',
    summary: [],
    sections: [{ id: 's', title: 's', blocks: [{ kind: 'figures', figures: [{ name: 'confusion', svg: a }, { name: 'correlation', svg: b }] }] }],
  });
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids}`);
  for (const m of html.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(m[1]), `dangling reference ${m[1]}`);
  assert.throws(
    () => renderPage({ title: 't', summary: [], sections: [{ id: 's', title: 's', blocks: [{ kind: 'figures', figures: [{ name: 'c', svg: a }, { name: 'c', svg: b }] }] }] }),
    /both named "c"/,
  );
});

test('tables format numbers with separators and right-align numeric columns', () => {
  const html = renderPage({
    title: 't',
    summary: [],
    sections: [{ id: 's', title: 's', blocks: [{ kind: 'table', table: { head: ['name', 'flows'], rows: [['a', 1234567], ['b', null]] } }] }],
  });
  assert.match(html, /<td>a<\/td><td class="num">1,234,567<\/td>/);
  assert.match(html, /<th class="num">flows<\/th>/);
  assert.match(html, /<td class="num">–<\/td>/);
});

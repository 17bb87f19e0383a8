/**
 * Self-contained HTML pages: inline CSS and inline SVG, no script and no external URL of any kind,
 * so a report opens from disk, offline, and can be mailed as one file. All text is escaped here;
 * callers pass plain strings.
 */

export interface Figure {
  /** Stable name, written as data-chart (tests and readers find charts by it). */
  name: string;
  svg: string;
  caption?: string;
}

export type Cell = string | number | null;

export interface Table {
  caption?: string;
  head: string[];
  rows: Cell[][];
}

export type Block =
  | { kind: 'figures'; figures: Figure[] }
  | { kind: 'table'; table: Table }
  | { kind: 'text'; text: string }
  | { kind: 'list'; items: string[] };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

export interface PageSpec {
  title: string;
  subtitle?: string;
  /** Headline figures shown as cards at the top. */
  summary: Array<{ label: string; value: string }>;
  sections: Section[];
  footer?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Numbers with thousands separators; fractions to 4 significant decimals. */
export function formatCell(v: Cell): string {
  if (v === null) return '–';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 4 });
  }
  return v;
}

/**
 * An SVG ready to sit inside the page. Inline SVG needs no namespace declarations in HTML, and
 * dropping them keeps the page free of any URL at all. Ids (gradients, clip paths) live in the one
 * document namespace, so each SVG's ids get the figure's name as prefix; otherwise a second chart
 * would paint with the first one's gradient. Vega escapes the text it writes into the SVG.
 */
export function inlineSvg(svg: string, idPrefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/\s+xmlns(:\w+)?="[^"]*"/g, '')
    .replace(/(\sid="|url\(#|href="#)/g, `$1${idPrefix}-`);
}

function renderFigure(f: Figure): string {
  const caption = f.caption ? `<figcaption>${escapeHtml(f.caption)}</figcaption>` : '';
  const prefix = f.name.replace(/[^A-Za-z0-9_-]/g, '_');
  return `<figure class="chart" data-chart="${escapeHtml(f.name)}">${inlineSvg(f.svg, prefix)}${caption}</figure>`;
}

function renderTable(t: Table): string {
  const numeric = t.head.map((_, j) => t.rows.length > 0 && t.rows.every((r) => r[j] === null || typeof r[j] === 'number'));
  const cls = (j: number) => (numeric[j] ? ' class="num"' : '');
  const head = t.head.map((h, j) => `<th${cls(j)}>${escapeHtml(h)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c, j) => `<td${cls(j)}>${escapeHtml(formatCell(c))}</td>`).join('')}</tr>`).join('\n');
  const caption = t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : '';
  return `<div class="table-wrap"><table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function renderBlock(b: Block): string {
  switch (b.kind) {
    case 'figures':
      return `<div class="figures">${b.figures.map(renderFigure).join('\n')}</div>`;
    case 'table':
      return renderTable(b.table);
    case 'text':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  }
}

const CSS = `
:root { --text: #222; --muted: #666; --line: #e4e4e4; --accent: #4269d0; --bg: #fafafa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--text); background: var(--bg); }
header { background: white; border-bottom: 1px solid var(--line); padding: 24px 32px 16px; }
header h1 { margin: 0; font-size: 22px; font-weight: 650; }
header .subtitle { color: var(--muted); margin: 4px 0 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
nav { margin-top: 14px; font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 16px; }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { margin-top: 28px; }
section h2 { font-size: 17px; font-weight: 650; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure.chart { margin: 0; background: white; border: 1px solid var(--line); border-radius: 6px; padding: 8px; max-width: 100%; overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; max-width: 480px; }
.table-wrap { overflow-x: auto; margin: 12px 0; }
table { border-collapse: collapse; background: white; border: 1px solid var(--line); font-size: 13px; }
caption { text-align: left; color: var(--muted); padding: 4px 0; caption-side: top; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { color: var(--muted); font-size: 12px; padding: 16px 32px 32px; }
`;

export function renderPage(spec: PageSpec): string {
  const names = spec.sections.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'figures' ? b.figures.map((f) => f.name) : [])));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`two figures on one page are both named "${dup}"; their SVG ids would clash`);
  const cards = spec.summary
    .map((c) => `<div class="card"><div class="label">${escapeHtml(c.label)}</div><div class="value">${escapeHtml(c.value)}</div></div>`)
    .join('');
  const nav = spec.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  const sections = spec.sections
    .map((s) => `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(renderBlock).join('\n')}\n</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(spec.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(spec.title)}</h1>
${spec.subtitle ? `<p class="subtitle">${escapeHtml(spec.subtitle)}</p>` : ''}
<div class="cards">${cards}</div>
<nav>${nav}</nav>
</header>
<main>
${sections}
</main>
${spec.footer ? `<footer>${escapeHtml(spec.footer)}</footer>` : ''}
</body>
</html>
`;
}

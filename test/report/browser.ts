/**
 * Opens a self-contained page in real headless Chromium and reports what a reader would see:
 * each chart's size and drawn marks, console errors, and every request other than the page
 * itself (all of which are refused, so a page that needs the network shows it here).
 */
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ChartCheck {
  name: string;
  width: number;
  height: number;
  /** Items drawn inside Vega's mark groups (bars, rects, lines, symbols, texts). */
  marks: number;
}

export interface PageCheck {
  title: string;
  charts: ChartCheck[];
  /** Figures without an <svg>. */
  figuresWithoutSvg: string[];
  consoleErrors: string[];
  /** Requests for anything but the page file; each was refused. */
  blockedRequests: string[];
}

/** Runs in the page (a string, since this project compiles without DOM types). */
const COLLECT_CHARTS = `(() => {
  const charts = [];
  const figuresWithoutSvg = [];
  for (const f of document.querySelectorAll('figure.chart')) {
    const name = f.getAttribute('data-chart') || '(unnamed)';
    const svg = f.querySelector('svg');
    if (!svg) { figuresWithoutSvg.push(name); continue; }
    const box = svg.getBoundingClientRect();
    const marks = [...svg.querySelectorAll('g.role-mark > *')].filter((el) => {
      const b = el.getBBox();
      return b.width > 0 || b.height > 0;
    }).length;
    charts.push({ name, width: box.width, height: box.height, marks });
  }
  return { title: document.title, charts, figuresWithoutSvg };
})()`;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export async function checkPageInBrowser(htmlPath: string, opts: { screenshot?: string; browser?: Browser } = {}): Promise<PageCheck> {
  const browser = opts.browser ?? (await launchBrowser());
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const pageUrl = pathToFileURL(htmlPath).href;
    const blocked = new Set<string>();
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url === pageUrl) return route.continue();
      blocked.add(url);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => {
      // Requests that bypass routing (other schemes) count too.
      if (r.url() !== pageUrl) blocked.add(r.url());
    });
    await page.goto(pageUrl, { waitUntil: 'load' });
    const result = (await page.evaluate(COLLECT_CHARTS)) as Pick<PageCheck, 'title' | 'charts' | 'figuresWithoutSvg'>;
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: true });
    await context.close();
    return { ...result, consoleErrors, blockedRequests: [...blocked] };
  } finally {
    if (!opts.browser) await browser.close();
  }
}

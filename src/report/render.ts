/**
 * Vega-Lite spec -> SVG text, in Node, without a browser: vega-lite compiles to a Vega spec and a
 * headless Vega view (renderer 'none') serialises its scene graph. Text widths are estimated by
 * Vega (no canvas in Node), which also makes the output byte-for-byte reproducible.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG } from './theme.js';

export type ChartSpec = TopLevelSpec;

export async function renderSvg(spec: ChartSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const view = new View(parse(compile(withConfig).spec), { renderer: 'none' });
  try {
    return renumberIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Vega numbers gradients and clip paths with process-wide counters, so the same chart would get
 * `gradient_3` or `gradient_7` depending on what was rendered before. Renumbering them per SVG in
 * order of appearance makes the output depend on the spec alone.
 */
export function renumberIds(svg: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!ids.has(m[1])) ids.set(m[1], `${m[1].replace(/_?\d+$/, '')}-${ids.size}`);
  }
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (all, lead: string, id: string) => {
    const to = ids.get(id);
    return to === undefined ? all : `${lead}${to}`;
  });
}

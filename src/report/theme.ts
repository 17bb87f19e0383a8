/**
 * One look for every chart, in the spirit of Observable Plot: no frame, light grid, plain
 * system fonts, left-aligned titles.
 */
import type { Config } from 'vega-lite';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

export const COLORS = {
  bar: '#4269d0',
  train: '#4269d0',
  validation: '#ff725c',
  scores: ['#4269d0', '#efb118', '#3ca951'],
  text: '#222',
  muted: '#666',
};

export const CHART_CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    titleColor: COLORS.muted,
    labelColor: COLORS.text,
    domainColor: '#888',
    tickColor: '#888',
    gridColor: '#eee',
  },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', titleColor: COLORS.muted },
  title: { fontSize: 13, fontWeight: 600, anchor: 'start', color: COLORS.text, subtitleColor: COLORS.muted, subtitleFontSize: 11 },
  bar: { color: COLORS.bar },
};

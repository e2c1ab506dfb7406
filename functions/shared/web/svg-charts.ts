import { Html, html } from './html.ts';

/**
 * Charts drawn on the server as inline SVG: no script, printable, readable by a screen reader.
 * Each chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>` (which
 * states every figure in words), and every figure is also drawn as text beside its mark, so
 * nothing is told by colour alone. Plain functions of plain data; the caller supplies the words
 * in the page's language.
 */

/** Colours with at least 3:1 contrast against white (WCAG 1.4.11, graphical objects). */
export const CHART_COLOURS = {
  line: '#1a56c4',
  target: '#5f6368',
  marker: '#a50e0e',
  majorOpen: '#a50e0e',
  generalOpen: '#b35c00',
  majorClosed: '#137333',
  generalClosed: '#4f7f5c',
} as const;

const FONT = new Html('font-family="system-ui,sans-serif"');

/** A rounded number for a label: integers as is, others to one decimal. */
const num = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

export interface LineChartProps {
  /** Unique on the page: the ids of the title and the description derive from it. */
  id: string;
  title: string;
  description: string;
  /** One label per point, e.g. the campaign days. */
  xLabels: readonly string[];
  values: readonly number[];
  /** A horizontal line the values work towards (how many must file), with its label. */
  target?: { value: number; label: string };
  /** A vertical line at one point (the due date), with its label. */
  marker?: { index: number; label: string };
  width?: number;
  height?: number;
}

/**
 * A line over time (a cumulative count per day), with an optional target line and marker. The
 * last value is written at the line's end, the target's value on its line.
 */
export function lineChart(props: LineChartProps): Html {
  const width = props.width ?? 640;
  const height = props.height ?? 240;
  const m = { top: 24, right: 96, bottom: 36, left: 44 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const n = Math.max(1, props.values.length);
  const yMax = Math.max(1, props.target?.value ?? 0, ...props.values);
  const x = (i: number) => m.left + (n === 1 ? plotW : (i * plotW) / (n - 1));
  const y = (v: number) => m.top + plotH - (v / yMax) * plotH;
  const points = props.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const ticks = [...new Set([0, Math.round(yMax / 2), yMax])];
  // Up to six day labels, evenly spread, always the first and the last.
  const step = Math.max(1, Math.ceil((n - 1) / 5));
  const xTicks = [
    ...new Set([...Array.from({ length: n }, (_, i) => i).filter((i) => i % step === 0), n - 1]),
  ];
  const last = props.values.at(-1);
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;
  return html`<svg class="chart" id="${props.id}" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" ${FONT} font-size="12">
<title id="${titleId}">${props.title}</title><desc id="${descId}">${props.description}</desc>
<g stroke="#d0d4d9" stroke-width="1">${ticks.map((t) => html`<line x1="${m.left}" x2="${m.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/>`)}</g>
<g fill="#3c4043" text-anchor="end">${ticks.map((t) => html`<text x="${m.left - 6}" y="${(y(t) + 4).toFixed(1)}">${num(t)}</text>`)}</g>
<g fill="#3c4043" text-anchor="middle">${xTicks.map((i) => html`<text x="${x(i).toFixed(1)}" y="${height - m.bottom + 18}">${props.xLabels[i] ?? ''}</text>`)}</g>
${
  props.target
    ? html`<line class="target" x1="${m.left}" x2="${m.left + plotW}" y1="${y(props.target.value).toFixed(1)}" y2="${y(props.target.value).toFixed(1)}" stroke="${CHART_COLOURS.target}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="${m.left + plotW + 6}" y="${(y(props.target.value) + 4).toFixed(1)}" fill="${CHART_COLOURS.target}">${props.target.label}</text>`
    : ''
}
${
  props.marker && props.marker.index >= 0 && props.marker.index < n
    ? html`<line class="marker" x1="${x(props.marker.index).toFixed(1)}" x2="${x(props.marker.index).toFixed(1)}" y1="${m.top}" y2="${m.top + plotH}" stroke="${CHART_COLOURS.marker}" stroke-width="1" stroke-dasharray="2 3"/><text x="${x(props.marker.index).toFixed(1)}" y="${m.top - 8}" text-anchor="middle" fill="${CHART_COLOURS.marker}">${props.marker.label}</text>`
    : ''
}
${props.values.length > 0 ? html`<polyline class="series" points="${points}" fill="none" stroke="${CHART_COLOURS.line}" stroke-width="2.5" stroke-linejoin="round"/>` : ''}
${last !== undefined ? html`<text class="last" x="${(x(n - 1) + 6).toFixed(1)}" y="${(y(last) - 6).toFixed(1)}" fill="${CHART_COLOURS.line}" font-weight="bold">${num(last)}</text>` : ''}
</svg>`;
}

export interface BarSegment {
  name: string;
  colour: string;
}

export interface StackedBarChartProps {
  id: string;
  title: string;
  description: string;
  /** The segments each bar is made of, in drawing order (the legend follows it). */
  segments: readonly BarSegment[];
  /** One bar per category: its label, one value per segment, and the text written under it. */
  bars: readonly { label: string; values: readonly number[]; text: string }[];
  width?: number;
}

/**
 * Horizontal stacked bars, one per category, with the category's label above its bar and its
 * figures written in words beside it: the bar shows proportion, the text gives the numbers.
 */
export function stackedBarChart(props: StackedBarChartProps): Html {
  const width = props.width ?? 640;
  const rowH = 44;
  const legendH = 28;
  const height = legendH + props.bars.length * rowH + 8;
  const left = 8;
  const barW = width * 0.55;
  const max = Math.max(1, ...props.bars.map((b) => b.values.reduce((s, v) => s + v, 0)));
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;
  let legendX = left;
  const legend = props.segments.map((s) => {
    const at = legendX;
    legendX += 28 + s.name.length * 13;
    return html`<rect x="${at}" y="6" width="14" height="14" fill="${s.colour}"/><text x="${at + 18}" y="18">${s.name}</text>`;
  });
  return html`<svg class="chart" id="${props.id}" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" ${FONT} font-size="12">
<title id="${titleId}">${props.title}</title><desc id="${descId}">${props.description}</desc>
<g fill="#3c4043">${legend}</g>
${props.bars.map((bar, row) => {
  const top = legendH + row * rowH;
  let at = left;
  const rects = bar.values.map((v, i) => {
    const w = (v / max) * barW;
    const rect =
      v > 0
        ? html`<rect x="${at.toFixed(1)}" y="${top + 18}" width="${Math.max(1, w).toFixed(1)}" height="16" fill="${props.segments[i]?.colour ?? '#999'}"/>`
        : '';
    at += w;
    return rect;
  });
  return html`<g class="bar"><text x="${left}" y="${top + 13}" fill="#1a1a1a">${bar.label}</text>${rects}<text x="${(at + 6).toFixed(1)}" y="${top + 31}" fill="#3c4043">${bar.text}</text></g>`;
})}
</svg>`;
}

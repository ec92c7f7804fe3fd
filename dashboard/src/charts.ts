import uPlot from 'uplot';
import { CHART_COLORS, CHART_HEIGHT_PX } from './config.js';
import { h } from './dom.js';
import { dateTimeText } from './format.js';

/** Time-series line charts on uPlot: one figure per chart, sized to its column, resized with it. */

export interface ChartSeries {
  label: string;
  values: readonly (number | null)[];
  dash?: number[];
}

export interface ChartSpec {
  /** Stable id: data-chart attribute (the browser test finds charts by it). */
  id: string;
  title: string;
  /** One line under the title: what the numbers are and where they come from. */
  note: string;
  xsMs: readonly number[];
  series: readonly ChartSeries[];
  format: (value: number) => string;
  /** Axis labels, when they need to be shorter than the legend's values (prices: $150K, not $150,012.34). */
  axisFormat?: (value: number) => string;
}

export interface Chart {
  node: HTMLElement;
  /** Draws the chart; call once the figure is in the document (it measures its width). */
  mount(): void;
  destroy(): void;
}

const AXIS = { stroke: '#374151', grid: { stroke: '#e5e7eb', width: 1 }, ticks: { stroke: '#d1d5db', width: 1 }, font: '11px system-ui, sans-serif' };

/** uPlot's US date stamps ("{M}/{D}/{YY}", "{h}:{mm}{aa}") in the page's own style: 2026-11-25, 15:00. */
export function isoStamp(template: string): string {
  return template
    .replace(/\{M\}\/\{D\}\/\{YY\}/g, '{YYYY}-{MM}-{DD}')
    .replace(/\{M\}\/\{D\}/g, '{MM}-{DD}')
    .replace(/\{h\}:\{mm\}/g, '{HH}:{mm}')
    .replace(/\{h\}\{aa\}/g, '{HH}:00')
    .replace(/\{aa\}/g, '');
}

function lastValue(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i]!;
  return null;
}

function summary(spec: ChartSpec): string {
  const first = spec.xsMs[0];
  const last = spec.xsMs[spec.xsMs.length - 1];
  if (first === undefined || last === undefined) return `${spec.title}: no data`;
  const latest = spec.series
    .map((s) => {
      const value = lastValue(s.values);
      return value === null ? null : `${s.label} ${spec.format(value)}`;
    })
    .filter((text) => text !== null);
  return `${spec.title}: ${spec.xsMs.length} points from ${dateTimeText(first)} to ${dateTimeText(last)}; latest ${latest.join(', ')}`;
}

export function lineChart(spec: ChartSpec): Chart {
  const colors = spec.series.map((_, i) => CHART_COLORS[i % CHART_COLORS.length]!);
  const body = h('div', { class: 'chart-body', role: 'img', 'aria-label': summary(spec) });
  const node = h(
    'figure',
    { class: 'chart', 'data-chart': spec.id, 'data-points': spec.xsMs.length, 'data-series-colors': colors.join(',') },
    h('figcaption', null, h('span', { class: 'chart-title' }, spec.title), h('span', { class: 'chart-note' }, spec.note)),
    body,
  );
  let plot: uPlot | null = null;
  let observer: ResizeObserver | null = null;
  // Few points: draw them as dots too, so a single version still shows.
  const showPoints = spec.xsMs.length <= 60;

  return {
    node,
    mount() {
      if (plot) return;
      const width = Math.max(240, Math.floor(body.clientWidth));
      const options: uPlot.Options = {
        width,
        height: CHART_HEIGHT_PX,
        // Timestamps in seconds (uPlot's default); labels in UTC like every date on the page.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1e3), 'Etc/UTC'),
        fmtDate: (template) => uPlot.fmtDate(isoStamp(template)),
        scales: { x: { time: true } },
        cursor: { drag: { x: true, y: false } },
        legend: { live: true },
        series: [
          { label: 'time (UTC)', value: (_u, seconds, _s, idx) => (idx === null || seconds === null ? 'latest' : dateTimeText(seconds * 1e3)) },
          ...spec.series.map((s, i) => ({
            label: s.label,
            stroke: colors[i]!,
            width: 1.5,
            ...(s.dash ? { dash: s.dash } : {}),
            spanGaps: false,
            points: { show: showPoints, size: 5, fill: colors[i]! },
            // Off the plot the legend shows the latest value instead of a blank.
            value: (_u: uPlot, value: number | null, _s: number, idx: number | null) => {
              const shown = idx === null ? lastValue(s.values) : value;
              return shown === null ? '-' : spec.format(shown);
            },
          })),
        ],
        axes: [
          { ...AXIS },
          { ...AXIS, size: 64, values: (_u, splits) => splits.map((v) => (spec.axisFormat ?? spec.format)(v)) },
        ],
      };
      const data: uPlot.AlignedData = [spec.xsMs.map((ms) => ms / 1e3), ...spec.series.map((s) => [...s.values])];
      plot = new uPlot(options, data, body);
      observer = new ResizeObserver(() => {
        const next = Math.max(240, Math.floor(body.clientWidth));
        if (plot && next !== plot.width) plot.setSize({ width: next, height: CHART_HEIGHT_PX });
      });
      observer.observe(body);
    },
    destroy() {
      observer?.disconnect();
      plot?.destroy();
      plot = null;
    },
  };
}

import { MS_PER_DAY as DAY_MS } from '../util/time.js';
import { NAMED_EVENTS, type NamedEvent } from './events.js';
import type { SeriesResult, StepRecord } from './walkforward.js';

/**
 * One hand-written SVG per series: the price (log scale) with breaches marked, and below it the
 * recommended parameters over time (lending: LT target, LT applied by the steward, LTV, naive LT;
 * perps: maintenance margin target, applied, naive). Named events are shaded. No dependency; the output
 * is small (price thinned to one point per pixel, parameters drawn as step lines with change points only).
 */

const WIDTH = 960;
const HEIGHT = 540;
const LEFT = 64;
const RIGHT = 20;
const PRICE_TOP = 48;
const PRICE_BOTTOM = 270;
const PARAM_TOP = 300;
const PARAM_BOTTOM = 490;
/** Steps further apart than this are a gap: lines break there. */
const GAP_MS = 2 * DAY_MS;

const COLORS = {
  price: '#333',
  target: '#1f5fbf',
  applied: '#1f5fbf',
  emergency: '#e8731a',
  ltv: '#2a9d55',
  naive: '#999',
  breach: '#d62728',
  naiveBreach: '#999',
  event: '#f3c969',
};

const fmt = (v: number) => (Math.round(v * 10) / 10).toString();
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Scale {
  (value: number): number;
}

function linear(domainLo: number, domainHi: number, rangeLo: number, rangeHi: number): Scale {
  const span = domainHi - domainLo || 1;
  return (v) => rangeLo + ((v - domainLo) / span) * (rangeHi - rangeLo);
}

/** A step line through (x, y) change points, broken where consecutive points are a gap apart. */
function stepPath(points: readonly { atMs: number; value: number }[], x: Scale, y: Scale): string {
  let d = '';
  let previous: { atMs: number; value: number } | null = null;
  for (const p of points) {
    if (!Number.isFinite(p.value)) {
      previous = null;
      continue;
    }
    if (!previous || p.atMs - previous.atMs > GAP_MS) {
      if (previous) d += `H${fmt(x(previous.atMs + DAY_MS))}`;
      d += `M${fmt(x(p.atMs))} ${fmt(y(p.value))}`;
    } else if (p.value !== previous.value) {
      d += `H${fmt(x(p.atMs))}V${fmt(y(p.value))}`;
    }
    previous = p;
  }
  if (previous) d += `H${fmt(x(previous.atMs + DAY_MS))}`;
  return d;
}

/** A polyline thinned to one point per pixel column, broken at gaps. */
function thinPath(points: readonly { atMs: number; value: number }[], x: Scale, y: Scale): string {
  let d = '';
  let previous: { atMs: number } | null = null;
  let lastX = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    const px = x(p.atMs);
    const gap = !previous || p.atMs - previous.atMs > GAP_MS;
    if (gap) {
      d += `M${fmt(px)} ${fmt(y(p.value))}`;
      lastX = px;
    } else if (px - lastX >= 1) {
      d += `L${fmt(px)} ${fmt(y(p.value))}`;
      lastX = px;
    }
    previous = p;
  }
  return d;
}

/** 1-2-5 ticks, or every integer multiple when the range is too narrow for three of those. */
function logTicks(lo: number, hi: number): number[] {
  const pick = (multiples: readonly number[]) => {
    const ticks: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of multiples) {
        const v = m * 10 ** e;
        if (v >= lo && v <= hi) ticks.push(Number(v.toPrecision(6)));
      }
    }
    return ticks;
  };
  const coarse = pick([1, 2, 5]);
  return coarse.length >= 3 ? coarse : pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

function timeTicks(fromMs: number, toMs: number): { atMs: number; label: string }[] {
  const ticks: { atMs: number; label: string }[] = [];
  const years = (toMs - fromMs) / (365 * DAY_MS);
  const start = new Date(fromMs);
  // Yearly ticks for long ranges, quarterly for a year or two, monthly below.
  const months = years > 3 ? 12 : years > 1 ? 3 : 1;
  let y = start.getUTCFullYear();
  let m = Math.ceil(start.getUTCMonth() / months) * months;
  for (;;) {
    if (m >= 12) {
      y += Math.floor(m / 12);
      m %= 12;
    }
    const at = Date.UTC(y, m, 1);
    if (at > toMs) break;
    if (at >= fromMs) ticks.push({ atMs: at, label: months === 12 ? String(y) : `${y}-${String(m + 1).padStart(2, '0')}` });
    m += months;
  }
  return ticks;
}

function priceLabel(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  return String(v);
}

/** The chart of one series as an SVG document. */
export function seriesChartSvg(result: SeriesResult, events: readonly NamedEvent[] = NAMED_EVENTS): string {
  const steps = result.steps.filter((s) => s.status === 'ok');
  const lending = result.profileKind === 'lending';
  const title = `${result.id} · ${result.profileId} · ${result.barLabel} bars · horizon ${horizonLabel(result.horizonMinutes)} · alpha ${result.confidence}`;
  if (steps.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="80"><text x="10" y="40" font-family="sans-serif" font-size="14">${escapeXml(title)}: no evaluated step</text></svg>\n`;
  }
  const fromMs = steps[0]!.atMs;
  const toMs = steps[steps.length - 1]!.atMs + DAY_MS;
  const x = linear(fromMs, toMs, LEFT, WIDTH - RIGHT);
  const prices = steps.map((s) => s.price).filter((p) => p > 0);
  const priceLo = Math.min(...prices) * 0.9;
  const priceHi = Math.max(...prices) * 1.1;
  const yPriceLog = linear(Math.log(priceLo), Math.log(priceHi), PRICE_BOTTOM, PRICE_TOP);
  const yPrice: Scale = (v) => yPriceLog(Math.log(v));

  type Line = 'target' | 'applied' | 'emergency' | 'naive' | 'ltv';
  const param = (s: StepRecord, which: Line): number => {
    const r = s.recommendation;
    if (r.kind === 'lending') return which === 'ltv' ? r.target.ltvBps / 100 : r[which].ltBps / 100;
    return which === 'ltv' ? Number.NaN : r[which].mmrBps / 100;
  };
  const series = (which: Line) => steps.map((s) => ({ atMs: s.atMs, value: param(s, which) }));
  const lines: Line[] = ['target', 'applied', 'emergency', 'naive', 'ltv'];
  const values = steps.flatMap((s) => lines.map((w) => param(s, w))).filter(Number.isFinite);
  const step = lending ? 5 : 0.5;
  const paramLo = Math.floor(Math.min(...values) / step) * step;
  const paramHi = Math.ceil(Math.max(...values) / step) * step;
  const yParam = linear(paramLo, paramHi === paramLo ? paramLo + step : paramHi, PARAM_BOTTOM, PARAM_TOP);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`);
  out.push(`<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);

  // Named events: shaded bands across both panels; a label that would run into the previous one goes a line up.
  let labelEnd = Number.NEGATIVE_INFINITY;
  let labelRow = 0;
  for (const e of events) {
    if (e.toMs + DAY_MS < fromMs || e.fromMs > toMs) continue;
    const x0 = x(Math.max(fromMs, e.fromMs));
    const x1 = Math.max(x0 + 2, x(Math.min(toMs, e.toMs + DAY_MS)));
    labelRow = x0 < labelEnd ? 1 - labelRow : 0;
    labelEnd = x0 + e.label.length * 5.5;
    out.push(`<rect x="${fmt(x0)}" y="${PRICE_TOP}" width="${fmt(x1 - x0)}" height="${PARAM_BOTTOM - PRICE_TOP}" fill="${COLORS.event}" opacity="0.5"/>`);
    const atRightEdge = x0 + e.label.length * 5.5 > WIDTH - RIGHT;
    out.push(
      `<text x="${fmt(atRightEdge ? x1 : x0 + 2)}" y="${PRICE_TOP - 4 - labelRow * 11}" font-size="10"${atRightEdge ? ' text-anchor="end"' : ''}>${escapeXml(e.label)}</text>`,
    );
  }

  // Axes and grid.
  for (const t of timeTicks(fromMs, toMs)) {
    const tx = fmt(x(t.atMs));
    out.push(`<line x1="${tx}" x2="${tx}" y1="${PRICE_TOP}" y2="${PARAM_BOTTOM}" stroke="#eee"/>`);
    out.push(`<text x="${tx}" y="${PARAM_BOTTOM + 14}" text-anchor="middle">${t.label}</text>`);
  }
  for (const v of logTicks(priceLo, priceHi)) {
    const ty = fmt(yPrice(v));
    out.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${ty}" y2="${ty}" stroke="#eee"/><text x="${LEFT - 4}" y="${ty}" text-anchor="end" dy="3">${priceLabel(v)}</text>`);
  }
  for (let v = paramLo; v <= paramHi + 1e-9; v += step) {
    const ty = fmt(yParam(v));
    out.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${ty}" y2="${ty}" stroke="#eee"/><text x="${LEFT - 4}" y="${ty}" text-anchor="end" dy="3">${Number(v.toFixed(2))} %</text>`);
  }
  out.push(`<rect x="${LEFT}" y="${PRICE_TOP}" width="${WIDTH - RIGHT - LEFT}" height="${PRICE_BOTTOM - PRICE_TOP}" fill="none" stroke="#999"/>`);
  out.push(`<rect x="${LEFT}" y="${PARAM_TOP}" width="${WIDTH - RIGHT - LEFT}" height="${PARAM_BOTTOM - PARAM_TOP}" fill="none" stroke="#999"/>`);
  out.push(`<text x="12" y="${(PRICE_TOP + PRICE_BOTTOM) / 2}" transform="rotate(-90 12 ${(PRICE_TOP + PRICE_BOTTOM) / 2})" text-anchor="middle">price (log)</text>`);
  out.push(`<text x="12" y="${(PARAM_TOP + PARAM_BOTTOM) / 2}" transform="rotate(-90 12 ${(PARAM_TOP + PARAM_BOTTOM) / 2})" text-anchor="middle">${lending ? 'LT / LTV' : 'maintenance margin'}</text>`);

  // Price and breaches (per day: engine breach red; a baseline-only breach grey).
  out.push(`<path d="${thinPath(steps.map((s) => ({ atMs: s.atMs, value: s.price })), x, yPrice)}" fill="none" stroke="${COLORS.price}" stroke-width="1"/>`);
  for (const s of steps) {
    const b = s.outcome.breaches;
    if (b.target === 0 && b.naive === 0) continue;
    const cx = fmt(x(s.atMs + DAY_MS / 2));
    const cy = fmt(yPrice(s.price));
    if (b.target > 0) out.push(`<circle cx="${cx}" cy="${cy}" r="${fmt(2.5 + Math.log2(b.target))}" fill="${COLORS.breach}" opacity="0.85"><title>${isoDay(s.atMs)}: ${b.target} engine, ${b.naive} naive breach(es), worst ${(s.outcome.worstMove * 100).toFixed(1)} %</title></circle>`);
    else out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="none" stroke="${COLORS.naiveBreach}"><title>${isoDay(s.atMs)}: ${b.naive} naive breach(es), none for the engine, worst ${(s.outcome.worstMove * 100).toFixed(1)} %</title></circle>`);
  }

  // Parameters.
  out.push(`<path d="${stepPath(series('naive'), x, yParam)}" fill="none" stroke="${COLORS.naive}" stroke-width="1"/>`);
  if (lending) out.push(`<path d="${stepPath(series('ltv'), x, yParam)}" fill="none" stroke="${COLORS.ltv}" stroke-width="1"/>`);
  out.push(`<path d="${stepPath(series('target'), x, yParam)}" fill="none" stroke="${COLORS.target}" stroke-width="1.2"/>`);
  out.push(`<path d="${stepPath(series('emergency'), x, yParam)}" fill="none" stroke="${COLORS.emergency}" stroke-width="1" stroke-dasharray="1 2"/>`);
  out.push(`<path d="${stepPath(series('applied'), x, yParam)}" fill="none" stroke="${COLORS.applied}" stroke-width="1.2" stroke-dasharray="4 3"/>`);

  // Legend.
  const legend: [string, string, string][] = [
    [COLORS.target, '', lending ? 'LT target (engine)' : 'MMR target (engine)'],
    [COLORS.applied, '4 3', lending ? 'LT applied (steward steps)' : 'MMR applied (steward steps)'],
    [COLORS.emergency, '1 2', 'with emergency vote'],
    ...(lending ? ([[COLORS.ltv, '', 'LTV target']] as [string, string, string][]) : []),
    [COLORS.naive, '', lending ? 'LT naive baseline' : 'MMR naive baseline'],
  ];
  let lx = LEFT;
  const ly = HEIGHT - 22;
  for (const [color, dash, label] of legend) {
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/><text x="${lx + 22}" y="${ly + 4}">${label}</text>`);
    lx += 30 + label.length * 6;
  }
  out.push(`<circle cx="${fmt(lx + 6)}" cy="${ly}" r="3" fill="${COLORS.breach}"/><text x="${fmt(lx + 14)}" y="${ly + 4}">engine breaches</text>`);
  lx += 110;
  out.push(`<circle cx="${fmt(lx + 6)}" cy="${ly}" r="3" fill="none" stroke="${COLORS.naiveBreach}"/><text x="${fmt(lx + 14)}" y="${ly + 4}">baseline-only</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function horizonLabel(minutes: number): string {
  if (minutes >= 1440 && minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

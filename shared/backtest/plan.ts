/**
 * Which series of a data directory the backtest runs, under which profile kind (file names as in
 * ../shared/data/SOURCES.md):
 * - `<SYM>-USDT-1h.csv`: Binance spot hourly -> lending (4 h horizon), series `SYM`;
 * - `perp/<SYM>-USDT-1h.csv`: Binance USD-M perpetual hourly -> lending too, series `SYM-PERP` (perp prices
 *   stand in for spot where spot has a hole, e.g. BTC in Nov 2022);
 * - `<SYM>-USD-1d.csv` / `<SYM>-USDT-1d.csv`: daily bars -> lending on a one-day horizon, series `SYM-1D`,
 *   reported separately (timescale.ts);
 * - `<SYM>-USDT-5m.csv`: spot 5-minute -> perps (5 min horizon), series `SYM`.
 * Other files (15-minute bars: no profile runs on them) are listed as skipped with the reason.
 */

export type BarLabel = '1h' | '5m' | '1d';

export interface SeriesPlan {
  id: string;
  asset: string;
  /** Path relative to the data directory. */
  file: string;
  barLabel: BarLabel;
  profileKind: 'lending' | 'perp';
}

export interface Plan {
  series: SeriesPlan[];
  skipped: { file: string; reason: string }[];
}

const RULES: { pattern: RegExp; barLabel: BarLabel; profileKind: 'lending' | 'perp'; suffix: string }[] = [
  { pattern: /^([A-Z0-9]+)-USDT-1h\.csv$/, barLabel: '1h', profileKind: 'lending', suffix: '' },
  { pattern: /^perp\/([A-Z0-9]+)-USDT-1h\.csv$/, barLabel: '1h', profileKind: 'lending', suffix: '-PERP' },
  { pattern: /^([A-Z0-9]+)-USDT?-1d\.csv$/, barLabel: '1d', profileKind: 'lending', suffix: '-1D' },
  { pattern: /^([A-Z0-9]+)-USDT-5m\.csv$/, barLabel: '5m', profileKind: 'perp', suffix: '' },
];

export interface PlanFilter {
  /** Asset symbols to keep (empty: all). */
  assets?: readonly string[];
  /** Profile kinds to run (empty: both). */
  kinds?: readonly ('lending' | 'perp')[];
}

/** The series to run from a list of candle files (paths relative to the data directory). */
export function planSeries(files: readonly string[], filter: PlanFilter = {}): Plan {
  const assets = new Set((filter.assets ?? []).map((a) => a.toUpperCase()));
  const kinds = new Set(filter.kinds ?? []);
  const plan: Plan = { series: [], skipped: [] };
  for (const file of [...files].sort()) {
    if (!file.endsWith('.csv')) continue;
    const rule = RULES.find((r) => r.pattern.test(file));
    if (!rule) {
      plan.skipped.push({ file, reason: 'no profile runs on this bar interval or pair' });
      continue;
    }
    const asset = rule.pattern.exec(file)![1]!;
    if (assets.size > 0 && !assets.has(asset)) continue;
    if (kinds.size > 0 && !kinds.has(rule.profileKind)) continue;
    plan.series.push({ id: `${asset}${rule.suffix}`, asset, file, barLabel: rule.barLabel, profileKind: rule.profileKind });
  }
  return plan;
}

/** Number formatting for rationales, proposals, the CLI and the dashboard (pure; en-US so output is the same everywhere). */

/** 0.1534 -> "15.34 %" with `digits` decimals (default 2). */
export function formatPct(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** 1234567 -> "$1.23M"; compact so tables stay narrow (proposals, CLI, reasons; the dashboard uses usdCompactText). */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd);
  if (abs >= 1e9) return `$${(usd / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `$${(usd / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `$${(usd / 1e3).toFixed(1)}k`;
  return `$${usd.toFixed(2)}`;
}

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const FRACTION = [0, 1, 2, 3, 4].map((digits) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));

/** 12345 -> "12,345"; one cached formatter (Number#toLocaleString builds one per call, which is slow). */
export function formatCount(value: number): string {
  return INTEGER.format(value);
}

/** A plain number with at most `digits` (0-4) decimals, en-US grouping. */
export function formatNumber(value: number, digits: number): string {
  return FRACTION[Math.max(0, Math.min(4, digits))]!.format(value);
}

const USD_COMPACT = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 3 });
const USD_PLAIN = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });

/** The dashboard's compact USD, three significant digits: 2.58e9 -> "$2.58B", 48_000 -> "$48K" (formatUsd: "$48.0k"). */
export function usdCompactText(usd: number): string {
  return USD_COMPACT.format(usd);
}

/** Prices: "$64,210.5" above $1, "$0.1234" below (four significant digits). */
export function usdPrice(usd: number): string {
  if (Math.abs(usd) >= 1) return USD_PLAIN.format(usd);
  return `$${usd.toPrecision(4)}`;
}

import { AdvisorError } from '../util/errors.js';
import { SMALLEST_SIM_VENUE_SHARE } from './constants.js';
import type { BookObservation } from './books.js';
import { isoDate } from './format.js';
import { median } from './moments.js';

/** Not one recorded USD/USDT spot book of any asset: depth and spread would have nothing to stand on. */
export class NoUsableBookError extends AdvisorError {
  constructor() {
    super('CALIBRATION_NO_USABLE_BOOK', 'no usable USD/USDT order book for any asset');
  }
}

export interface LiquidityEstimate {
  depth2PctUsd: number;
  spreadBps: number;
  /** Depth of the deepest observed venue in hours of Binance volume (the asset's own, or the pooled median). */
  depthHoursOfVolume: number;
  /** spread x sqrt(hourly USD volume): the volume-free spread coefficient. */
  spreadCoefficient: number;
  recentHourlyUsdVolume: number;
  source: string;
}

/**
 * Books are 2021-2022 snapshots of second-tier venues, so they are used through volume-free ratios:
 * depth in hours of Binance volume (deepest venue) and spread x sqrt(volume) (median venue), measured at the
 * snapshot and applied to the last 90 days' volume. Assets without a usable book take the median ratios.
 */
export function estimateLiquidity(
  symbols: readonly string[],
  books: readonly BookObservation[],
  recentVolume: ReadonlyMap<string, number>,
): Map<string, LiquidityEstimate> {
  const usable = books.filter((b) => b.kind === 'spot' && b.bidDepth2PctUsd > 0);
  const own = new Map<string, { depthHours: number; spreadCoefficient: number; source: string }>();
  for (const symbol of symbols) {
    const mine = usable.filter((b) => b.asset === symbol);
    if (mine.length === 0) continue;
    own.set(symbol, {
      depthHours: Math.max(...mine.map((b) => b.bidDepth2PctUsd / b.binanceHourlyUsdVolume)),
      spreadCoefficient: median(mine.map((b) => b.spreadBps * Math.sqrt(b.binanceHourlyUsdVolume))),
      source: `books: ${mine.map((b) => `${b.exchange} ${b.pair} ${isoDate(b.recordedMs)}`).join(', ')}`,
    });
  }
  if (own.size === 0) throw new NoUsableBookError();
  const pooledDepthHours = median([...own.values()].map((o) => o.depthHours));
  const pooledSpreadCoefficient = median([...own.values()].map((o) => o.spreadCoefficient));
  const pooledFrom = [...own.keys()].join('/');
  const estimates = new Map<string, LiquidityEstimate>();
  for (const symbol of symbols) {
    const volume = recentVolume.get(symbol)!;
    const ratios = own.get(symbol) ?? {
      depthHours: pooledDepthHours,
      spreadCoefficient: pooledSpreadCoefficient,
      source: `no usable book: median ratios of ${pooledFrom} x own volume`,
    };
    estimates.set(symbol, {
      depth2PctUsd: (ratios.depthHours * volume) / SMALLEST_SIM_VENUE_SHARE,
      spreadBps: ratios.spreadCoefficient / Math.sqrt(volume),
      depthHoursOfVolume: ratios.depthHours,
      spreadCoefficient: ratios.spreadCoefficient,
      recentHourlyUsdVolume: volume,
      source: ratios.source,
    });
  }
  return estimates;
}

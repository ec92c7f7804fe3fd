import { RECENT_VOLUME_WINDOW_MS, type AssetSpec } from './constants.js';
import type { BookObservation } from './books.js';
import { calibrateAsset, type AssetResult } from './fit.js';
import { medianHourlyUsdVolume, type HourlyHistory } from './history.js';
import { estimateLiquidity } from './liquidity.js';

/**
 * The whole calibration once the files are read: liquidity from the books scaled to each asset's last
 * 90 days of volume, then the per-asset estimate, fit and validation (`onAsset` hears of each as it ends;
 * a run takes 15-30 s).
 */
export function calibrateAssets(
  assets: readonly AssetSpec[],
  histories: ReadonlyMap<string, HourlyHistory>,
  books: readonly BookObservation[],
  onAsset: (result: AssetResult) => void = () => {},
): AssetResult[] {
  const recentVolume = new Map(
    [...histories].map(([symbol, h]) => {
      const lastMs = h.candles[h.candles.length - 1]!.openTimeMs;
      return [symbol, medianHourlyUsdVolume(h.candles, lastMs - RECENT_VOLUME_WINDOW_MS, lastMs + 1)];
    }),
  );
  const liquidity = estimateLiquidity(assets.map((a) => a.symbol), books, recentVolume);
  return assets.map((spec) => {
    const result = calibrateAsset(spec, histories.get(spec.symbol)!, liquidity.get(spec.symbol)!);
    onAsset(result);
    return result;
  });
}

import type { Policy } from '../../config/schema.js';
import { meanOfSquares } from '../../numerics/statistics.js';
import { fitGarchOrEwma, horizonVariance, type GarchOrEwmaFit } from '../garch.js';
import { garmanKlassVolatility, parkinsonVolatility } from '../range.js';
import type { PriceSeries } from '../series.js';
import { ewmaLambdaFromHalfLife, ewmaVolatility, realizedVolatility } from '../volatility.js';
import type { VolatilityScores } from './types.js';

/**
 * The volatility scores of one (asset, profile), annualized: realized over the policy's windows, EWMA,
 * Parkinson and Garman-Klass over the range window, the GARCH(1,1)-t forecast (or its flagged EWMA
 * fallback) and the regime it implies.
 */

export type ReturnScores = Pick<VolatilityScores, 'realizedAnnualized' | 'ewmaAnnualized' | 'parkinsonAnnualized' | 'garmanKlassAnnualized' | 'forecast' | 'regime'>;

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** GARCH(1,1)-t, or EWMA when the fit is refused (garch.ts says why); null with fewer than two returns. */
export function fitForecast(returns: Float64Array, policy: Policy, barsPerDay: number): GarchOrEwmaFit | null {
  if (returns.length < 2) return null;
  return fitGarchOrEwma(returns, {
    ewmaHalfLifeBars: policy.ewmaHalfLifeDays * barsPerDay,
    minReturns: policy.garchMinReturns,
    ...policy.garch,
    includeResiduals: false,
  });
}

export function returnScores(
  segments: readonly PriceSeries[],
  returns: Float64Array,
  fit: GarchOrEwmaFit | null,
  bars: { perDay: number; horizon: number },
  policy: Policy,
): ReturnScores {
  const barsPerYear = bars.perDay * 365;
  const realized = {} as VolatilityScores['realizedAnnualized'];
  for (const [key, days] of Object.entries(policy.realizedWindowsDays) as [keyof Policy['realizedWindowsDays'], number][]) {
    const windowBars = days * bars.perDay;
    // A window counts only when enough of its returns exist (policy.realizedMinCoverageShare, 90 %).
    realized[key] = returns.length >= windowBars * policy.realizedMinCoverageShare ? realizedVolatility(returns, windowBars, barsPerYear) : null;
  }
  const rangeBars = policy.rangeWindowDays * bars.perDay;
  const horizonVolatility = fit ? Math.sqrt(horizonVariance(fit, bars.horizon)) : Number.NaN;

  const longRunVariance = fit?.model === 'garch' ? fit.longRunVariance : meanOfSquares(returns);
  const nextBarVariance = fit?.lastVariance ?? Number.NaN;
  const ratio = Math.sqrt(nextBarVariance / longRunVariance);
  const regime = !Number.isFinite(ratio) ? 'normal' : ratio > policy.stressedRegimeRatio ? 'stressed' : ratio < 1 / policy.stressedRegimeRatio ? 'calm' : 'normal';

  return {
    realizedAnnualized: realized,
    ewmaAnnualized: returns.length > 1 ? ewmaVolatility(returns, ewmaLambdaFromHalfLife(policy.ewmaHalfLifeDays * bars.perDay), barsPerYear, policy.garch.ewmaSeedBars) : null,
    parkinsonAnnualized: finiteOrNull(parkinsonVolatility(segments, rangeBars, barsPerYear)),
    garmanKlassAnnualized: finiteOrNull(garmanKlassVolatility(segments, rangeBars, barsPerYear)),
    forecast: {
      model: fit?.model ?? 'ewma-fallback',
      fallbackReason: fit ? (fit.model === 'garch' ? null : (fit.reason ?? 'EWMA fallback')) : 'fewer than two returns',
      alpha: fit?.alpha ?? 0,
      beta: fit?.beta ?? 0,
      nu: fit && Number.isFinite(fit.nu) ? fit.nu : null,
      persistence: fit?.persistence ?? 0,
      nextBarAnnualized: Number.isFinite(nextBarVariance) ? Math.sqrt(nextBarVariance * barsPerYear) : 0,
      longRunAnnualized: fit?.model === 'garch' ? Math.sqrt(fit.longRunVariance * barsPerYear) : null,
      horizonVolatility: Number.isFinite(horizonVolatility) ? horizonVolatility : 0,
    },
    regime,
  };
}

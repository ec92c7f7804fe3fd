import type { LendingParameters, LendingProfile } from '../../config/schema.js';
import { bpsToFraction } from '../../util/units.js';
import { sellableWithinSlippage } from '../liquidity.js';
import { simulateBadDebt, syntheticBook } from '../montecarlo.js';
import { dailyParkinsonVolatility } from '../range.js';
import { crossCheck, impliedConfidence, smartLtv } from '../smartltv.js';
import type { MergedLiquidity } from './liquidity-scores.js';
import { barsPerDayOf, type TailModel } from './tail.js';
import type { Gaps, LendingExtras, ParameterInputs } from './types.js';

/**
 * The checks beside a lending target, which do not move it: Risk DAO's SmartLTV on the same liquidity (and
 * the risk appetite c today's live parameters imply), and the bad debt of a synthetic book over the
 * filtered paths of the horizon.
 */

export interface LendingChecks {
  /** Daily Parkinson volatility, SmartLTV's sigma (NaN when the candles give none). */
  sigma: number;
  /** USD sellable on the merged book within the bonus in slippage. */
  liquidityAtBonusUsd: number;
  extras: LendingExtras;
}

export function lendingChecks(
  inputs: ParameterInputs,
  profile: LendingProfile,
  tail: TailModel,
  liq: MergedLiquidity,
  gaps: Gaps,
  computed: { target: LendingParameters; bonus: number; slippage: number },
): LendingChecks {
  const { target, bonus, slippage } = computed;
  const sigma = dailyParkinsonVolatility(tail.segments, barsPerDayOf(profile), inputs.policy.rangeWindowDays);
  const liquidityAtBonus = liq.mergedBids.length > 0 ? sellableWithinSlippage(liq.mergedBids, liq.midUsd, bonus) : 0;
  const smart = Number.isFinite(sigma) ? smartLtv({ sigma, liquidityUsd: liquidityAtBonus, debtCapUsd: target.supplyCapUsd, bonus, c: profile.smartLtvConfidence }) : 0;
  const check = crossCheck({ ourLtv: bpsToFraction(target.ltvBps), smartLtv: smart, thresholdPp: profile.smartLtvGapFlagPp });
  const current = profile.current[inputs.asset] ?? null;
  let impliedOfCurrent: number | null = null;
  if (current && Number.isFinite(sigma) && liq.mergedBids.length > 0) {
    const implied = impliedConfidence({
      ltv: bpsToFraction(current.ltvBps),
      bonus: bpsToFraction(current.liquidationBonusBps),
      sigma,
      liquidityUsd: sellableWithinSlippage(liq.mergedBids, liq.midUsd, bpsToFraction(current.liquidationBonusBps)),
      debtCapUsd: current.supplyCapUsd,
    });
    impliedOfCurrent = implied.status === 'implied' ? implied.c : null;
  }

  // Monte Carlo: a synthetic book spread up to LT, over the filtered paths of the horizon.
  const ltFraction = bpsToFraction(target.liquidationThresholdBps);
  const totalCollateralUsd = target.supplyCapUsd > 0 ? target.supplyCapUsd : profile.liquidationSizeUsd;
  const badDebt =
    ltFraction > 0 && tail.simulatedDrawdowns.length > 0
      ? simulateBadDebt({
          pathsWorstDrawdown: tail.simulatedDrawdowns,
          positions: syntheticBook({
            totalCollateralUsd,
            positions: profile.monteCarloPositions,
            liquidationThreshold: ltFraction,
            minLtvShareOfLt: profile.monteCarloMinLtvShareOfLt,
            maxLtvShareOfLt: profile.monteCarloMaxLtvShareOfLt,
          }),
          liquidationThreshold: ltFraction,
          liquidationBonus: bonus,
          slippage,
          confidence: profile.confidence,
        })
      : null;

  // SmartLTV needs the range volatility (candles) and the book; the Monte Carlo the paths, LT and the book.
  const inputsPresent = !gaps.candlesMissing && !gaps.bookMissing;
  const extras: LendingExtras = {
    crossCheck: inputsPresent && Number.isFinite(sigma) ? {
      smartLtv: smart,
      confidence: profile.smartLtvConfidence,
      gapPp: check.gapPp,
      flagged: check.flagged,
      dailyParkinsonVolatility: Number.isFinite(sigma) ? sigma : null,
      liquidityAtBonusUsd: liquidityAtBonus,
      impliedConfidenceOfCurrent: impliedOfCurrent,
    } : null,
    monteCarlo: inputsPresent && badDebt ? {
      paths: badDebt.paths.length,
      positions: profile.monteCarloPositions,
      totalCollateralUsd,
      expectedBadDebtUsd: badDebt.expectedBadDebtUsd,
      valueAtRiskUsd: badDebt.varUsd,
      expectedShortfallUsd: badDebt.expectedShortfallUsd,
      probabilityOfBadDebt: badDebt.probabilityOfBadDebt,
    } : null,
  };
  return { sigma, liquidityAtBonusUsd: liquidityAtBonus, extras };
}

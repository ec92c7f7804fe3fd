import type { Recommend } from '../../../shared/backtest/walkforward.js';
import type { LendingParameters } from '../../../shared/config/schema.js';
import type { ComputedParameters, ParameterInputs } from '../../../shared/risk/engine/types.js';
import type { CandleLike } from '../../../shared/risk/series.js';

/** Test helpers: hand-made hourly series and a stub engine whose LT is chosen per step. */

export const H = 3_600_000;
export const START = Date.UTC(2021, 0, 1);
export const DAY = 86_400_000;

/** A flat market at 100 with a 0.1 % wick per hour, for `days` days from START. */
export function flat(days: number): CandleLike[] {
  return Array.from({ length: days * 24 }, (_, i) => ({ openTimeMs: START + i * H, open: 100, high: 100.1, low: 99.9, close: 100 }));
}

export const at = (day: number, hour: number) => START + day * DAY + hour * H;

/**
 * A lending "engine" returning LT = ltBpsAt(nowMs) (bonus 5 %, no slippage), with the proposal equal to
 * the target; records every input it was given.
 */
export function stubEngine(ltBpsAt: (nowMs: number) => number, calls: ParameterInputs[] = []): Recommend {
  return (inputs) => {
    calls.push(inputs);
    const lt = ltBpsAt(inputs.nowMs);
    const target: LendingParameters = { ltvBps: lt - 300, liquidationThresholdBps: lt, liquidationBonusBps: 500, supplyCapUsd: 1e6, borrowCapUsd: 5e5 };
    return {
      profileKind: 'lending',
      status: 'ok',
      unfitReasons: [],
      volatility: { adverseMove: 0.2, unconditional: { adverseMove: 0.2 }, filtered: { adverseMove: 0 }, adverseMoveSource: 'unconditional', regime: 'normal' },
      liquidity: { slippageUsed: 0 },
      target,
      parameters: { ...target },
      steps: [],
      figures: { liquidationBonus: 0.05 },
      needsGovernanceVote: false,
      monteCarlo: { paths: 0, positions: 0, totalCollateralUsd: 0, expectedBadDebtUsd: 0, valueAtRiskUsd: 0, expectedShortfallUsd: 0, probabilityOfBadDebt: 0 },
    } as unknown as ComputedParameters;
  };
}

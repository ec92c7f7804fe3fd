import type { LendingParameters, LendingProfile } from '../../config/schema.js';
import { formatPct } from '../../format/numbers.js';
import { bpsToFraction } from '../../util/units.js';
import { applyGuardRails, keepBelow } from '../guardrails.js';
import { liquidationBonus, liquidationThreshold, loanToValue, ltvCeilingBps, roundDownBps, roundUpBps, supplyCapUsd } from '../lending.js';
import { sellableWithinSlippage } from '../liquidity.js';
import type { BookSummary } from '../../model/snapshot.js';
import type { CandleLike } from '../series.js';
import { capEvidenceOf, capEvidenceSentence, capStepEvidence } from './cap-evidence.js';
import { lendingChecks } from './lending-checks.js';
import type { MergedLiquidity } from './liquidity-scores.js';
import { figuresWithData, holdMissing } from './missing-inputs.js';
import { horizonLabel, lendingRationale } from './rationale.js';
import { evidenceOf, lastChangedAt, proposedFrom, rulesOf } from './rules.js';
import type { TailModel } from './tail.js';
import type { Gaps, ParameterInputs } from './types.js';

/**
 * A lending market's parameters (METHODOLOGY.md "Lending parameters"): bonus from the slippage, LT so the
 * collateral covers the debt after the adverse move, LTV an ordinary move below LT, caps from the depth;
 * then the guard rails against the protocol's current values, with LTV kept below the LT actually set.
 */

/** Floors a USD amount to two significant figures, so caps read as round numbers and never round up. */
export function floorToSignificant(usd: number, digits = 2): number {
  if (!(usd > 0)) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(usd)) - digits + 1);
  return Math.floor(usd / magnitude) * magnitude;
}

export function lendingTarget(
  inputs: ParameterInputs,
  profile: LendingProfile,
  tail: TailModel,
  liq: MergedLiquidity,
  unfitReasons: string[],
  gaps: Gaps,
  fresh: { books: readonly BookSummary[]; candles: readonly CandleLike[] },
) {
  const unfit = unfitReasons.length > 0;
  const slippage = liq.slippageForParameters;
  const adverse = tail.working.adverseMove;
  const ordinary = tail.working.ordinaryMove;
  const bonus = liquidationBonus(slippage, bpsToFraction(profile.liquidatorCostBps), bpsToFraction(profile.minLiquidationBonusBps), bpsToFraction(profile.maxLiquidationBonusBps));
  const threshold = liquidationThreshold(adverse, slippage, bonus);
  const ltv = loanToValue(threshold, ordinary);
  const sellableAtHalfBonus = liq.mergedBids.length > 0 ? sellableWithinSlippage(liq.mergedBids, liq.midUsd, bonus / 2) : 0;
  // issue 14: the cap from the books of every venue and the traded flow (cap-evidence.ts), held on thin evidence.
  const capEvidence = capEvidenceOf(
    { books: fresh.books, candles: fresh.candles, volumeVenues: inputs.quality.venuesWithData, nowMs: inputs.nowMs, bookSellableUsd: sellableAtHalfBonus },
    profile,
    inputs.policy,
  );
  const supplyCap = floorToSignificant(supplyCapUsd(capEvidence.sellableUsd, profile.capLiquidationShare));
  const target: LendingParameters = {
    // Against the rounded LT, so the target itself keeps the beta buffer (and stays strictly below LT).
    ltvBps: unfit ? 0 : Math.min(roundDownBps(ltv, profile.roundingStepBps), ltvCeilingBps(roundDownBps(threshold, profile.roundingStepBps), ordinary, profile.roundingStepBps)),
    liquidationThresholdBps: roundDownBps(threshold, profile.roundingStepBps),
    liquidationBonusBps: roundUpBps(bonus),
    supplyCapUsd: supplyCap,
    borrowCapUsd: floorToSignificant(supplyCap * profile.borrowCapShare),
  };
  const checks = lendingChecks(inputs, profile, tail, liq, gaps, { target, bonus, slippage });

  const current = profile.current[inputs.asset] ?? null;
  // On Aave an LTV of 0 means "not enabled as collateral" and a cap of 0 "no cap / disabled": moving
  // off 0 is a listing decision for governance, not a steward step, so those count as not set.
  const currentForRails = current
    ? Object.fromEntries(Object.entries(current).filter(([parameter, value]) => !(value === 0 && (parameter === 'ltvBps' || parameter.endsWith('CapUsd')))))
    : null;
  const rules = rulesOf(profile);
  const capEvidenceHold = capStepEvidence(capEvidence, profile, bonus / 2, supplyCap);
  const railed = applyGuardRails({
    rules,
    target,
    current: currentForRails,
    lastChangedAtMs: lastChangedAt(profile, inputs.asset, Object.keys(target)),
    nowMs: inputs.nowMs,
    evidence: evidenceOf(inputs.quality),
    evidenceByParameter: { supplyCapUsd: capEvidenceHold, borrowCapUsd: capEvidenceHold },
    frozen: inputs.frozen ?? false,
    missing: gaps.byParameter,
  });
  // The guard rails bound each parameter on its own: keep LTV below what LT is set to, by the beta buffer,
  // in the steps themselves, so that parameters, proposals and every rendering read one value.
  const steps = keepBelow(railed, rules, {
    parameter: 'ltvBps',
    bound: 'liquidationThresholdBps',
    ceilingOf: (ltBps) => ltvCeilingBps(ltBps, ordinary, profile.roundingStepBps),
    ceilingName: `LT less an ordinary ${formatPct(ordinary)} ${horizonLabel(profile)} move, rounded down`,
  });
  const heldTarget = holdMissing(target, current, gaps);
  const parameters = proposedFrom(heldTarget, steps);

  const rationale = lendingRationale(
    profile,
    target,
    { adverseMove: adverse, ordinaryMove: ordinary, slippage, bonus, threshold, sellableAtHalfBonusUsd: sellableAtHalfBonus },
    { volatility: tail.scores, bookWindow: liq.scores.window, unfitReasons, steps, capEvidence: capEvidenceSentence(capEvidence, profile, bonus / 2) },
  );
  const figures = figuresWithData({
    adverseMove: adverse,
    ordinaryMove: ordinary,
    slippage,
    liquidationBonus: bonus,
    liquidationThreshold: threshold,
    loanToValue: ltv,
    sellableAtHalfBonusUsd: sellableAtHalfBonus,
    flowSellableAtHalfBonusUsd: capEvidence.flowSellableUsd,
    horizonVolumeUsd: capEvidence.horizonVolumeUsd ?? Number.NaN,
    capBookVenues: capEvidence.bookVenues.length,
    capVolumeVenues: capEvidence.volumeVenues,
    liquidityAtBonusUsd: checks.liquidityAtBonusUsd,
    dailyParkinsonVolatility: checks.sigma,
    midUsd: liq.midUsd,
  }, {
    adverseMove: ['candles'],
    ordinaryMove: ['candles'],
    slippage: ['book'],
    liquidationBonus: ['book'],
    liquidationThreshold: ['candles', 'book'],
    loanToValue: ['candles', 'book'],
    sellableAtHalfBonusUsd: ['book'],
    flowSellableAtHalfBonusUsd: ['candles', 'book'],
    horizonVolumeUsd: ['candles'],
    capBookVenues: ['book'],
    capVolumeVenues: ['candles'],
    liquidityAtBonusUsd: ['book'],
    dailyParkinsonVolatility: ['candles'],
    midUsd: ['book'],
  }, gaps);
  return { target: heldTarget, parameters, steps, rationale, figures, extras: checks.extras };
}

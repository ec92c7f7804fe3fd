import type { PerpParameters, PerpProfile } from '../../config/schema.js';
import { bpsToFraction } from '../../util/units.js';
import { applyGuardRails, type ParameterStep } from '../guardrails.js';
import { roundUpBps } from '../lending.js';
import { maintenanceMargin } from '../perp.js';
import { insuranceFundTarget, liquidationPenalty, marginTiers, openInterestCaps } from '../perp-tiers.js';
import type { MergedLiquidity } from './liquidity-scores.js';
import { figuresWithData, holdMissing } from './missing-inputs.js';
import { perpRationale } from './rationale.js';
import { evidenceOf, lastChangedAt, proposedFrom, rulesOf } from './rules.js';
import type { TailModel } from './tail.js';
import type { Gaps, ParameterInputs, PerpExtras } from './types.js';

/**
 * A perpetual market's parameters (METHODOLOGY.md "Perpetual parameters"): the maintenance-margin tiers
 * from the adverse move and the book, max leverage snapped to the offered tiers, initial margin 1 / max
 * leverage, open-interest caps, liquidation penalty and insurance-fund target; then the guard rails.
 */

export function perpTarget(inputs: ParameterInputs, profile: PerpProfile, tail: TailModel, liq: MergedLiquidity, unfitReasons: string[], gaps: Gaps) {
  const moves = tail.working;
  const unfit = unfitReasons.length > 0;
  const fee = bpsToFraction(profile.feeBufferBps);
  // Tiers need the tail (candles) and the book: with either missing none is computed (the schedule is held).
  const tiers =
    liq.mergedBids.length > 0 && !gaps.candlesMissing
      ? marginTiers({
          adverseMove: Math.min(1, moves.adverseMove),
          bids: liq.mergedBids,
          midUsd: liq.midUsd,
          feeBuffer: fee,
          initialToMaintenanceRatio: profile.initialToMaintenanceRatio,
          leverageTiers: profile.leverageTiers,
          tierNotionalsUsd: profile.tierNotionalsUsd,
          maxPositionMultiple: profile.maxPositionMultiple,
        })
      : [];
  const first = tiers[0];
  // Without a book the first tier falls back to the plain formula at the liquidation size.
  const maintenance = first ? first.maintenanceMarginFraction : Math.min(1, maintenanceMargin(moves.adverseMove, liq.slippageForParameters, fee));
  const leverage = unfit || !first ? 0 : first.maxLeverage;
  const target: PerpParameters = {
    maintenanceMarginBps: Math.min(10_000, roundUpBps(maintenance)),
    initialMarginBps: leverage > 0 ? roundUpBps(1 / leverage) : 10_000,
    maxLeverage: leverage,
  };
  const penalty = liquidationPenalty({ slippageAtTierSize: first?.slippage ?? liq.slippageForParameters, insuranceContribution: bpsToFraction(profile.insuranceContributionBps) });
  const caps =
    liq.mergedBids.length > 0
      ? openInterestCaps({
          bids: liq.mergedBids,
          midUsd: liq.midUsd,
          liquidationPenalty: Math.min(1, penalty),
          liquidatedShareOfOi: profile.liquidatedShareOfOi,
          upperCapMultiple: profile.upperOpenInterestCapMultiple,
        })
      : { lowerCapUsd: 0, upperCapUsd: 0 };
  const insurance = insuranceFundTarget({
    openInterestUsd: caps.upperCapUsd,
    stressDrawdown: Math.min(1, moves.expectedShortfall),
    maintenanceMargin: Math.min(1, maintenance),
    slippage: Math.min(1, first?.slippage ?? liq.slippageForParameters),
  });

  // Initial margin is 1 / max leverage: the rails bound maintenance margin and leverage, and the initial
  // margin step is derived from the leverage step (bounding both separately would let them disagree).
  const current = profile.current[inputs.asset] ?? null;
  const railed = applyGuardRails({
    rules: rulesOf(profile),
    target: { maintenanceMarginBps: target.maintenanceMarginBps, maxLeverage: target.maxLeverage },
    current: current ? { maintenanceMarginBps: current.maintenanceMarginBps, maxLeverage: current.maxLeverage } : null,
    lastChangedAtMs: lastChangedAt(profile, inputs.asset, ['maintenanceMarginBps', 'maxLeverage']),
    nowMs: inputs.nowMs,
    evidence: evidenceOf(inputs.quality),
    frozen: inputs.frozen ?? false,
    missing: gaps.byParameter,
  });
  const heldTarget = holdMissing(target, current, gaps);
  const parameters = proposedFrom(heldTarget, railed);
  // A bounded leverage step is snapped down to an offered tier.
  if (parameters.maxLeverage > 0) parameters.maxLeverage = Math.max(0, ...profile.leverageTiers.filter((t) => t <= parameters.maxLeverage));
  parameters.initialMarginBps = parameters.maxLeverage > 0 ? roundUpBps(1 / parameters.maxLeverage) : 10_000;
  // The step says what is set (the snapped tier), so steps and parameters never disagree.
  const railedLeverage = railed.find((s) => s.parameter === 'maxLeverage')!;
  const leverageStep = railedLeverage.proposed === null ? railedLeverage : { ...railedLeverage, proposed: parameters.maxLeverage };
  const initialMissing = gaps.byParameter.initialMarginBps;
  if (initialMissing) {
    heldTarget.initialMarginBps = current?.initialMarginBps ?? 0;
    parameters.initialMarginBps = current?.initialMarginBps ?? heldTarget.initialMarginBps;
  }
  const steps: ParameterStep[] = [
    ...railed.map((s) => (s === railedLeverage ? leverageStep : s)),
    initialMissing
      ? {
          parameter: 'initialMarginBps',
          current: current?.initialMarginBps ?? null,
          target: null,
          proposed: current?.initialMarginBps ?? null,
          status: 'no-data',
          direction: 'none',
          stress: false,
          missingInput: initialMissing,
          reason: `follows max leverage, held for want of ${initialMissing.input}`,
        }
      : {
      parameter: 'initialMarginBps',
      current: current?.initialMarginBps ?? null,
      target: target.initialMarginBps,
      proposed: leverageStep.proposed === null ? null : parameters.initialMarginBps,
      status: leverageStep.status === 'within-bounds' && parameters.initialMarginBps === (current?.initialMarginBps ?? -1) ? 'unchanged' : leverageStep.status,
      direction: leverageStep.direction === 'loosen' ? 'loosen' : leverageStep.direction === 'tighten' ? 'tighten' : 'none',
      stress: leverageStep.stress,
      reason: `follows max leverage: 1 / ${parameters.maxLeverage || 'n/a'}x`,
    },
  ];

  const rationale = perpRationale(
    profile,
    tiers,
    { adverseMove: moves.adverseMove, maintenanceMargin: maintenance, slippage: first?.slippage ?? liq.slippageForParameters, feeBuffer: fee, maxLeverage: leverage, initialMarginBps: target.initialMarginBps },
    { volatility: tail.scores, unfitReasons, steps },
  );
  const figures = figuresWithData({
    adverseMove: moves.adverseMove,
    slippage: first?.slippage ?? liq.slippageForParameters,
    maintenanceMargin: maintenance,
    liquidationPenalty: penalty,
    openInterestLowerCapUsd: caps.lowerCapUsd,
    openInterestUpperCapUsd: caps.upperCapUsd,
    midUsd: liq.midUsd,
  }, {
    adverseMove: ['candles'],
    slippage: ['book'],
    maintenanceMargin: ['candles', 'book'],
    liquidationPenalty: ['book'],
    openInterestLowerCapUsd: ['book'],
    openInterestUpperCapUsd: ['book'],
    midUsd: ['book'],
  }, gaps);
  const extras: PerpExtras = {
    tiers: tiers.map((t, i) => ({
      lowerBoundUsd: t.lowerBoundUsd,
      upperBoundUsd: i === tiers.length - 1 ? null : t.upperBoundUsd,
      maintenanceMarginBps: t.maintenanceMarginBps,
      initialMarginBps: Math.min(10_000, roundUpBps(t.initialMarginFraction)),
      maxLeverage: unfit ? 0 : t.maxLeverage,
      deductionUsd: t.maintenanceDeductionUsd,
      slippage: t.slippage,
      reduceOnly: unfit || t.reduceOnly,
    })),
    openInterest: gaps.bookMissing ? { lowerCapUsd: null, upperCapUsd: null } : { lowerCapUsd: caps.lowerCapUsd, upperCapUsd: caps.upperCapUsd },
    liquidationPenaltyBps: gaps.bookMissing ? null : Math.min(10_000, roundUpBps(penalty)),
    insuranceFundTargetUsd: gaps.bookMissing || gaps.candlesMissing ? null : insurance.targetUsd,
  };
  return { target: heldTarget, parameters, steps, rationale, figures, extras };
}

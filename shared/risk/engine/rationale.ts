import type { LendingParameters, LendingProfile, PerpProfile, ProtocolProfile } from '../../config/schema.js';
import { formatPct, formatUsd } from '../../format/numbers.js';
import { bpsToFraction } from '../../util/units.js';
import type { ParameterStep } from '../guardrails.js';
import type { BookMarginTier } from '../perp-tiers.js';
import type { LiquidityScores, Rationale, VolatilityScores } from './types.js';

/** The prose of a recommendation: one paragraph per parameter, saying which figures made it. */

export function horizonLabel(profile: ProtocolProfile): string {
  return profile.horizonMinutes >= 60 ? `${profile.horizonMinutes / 60} h` : `${profile.horizonMinutes} min`;
}

const pctOrNone = (value: number | null) => (value === null ? 'no data' : formatPct(value));

/** One sentence on which tail drove the adverse move and in which regime. */
function regimeSentence(v: VolatilityScores): string {
  const forecast = `forecast vol ${formatPct(v.forecast.nextBarAnnualized, 0)} (${v.forecast.model === 'garch' ? 'GARCH' : 'EWMA'})` +
    (v.forecast.longRunAnnualized !== null ? ` vs long-run ${formatPct(v.forecast.longRunAnnualized, 0)}` : '');
  const source =
    v.adverseMoveSource === 'filtered'
      ? `the filtered tail at today's volatility (${pctOrNone(v.filtered.adverseMove)}) drove the number, above the unconditional ${pctOrNone(v.unconditional.adverseMove)}`
      : v.throughTheCycle
        ? `the through-the-cycle tail (${formatPct(v.throughTheCycle.adverseMove)}: ${v.throughTheCycle.multiple.toFixed(2)} x the ${formatPct(v.throughTheCycle.sigmaHorizon)} volatility of the asset's ${(v.throughTheCycle.historyDays / 365).toFixed(1)} years of history, plus its sampling error) drove the number; the trailing year's unconditional tail is ${pctOrNone(v.unconditional.adverseMove)}, today's filtered tail ${pctOrNone(v.filtered.adverseMove)}`
        : `the unconditional tail (${pctOrNone(v.unconditional.adverseMove)}) drove the number; today's filtered tail is ${pctOrNone(v.filtered.adverseMove)}`;
  return `Regime ${v.regime}: ${forecast}; ${source}.`;
}

/** A parameter held for want of an input says so instead of explaining a figure it does not have. */
function withData(rationale: Rationale[], steps: readonly ParameterStep[]): Rationale[] {
  return rationale.map((r) => {
    const step = steps.find((s) => s.parameter === r.parameter);
    return step?.status === 'no-data' ? { parameter: r.parameter, text: step.reason } : r;
  });
}

export interface LendingFigures {
  adverseMove: number;
  ordinaryMove: number;
  slippage: number;
  bonus: number;
  threshold: number;
  sellableAtHalfBonusUsd: number;
}

export function lendingRationale(
  profile: LendingProfile,
  target: LendingParameters,
  f: LendingFigures,
  context: {
    volatility: VolatilityScores;
    bookWindow: LiquidityScores['window'];
    unfitReasons: readonly string[];
    steps: readonly ParameterStep[];
    /** What the cap is computed from, with the figures (cap-evidence.ts capEvidenceSentence). */
    capEvidence: string;
  },
): Rationale[] {
  const horizon = horizonLabel(profile);
  const { adverseMove: adverse, ordinaryMove: ordinary, slippage, bonus, threshold } = f;
  return withData([
    {
      parameter: 'liquidationBonusBps',
      text:
        `Bonus ${formatPct(bonus)}: ${formatPct(slippage)} slippage selling ${formatUsd(profile.liquidationSizeUsd)}` +
        ` plus ${formatPct(bpsToFraction(profile.liquidatorCostBps))} liquidator cost, kept within` +
        ` ${formatPct(bpsToFraction(profile.minLiquidationBonusBps))}-${formatPct(bpsToFraction(profile.maxLiquidationBonusBps))}.`,
    },
    {
      parameter: 'liquidationThresholdBps',
      text:
        `LT ${formatPct(bpsToFraction(target.liquidationThresholdBps))}: after a ${formatPct(adverse)} drop over ${horizon}` +
        ` (${formatPct(profile.confidence, 1)} confidence), ${formatPct(slippage)} slippage and a ${formatPct(bonus)} bonus, collateral still covers the debt:` +
        ` (1 - ${adverse.toFixed(4)}) x (1 - ${slippage.toFixed(4)}) / (1 + ${bonus.toFixed(4)}) = ${formatPct(threshold)}, rounded down. ` +
        regimeSentence(context.volatility),
    },
    {
      parameter: 'ltvBps',
      text: context.unfitReasons.length > 0
        ? `LTV 0 %: not collateral (${context.unfitReasons.join('; ')}).`
        : `LTV ${formatPct(bpsToFraction(target.ltvBps))}: LT less an ordinary ${formatPct(ordinary)} ${horizon} move` +
          ` (${formatPct(profile.ltvConfidence, 0)} confidence), so a loan opened at max LTV is not liquidated by a normal day.`,
    },
    {
      parameter: 'supplyCapUsd',
      text:
        `Supply cap ${formatUsd(target.supplyCapUsd)}: liquidating ${formatPct(profile.capLiquidationShare, 0)} of it` +
        ` costs at most half the bonus (${formatPct(bonus / 2)}) in slippage, on the larger of the merged book of every venue` +
        ` (the p${Math.round(context.bookWindow.percentile * 100)} of ${context.bookWindow.snapshots} book snapshot(s)) and a share of the traded flow over ${horizon}: ` +
        `${context.capEvidence}. Borrow cap ${formatPct(profile.borrowCapShare, 0)} of it.`,
    },
  ], context.steps);
}

export interface PerpFigures {
  adverseMove: number;
  maintenanceMargin: number;
  /** Slippage closing the first tier's largest position (the liquidation size without a book). */
  slippage: number;
  feeBuffer: number;
  maxLeverage: number;
  initialMarginBps: number;
}

export function perpRationale(
  profile: PerpProfile,
  tiers: readonly BookMarginTier[],
  f: PerpFigures,
  context: { volatility: VolatilityScores; unfitReasons: readonly string[]; steps: readonly ParameterStep[] },
): Rationale[] {
  const { maintenanceMargin: maintenance, maxLeverage: leverage } = f;
  return withData([
    {
      parameter: 'maintenanceMarginBps',
      text:
        `Maintenance margin ${formatPct(maintenance)} for positions up to ${formatUsd(tiers[0]?.upperBoundUsd ?? profile.liquidationSizeUsd)}:` +
        ` a ${formatPct(f.adverseMove)} adverse move over ${profile.horizonMinutes} min (${formatPct(profile.confidence, 1)} confidence)` +
        ` + ${formatPct(f.slippage)} slippage closing the tier's largest position + ${formatPct(f.feeBuffer)} fees. ${regimeSentence(context.volatility)}`,
    },
    {
      parameter: 'maxLeverage',
      text: context.unfitReasons.length > 0
        ? `Max leverage 0: not listable (${context.unfitReasons.join('; ')}).`
        : `Max leverage ${leverage}x: 1 / (maintenance x ${profile.initialToMaintenanceRatio}) = ` +
          `${(1 / (maintenance * profile.initialToMaintenanceRatio)).toFixed(1)}x, snapped down to the tiers ${profile.leverageTiers.join('/')}.` +
          ` Larger positions: ${tiers.slice(1).map((t) => `${t.reduceOnly ? 'reduce-only' : `${t.maxLeverage}x`} from ${formatUsd(t.lowerBoundUsd)}`).join(', ') || 'one tier'}.`,
    },
    { parameter: 'initialMarginBps', text: `Initial margin ${formatPct(bpsToFraction(f.initialMarginBps))}: 1 / max leverage.` },
  ], context.steps);
}

import { INTERVAL_MS, type LendingParameters, type LendingProfile, type PerpParameters, type PerpProfile, type Policy, type ProtocolProfile } from '../config/schema.js';
import type { BookSummary, DataQuality } from '../model/snapshot.js';
import { drawdownTail } from './drawdown.js';
import { formatPct, formatUsd } from './format.js';
import { liquidationBonus, liquidationThreshold, loanToValue, roundDownBps, roundUpBps, supplyCapUsd } from './lending.js';
import { bidDepthUsd, mergeBids, sellableWithinSlippage, sellSlippage, type Level } from './liquidity.js';
import { maintenanceMargin, maxLeverage } from './perp.js';
import { barCount, logReturns, splitAtGaps, type CandleLike } from './series.js';
import { ewmaLambdaFromHalfLife, ewmaVolatility, realizedVolatility } from './volatility.js';

/**
 * From market data to parameters for one (asset, profile): pure, deterministic, no I/O.
 * Everything the result says can be recomputed from its inputs.
 */

export interface ParameterInputs {
  profile: ProtocolProfile;
  policy: Policy;
  /** Aggregated candles on the profile's interval over its lookback, ascending. */
  candles: readonly CandleLike[];
  /** Per-venue bids in USD. */
  books: readonly BookSummary[];
  quality: DataQuality;
}

export interface VolatilityScores {
  realizedAnnualized: { d7: number | null; d30: number | null; d90: number | null; d365: number | null };
  ewmaAnnualized: number | null;
  horizonMinutes: number;
  adverseMove: number;
  ordinaryMove: number | null;
  expectedShortfall: number;
  historicalWorst: number;
  windowsObserved: number;
  historyDays: number;
}

export interface LiquidityScores {
  depthUsd: Record<string, number>;
  liquidationSizeUsd: number;
  slippageMerged: number;
  slippageBestVenue: number | null;
  bestVenue: string | null;
  slippageUsed: number;
  spreadBps: number;
  liquidationSizeFillable: boolean;
}

interface Common {
  status: 'ok' | 'unfit';
  unfitReasons: string[];
  volatility: VolatilityScores;
  liquidity: LiquidityScores;
  figures: Record<string, number>;
  rationale: { parameter: string; text: string }[];
}

export type ComputedParameters =
  | (Common & { profileKind: 'lending'; parameters: LendingParameters })
  | (Common & { profileKind: 'perp'; parameters: PerpParameters });

const DAYS_OF_REALIZED = { d7: 7, d30: 30, d90: 90, d365: 365 } as const;

export function computeVolatility(candles: readonly CandleLike[], profile: ProtocolProfile, policy: Policy): VolatilityScores {
  const intervalMs = INTERVAL_MS[profile.candleInterval];
  const barsPerDay = 86_400_000 / intervalMs;
  const barsPerYear = barsPerDay * 365;
  const segments = splitAtGaps(candles, intervalMs);
  const returns = logReturns(segments);
  const realized = {} as VolatilityScores['realizedAnnualized'];
  for (const [key, days] of Object.entries(DAYS_OF_REALIZED) as [keyof typeof DAYS_OF_REALIZED, number][]) {
    const windowBars = days * barsPerDay;
    // A window counts only when at least 90 % of its returns exist.
    realized[key] = returns.length >= windowBars * 0.9 ? realizedVolatility(returns, windowBars, barsPerYear) : null;
  }
  const lambda = ewmaLambdaFromHalfLife(policy.ewmaHalfLifeDays * barsPerDay);
  const horizonBars = profile.horizonMinutes / (intervalMs / 60_000);
  const confidences = profile.kind === 'lending' ? [profile.confidence, profile.ltvConfidence] : [profile.confidence];
  const tail = drawdownTail(segments, horizonBars, confidences);
  // With no complete window there is no evidence at all: assume the worst (a total loss), and the
  // missing history makes the asset unfit anyway.
  const orWorst = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value : 1);
  return {
    realizedAnnualized: realized,
    ewmaAnnualized: returns.length > 1 ? ewmaVolatility(returns, lambda, barsPerYear) : null,
    horizonMinutes: profile.horizonMinutes,
    adverseMove: orWorst(tail.quantiles[String(profile.confidence)]),
    ordinaryMove: profile.kind === 'lending' ? orWorst(tail.quantiles[String(profile.ltvConfidence)]) : null,
    expectedShortfall: orWorst(tail.expectedShortfall),
    historicalWorst: orWorst(tail.historicalWorst),
    windowsObserved: tail.windows,
    historyDays: barCount(segments) / barsPerDay,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function levelsOf(book: BookSummary): Level[] {
  return book.bids.map(([price, quantity]) => ({ price, quantity }));
}

export interface MergedLiquidity {
  scores: LiquidityScores;
  mergedBids: Level[];
  midUsd: number;
  /** Slippage the parameters use: the best single venue when it can fill Q, else the merged book. */
  slippageForParameters: number;
}

export function computeLiquidity(books: readonly BookSummary[], liquidationSizeUsd: number, policy: Policy): MergedLiquidity {
  if (books.length === 0) {
    return {
      scores: {
        depthUsd: Object.fromEntries(policy.depthBands.map((band) => [String(band * 100), 0])),
        liquidationSizeUsd,
        slippageMerged: 1,
        slippageBestVenue: null,
        bestVenue: null,
        slippageUsed: 1,
        spreadBps: 0,
        liquidationSizeFillable: false,
      },
      mergedBids: [],
      midUsd: 0,
      slippageForParameters: 1,
    };
  }
  const midUsd = median(books.map((b) => b.midUsd));
  const mergedBids = mergeBids(books.map(levelsOf));
  const merged = sellSlippage(mergedBids, midUsd, liquidationSizeUsd);
  let bestVenue: string | null = null;
  let slippageBestVenue = Number.POSITIVE_INFINITY;
  for (const book of books) {
    const result = sellSlippage(levelsOf(book), book.midUsd, liquidationSizeUsd);
    if (result.complete && result.slippage < slippageBestVenue) {
      slippageBestVenue = result.slippage;
      bestVenue = book.venue;
    }
  }
  const depthUsd = Object.fromEntries(policy.depthBands.map((band) => [String(band * 100), bidDepthUsd(mergedBids, midUsd, band)]));
  const slippageForParameters = bestVenue !== null ? slippageBestVenue : merged.complete ? merged.slippage : 1;
  return {
    scores: {
      depthUsd,
      liquidationSizeUsd,
      slippageMerged: merged.complete ? merged.slippage : 1,
      slippageBestVenue: bestVenue !== null ? slippageBestVenue : null,
      bestVenue,
      slippageUsed: slippageForParameters,
      spreadBps: median(books.map((b) => b.spreadBps)),
      liquidationSizeFillable: merged.complete,
    },
    mergedBids,
    midUsd,
    slippageForParameters,
  };
}

function unfitReasonsOf(profile: ProtocolProfile, volatility: VolatilityScores, liquidity: LiquidityScores, quality: DataQuality): string[] {
  const reasons: string[] = [];
  if (volatility.historyDays < profile.minHistoryDays) {
    reasons.push(`only ${volatility.historyDays.toFixed(1)} days of history; at least ${profile.minHistoryDays} are needed`);
  }
  if (volatility.windowsObserved === 0) reasons.push('no complete liquidation-horizon window in the history');
  if (!liquidity.liquidationSizeFillable) {
    reasons.push(`the merged order book cannot absorb the ${formatUsd(liquidity.liquidationSizeUsd)} liquidation size`);
  }
  if (!quality.passed) reasons.push(`data quality checks failed: ${quality.issues.map((i) => i.message).join('; ')}`);
  return reasons;
}

/** Floors a USD amount to two significant figures, so caps read as round numbers and never round up. */
export function floorToSignificant(usd: number, digits = 2): number {
  if (!(usd > 0)) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(usd)) - digits + 1);
  return Math.floor(usd / magnitude) * magnitude;
}

function lendingParameters(profile: LendingProfile, volatility: VolatilityScores, liq: MergedLiquidity, unfit: boolean) {
  const slippage = liq.slippageForParameters;
  const adverse = volatility.adverseMove;
  const ordinary = volatility.ordinaryMove ?? adverse;
  const bonus = liquidationBonus(slippage, profile.liquidatorCostBps / 1e4, profile.minLiquidationBonusBps / 1e4, profile.maxLiquidationBonusBps / 1e4);
  const threshold = liquidationThreshold(adverse, slippage, bonus);
  const ltv = loanToValue(threshold, ordinary);
  const sellableAtHalfBonus = liq.mergedBids.length > 0 ? sellableWithinSlippage(liq.mergedBids, liq.midUsd, bonus / 2) : 0;
  const supplyCap = floorToSignificant(supplyCapUsd(sellableAtHalfBonus, profile.capLiquidationShare));
  const parameters: LendingParameters = {
    ltvBps: unfit ? 0 : roundDownBps(ltv, profile.roundingStepBps),
    liquidationThresholdBps: roundDownBps(threshold, profile.roundingStepBps),
    liquidationBonusBps: roundUpBps(bonus),
    supplyCapUsd: supplyCap,
    borrowCapUsd: floorToSignificant(supplyCap * profile.borrowCapShare),
  };
  const horizon = `${profile.horizonMinutes / 60} h`;
  const rationale = [
    {
      parameter: 'liquidationBonusBps',
      text:
        `Bonus ${formatPct(bonus)}: ${formatPct(slippage)} slippage selling ${formatUsd(profile.liquidationSizeUsd)}` +
        ` plus ${formatPct(profile.liquidatorCostBps / 1e4)} liquidator cost, kept within` +
        ` ${formatPct(profile.minLiquidationBonusBps / 1e4)}-${formatPct(profile.maxLiquidationBonusBps / 1e4)}.`,
    },
    {
      parameter: 'liquidationThresholdBps',
      text:
        `LT ${formatPct(parameters.liquidationThresholdBps / 1e4)}: after a ${formatPct(adverse)} drop over ${horizon}` +
        ` (the ${formatPct(profile.confidence, 1)} quantile of ${volatility.windowsObserved.toLocaleString('en-US')} windows),` +
        ` ${formatPct(slippage)} slippage and a ${formatPct(bonus)} bonus, collateral still covers the debt:` +
        ` (1 - ${adverse.toFixed(4)}) x (1 - ${slippage.toFixed(4)}) / (1 + ${bonus.toFixed(4)}) = ${formatPct(threshold)}, rounded down.`,
    },
    {
      parameter: 'ltvBps',
      text: unfit
        ? 'LTV 0 %: not collateral (see the reasons).'
        : `LTV ${formatPct(parameters.ltvBps / 1e4)}: LT less an ordinary ${formatPct(ordinary)} ${horizon} move` +
          ` (the ${formatPct(profile.ltvConfidence, 0)} quantile), so a loan opened at max LTV is not liquidated by a normal day.`,
    },
    {
      parameter: 'supplyCapUsd',
      text:
        `Supply cap ${formatUsd(parameters.supplyCapUsd)}: liquidating ${formatPct(profile.capLiquidationShare, 0)} of it` +
        ` (${formatUsd(sellableAtHalfBonus)}) costs at most half the bonus (${formatPct(bonus / 2)}) in slippage on the merged book.` +
        ` Borrow cap ${formatPct(profile.borrowCapShare, 0)} of it.`,
    },
  ];
  const figures = {
    adverseMove: adverse,
    ordinaryMove: ordinary,
    slippage,
    liquidationBonus: bonus,
    liquidationThreshold: threshold,
    loanToValue: ltv,
    sellableAtHalfBonusUsd: sellableAtHalfBonus,
    midUsd: liq.midUsd,
  };
  return { parameters, rationale, figures };
}

function perpParameters(profile: PerpProfile, volatility: VolatilityScores, liq: MergedLiquidity, unfit: boolean) {
  const slippage = liq.slippageForParameters;
  const maintenance = maintenanceMargin(volatility.adverseMove, slippage, profile.feeBufferBps / 1e4);
  const leverage = unfit ? 0 : maxLeverage(maintenance, profile.initialToMaintenanceRatio, profile.leverageTiers);
  const parameters: PerpParameters = {
    maintenanceMarginBps: Math.min(10_000, roundUpBps(maintenance)),
    // Initial margin at the snapped leverage; with no tier the market is reduce-only (100 %).
    initialMarginBps: leverage > 0 ? roundUpBps(1 / leverage) : 10_000,
    maxLeverage: leverage,
  };
  const rationale = [
    {
      parameter: 'maintenanceMarginBps',
      text:
        `Maintenance margin ${formatPct(maintenance)}: a ${formatPct(volatility.adverseMove)} adverse move over` +
        ` ${profile.horizonMinutes} min (the ${formatPct(profile.confidence, 1)} quantile of` +
        ` ${volatility.windowsObserved.toLocaleString('en-US')} windows) + ${formatPct(slippage)} slippage closing` +
        ` ${formatUsd(profile.liquidationSizeUsd)} + ${formatPct(profile.feeBufferBps / 1e4)} fees.`,
    },
    {
      parameter: 'maxLeverage',
      text: unfit
        ? 'Max leverage 0: not listable (see the reasons).'
        : `Max leverage ${leverage}x: 1 / (maintenance x ${profile.initialToMaintenanceRatio}) = ` +
          `${(1 / (maintenance * profile.initialToMaintenanceRatio)).toFixed(1)}x, snapped down to the tiers ${profile.leverageTiers.join('/')}.`,
    },
    {
      parameter: 'initialMarginBps',
      text: `Initial margin ${formatPct(parameters.initialMarginBps / 1e4)}: 1 / max leverage.`,
    },
  ];
  const figures = { adverseMove: volatility.adverseMove, slippage, maintenanceMargin: maintenance, midUsd: liq.midUsd };
  return { parameters, rationale, figures };
}

export function computeParameters(inputs: ParameterInputs): ComputedParameters {
  const { profile, policy } = inputs;
  const volatility = computeVolatility(inputs.candles, profile, policy);
  const liquidity = computeLiquidity(inputs.books, profile.liquidationSizeUsd, policy);
  const unfitReasons = unfitReasonsOf(profile, volatility, liquidity.scores, inputs.quality);
  const unfit = unfitReasons.length > 0;
  const common = { status: unfit ? ('unfit' as const) : ('ok' as const), unfitReasons, volatility, liquidity: liquidity.scores };
  if (profile.kind === 'lending') {
    const { parameters, rationale, figures } = lendingParameters(profile, volatility, liquidity, unfit);
    return { ...common, profileKind: 'lending', parameters, rationale, figures };
  }
  const { parameters, rationale, figures } = perpParameters(profile, volatility, liquidity, unfit);
  return { ...common, profileKind: 'perp', parameters, rationale, figures };
}

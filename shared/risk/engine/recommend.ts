import type { ProtocolProfile } from '../../config/schema.js';
import { formatUsd } from '../../format/numbers.js';
import type { ParameterStep } from '../guardrails.js';
import { lendingTarget } from './lending-target.js';
import { computeLiquidity } from './liquidity-scores.js';
import { alertsOf, freshInputs, gapsOf } from './missing-inputs.js';
import { perpTarget } from './perp-target.js';
import { computeTail } from './tail.js';
import type { ComputedParameters, LiquidityScores, ParameterInputs, VolatilityScores } from './types.js';

/**
 * From market data to parameters for one (asset, profile): pure, deterministic (seeded), no I/O.
 * Everything the result says can be recomputed from its inputs.
 *
 * Pipeline: stale inputs dropped (missing-inputs.ts) -> returns -> realized / EWMA / range volatility and
 * GARCH(1,1)-t with its EWMA fallback (volatility-scores.ts) -> the horizon's drawdown tail, unconditional
 * and filtered, and which one is used (tail.ts) -> liquidity over a window of books (liquidity-scores.ts)
 * -> lending or perp targets (lending-target.ts, perp-target.ts) -> cross-checks (lending-checks.ts:
 * SmartLTV, Monte Carlo bad debt) -> guard rails against the protocol's current parameters (rules.ts)
 * -> the rationale (rationale.ts).
 */

/** Evidence against the asset only: absent candles or books are missing inputs (held `no-data`), never unfitness. */
function unfitReasonsOf(profile: ProtocolProfile, volatility: VolatilityScores, liquidity: LiquidityScores): string[] {
  const reasons: string[] = [];
  if (volatility.windowsObserved > 0 && volatility.historyDays < profile.minHistoryDays) {
    reasons.push(`only ${volatility.historyDays.toFixed(1)} days of history; at least ${profile.minHistoryDays} are needed`);
  }
  // A real book that cannot absorb the liquidation size is evidence; no book at all (null) is not.
  if (liquidity.liquidationSizeFillable === false) {
    reasons.push(`the merged order book cannot absorb the ${formatUsd(liquidity.liquidationSizeUsd)} liquidation size`);
  }
  // Failed data-quality checks are weak evidence, not unfitness: the guard rails then let only
  // tightening through (a stale feed for a few hours must not propose a delisting).
  return reasons;
}

export function computeParameters(inputs: ParameterInputs): ComputedParameters {
  const { profile, policy } = inputs;
  const { candles, books, stale } = freshInputs(inputs);
  const tail = computeTail(inputs.asset, candles, profile, policy, inputs.tailHistory);
  const window = inputs.bookWindow
    ? { snapshots: inputs.bookWindow.snapshots, percentile: inputs.bookWindow.percentile, depth2PctUsdLatest: inputs.bookWindow.depth2PctUsdLatest, depth2PctUsdChosen: inputs.bookWindow.depth2PctUsdChosen }
    : undefined;
  const liquidity = computeLiquidity(books, profile.liquidationSizeUsd, policy, window);
  const unfitReasons = unfitReasonsOf(profile, tail.scores, liquidity.scores);
  const gaps = gapsOf(inputs, tail, books, stale, unfitReasons.length > 0);
  const alerts = alertsOf(inputs.asset, profile, gaps);
  const common = {
    status: unfitReasons.length > 0 ? ('unfit' as const) : alerts.length > 0 ? ('no-data' as const) : ('ok' as const),
    unfitReasons,
    alerts,
    volatility: tail.scores,
    liquidity: liquidity.scores,
  };
  const finish = <T extends { steps: ParameterStep[]; figures: Record<string, number> }>(result: T) => ({
    ...result,
    figures: Object.fromEntries(Object.entries(result.figures).filter(([, value]) => Number.isFinite(value))),
    needsGovernanceVote: result.steps.some((s) => s.status === 'bounded-needs-vote' || s.status === 'new-listing-needs-vote'),
  });
  if (profile.kind === 'lending') {
    const r = finish(lendingTarget(inputs, profile, tail, liquidity, unfitReasons, gaps, { books, candles }));
    return { ...common, profileKind: 'lending', target: r.target, parameters: r.parameters, steps: r.steps, rationale: r.rationale, figures: r.figures, needsGovernanceVote: r.needsGovernanceVote, ...r.extras };
  }
  const r = finish(perpTarget(inputs, profile, tail, liquidity, unfitReasons, gaps));
  return { ...common, profileKind: 'perp', target: r.target, parameters: r.parameters, steps: r.steps, rationale: r.rationale, figures: r.figures, needsGovernanceVote: r.needsGovernanceVote, ...r.extras };
}

import type { ProtocolProfile } from '../../shared/config/schema.js';
import type { RenderInput } from '../../shared/governance/render.js';
import type { Recommendation, RecommendationDraft } from '../../shared/model/recommendation.js';
import type { ParameterChange, Proposal } from '../../shared/model/proposal.js';
import type { BookSummary } from '../../shared/model/snapshot.js';

/** Where a test recommendation comes from: its run, methodology, snapshot and inputs. */
export const TEST_PROVENANCE = {
  createdAtMs: 1_700_000_000_000,
  runId: '01JTESTRUN0000000000000000',
  methodologyVersion: 'test',
  simulated: true,
  snapshotTakenAtMs: 1_700_000_000_000,
  inputsDigest: 'sha256:abc',
} as const;

/** A valid recommendation draft (no version) for store tests. */
export function recommendationDraft(overrides: Partial<RecommendationDraft> = {}): RecommendationDraft {
  return {
    asset: 'BTC',
    profileId: 'aave-v3-ethereum',
    profileKind: 'lending',
    ...TEST_PROVENANCE,
    status: 'ok',
    unfitReasons: [],
    volatility: {
      realizedAnnualized: { d7: 0.4, d30: 0.5, d90: null, d365: null },
      ewmaAnnualized: 0.45,
      parkinsonAnnualized: 0.4,
      garmanKlassAnnualized: 0.41,
      forecast: { model: 'garch', fallbackReason: null, alpha: 0.08, beta: 0.9, nu: 5, persistence: 0.98, nextBarAnnualized: 0.5, longRunAnnualized: 0.45, horizonVolatility: 0.02 },
      regime: 'normal',
      horizonMinutes: 240,
      unconditional: { adverseMove: 0.15, ordinaryMove: 0.03, expectedShortfall: 0.2, windows: 8000 },
      filtered: { adverseMove: 0.14, ordinaryMove: 0.03, expectedShortfall: 0.19, paths: 10000 },
      adverseMove: 0.15,
      ordinaryMove: 0.03,
      adverseMoveSource: 'unconditional',
      expectedShortfall: 0.2,
      historicalWorst: 0.3,
      windowsObserved: 8000,
      historyDays: 365,
    },
    liquidity: {
      depthUsd: { '2': 1e7 },
      liquidationSizeUsd: 1e6,
      slippageMerged: 0.001,
      slippageBestVenue: 0.002,
      bestVenue: 'binance',
      slippageUsed: 0.002,
      spreadBps: 1,
      liquidationSizeFillable: true,
      window: { snapshots: 1, percentile: 0.1, depth2PctUsdLatest: 1e7, depth2PctUsdChosen: 1e7 },
    },
    quality: { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 },
    figures: { adverseMove: 0.15 },
    rationale: [{ parameter: 'ltvBps', text: 'because' }],
    parameters: { ltvBps: 7500, liquidationThresholdBps: 8000, liquidationBonusBps: 500, supplyCapUsd: 1e8, borrowCapUsd: 5e7 },
    target: { ltvBps: 7500, liquidationThresholdBps: 8000, liquidationBonusBps: 500, supplyCapUsd: 1e8, borrowCapUsd: 5e7 },
    current: null,
    steps: [],
    needsGovernanceVote: false,
    crossCheck: { smartLtv: 0.7, confidence: 3, gapPp: 5, flagged: false, dailyParkinsonVolatility: 0.03, liquidityAtBonusUsd: 1e7, impliedConfidenceOfCurrent: null },
    monteCarlo: { paths: 10000, positions: 200, totalCollateralUsd: 1e8, expectedBadDebtUsd: 0, valueAtRiskUsd: 0, expectedShortfallUsd: 0, probabilityOfBadDebt: 0 },
    ...overrides,
  } as RecommendationDraft;
}

export function proposal(overrides: Partial<Proposal> = {}): Proposal {
  return {
    id: 'aave-v3-ethereum-run1',
    profileId: 'aave-v3-ethereum',
    runId: 'run1',
    createdAtMs: 1_700_000_000_000,
    simulated: true,
    title: 'A title',
    markdown: '# A title\n',
    changes: [],
    status: 'pending',
    attempts: 0,
    target: 'local-outbox',
    externalRef: null,
    sentAtMs: null,
    lastError: null,
    ...overrides,
  };
}

/** A simulated proposal of `profile` to render (run RUN1, methodology v1-test, 25 Nov 2026, the local API's links). */
export function renderInput(profile: ProtocolProfile, recommendations: readonly Recommendation[], changes: readonly ParameterChange[]): RenderInput {
  return {
    profile,
    runId: 'RUN1',
    methodologyVersion: 'v1-test',
    createdAtMs: Date.UTC(2026, 10, 25),
    simulated: true,
    publicBaseUrl: 'http://127.0.0.1:8787',
    recommendations,
    changes,
  };
}

/** A valid perp recommendation draft. */
export function perpRecommendationDraft(overrides: Record<string, unknown> = {}): RecommendationDraft {
  const parameters = { maintenanceMarginBps: 100, initialMarginBps: 250, maxLeverage: 40 };
  const { crossCheck: _c, monteCarlo: _m, ...common } = recommendationDraft() as Record<string, unknown>;
  return {
    ...common,
    profileId: 'perp-dex',
    profileKind: 'perp',
    parameters,
    target: parameters,
    current: null,
    tiers: [{ lowerBoundUsd: 0, upperBoundUsd: null, maintenanceMarginBps: 100, initialMarginBps: 250, maxLeverage: 40, deductionUsd: 0, slippage: 0.001, reduceOnly: false }],
    openInterest: { lowerCapUsd: 1e7, upperCapUsd: 2e7 },
    liquidationPenaltyBps: 60,
    insuranceFundTargetUsd: 1e5,
    ...overrides,
  } as RecommendationDraft;
}

/**
 * A book with `depth2PctUsd` of bids within 2 % of mid, spread evenly over 100 levels 0.1 % apart (10 %
 * deep), taken at `fetchedAtMs` (the run's clock for a fresh book; a book older than maxBookAgeMs is missing).
 */
export function linearBook(mid: number, depth2PctUsd: number, options: { fetchedAtMs?: number; venue?: BookSummary['venue'] } = {}): BookSummary {
  const bids: [number, number][] = [];
  for (let i = 1; i <= 100; i++) {
    const price = mid * (1 - i * 0.001);
    bids.push([price, depth2PctUsd / 20 / price]);
  }
  return { venue: options.venue ?? 'binance', pair: 'X', fetchedAtMs: options.fetchedAtMs ?? 0, midUsd: mid, spreadBps: 2, bids };
}

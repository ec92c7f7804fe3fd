import type { Recommendation } from '../../shared/model/recommendation.js';
import type { Proposal } from '../../shared/model/proposal.js';

/** A valid recommendation draft (no version) for store tests. */
export function recommendationDraft(overrides: Partial<Omit<Recommendation, 'version'>> = {}): Omit<Recommendation, 'version'> {
  return {
    asset: 'BTC',
    profileId: 'aave-v3-ethereum',
    profileKind: 'lending',
    createdAtMs: 1_700_000_000_000,
    runId: '01JTESTRUN0000000000000000',
    methodologyVersion: 'test',
    simulated: true,
    snapshotTakenAtMs: 1_700_000_000_000,
    inputsDigest: 'sha256:abc',
    status: 'ok',
    unfitReasons: [],
    volatility: {
      realizedAnnualized: { d7: 0.4, d30: 0.5, d90: null, d365: null },
      ewmaAnnualized: 0.45,
      horizonMinutes: 240,
      adverseMove: 0.15,
      ordinaryMove: 0.03,
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
    },
    quality: { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 },
    figures: { adverseMove: 0.15 },
    rationale: [{ parameter: 'ltvBps', text: 'because' }],
    parameters: { ltvBps: 7500, liquidationThresholdBps: 8000, liquidationBonusBps: 500, supplyCapUsd: 1e8, borrowCapUsd: 5e7 },
    current: null,
    ...overrides,
  } as Omit<Recommendation, 'version'>;
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

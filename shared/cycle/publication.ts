import type { PositionsSnapshot } from '../governance/positions.js';
import type { AdvisorConfig } from '../config/schema.js';
import { decidePublication } from '../governance/cadence.js';
import { draftProposals } from '../governance/outbox.js';
import type { ChangesSince } from '../governance/since.js';
import type { Proposal } from '../model/proposal.js';
import type { MarketMode, PublicationDecision, PublishedBaseline } from '../model/publication.js';
import type { Recommendation } from '../model/recommendation.js';
import type { Store } from '../store/index.js';
import type { PublicationPointer } from '../store/publications.js';
import { PublicationRaceError } from './errors.js';

/**
 * The finalizer's half of "publish only what matters" (issue 16): per market (profile), read the last
 * published proposal, decide (shared/governance/cadence.ts), and for a market that publishes, draft its
 * proposals and move the market's pointer to them with a conditional write before they are stored.
 * A finalizer that loses the race for a market reads the winner's pointer and decides again.
 */

export interface MarketDraftInput {
  config: AdvisorConfig;
  store: Store;
  runId: string;
  nowMs: number;
  publicBaseUrl: string;
  target: string;
  /** The run's recommendations, every profile. */
  recommendations: readonly Recommendation[];
  /** issue 16: the positions snapshot for induced liquidations; absent: each asset's simulated book. */
  positions?: PositionsSnapshot | null;
}

export interface MarketDrafts {
  /** One per profile the run has recommendations for, published or not. */
  decisions: PublicationDecision[];
  /** The proposals to store, of the markets that publish. */
  proposals: Proposal[];
}

/** Conditional writes a finalizer tries for one market before giving up (each loss means another run published meanwhile). */
const MAX_RACE_ATTEMPTS = 5;

function modeOf(recommendations: readonly Recommendation[]): MarketMode {
  if (recommendations.some((r) => r.historical === true)) return 'historical';
  return recommendations.some((r) => r.simulated) ? 'simulated' : 'live';
}

const keyOf = (c: { asset: string; parameter: string }) => `${c.asset}#${c.parameter}`;

/**
 * What the market's pointer holds after this run publishes: this run's asks on the assets it covers,
 * and the previous pointer's on the assets it does not (an ad-hoc run of one asset leaves the others'
 * last published values in place).
 */
function baselineAfter(previous: PublishedBaseline | null, covered: ReadonlySet<string>, published: Omit<PublishedBaseline, 'values' | 'emergencies'>, outcome: ReturnType<typeof decidePublication>): PublishedBaseline {
  const kept = (previous?.values ?? []).filter((v) => !covered.has(v.asset));
  const keptEmergencies = (previous?.emergencies ?? []).filter((k) => !covered.has(k.split('#')[0]!));
  return {
    ...published,
    values: [...kept, ...outcome.changes.map((c) => ({ asset: c.asset, parameter: c.parameter, unit: c.unit, recommended: c.recommended }))],
    emergencies: [...keptEmergencies, ...outcome.emergencies.map(keyOf)],
  };
}

export async function draftMarkets(input: MarketDraftInput): Promise<MarketDrafts> {
  const decisions: PublicationDecision[] = [];
  const proposals: Proposal[] = [];
  for (const profile of input.config.profiles) {
    const recommendations = input.recommendations.filter((r) => r.profileId === profile.id);
    if (recommendations.length === 0) continue;
    const mode = modeOf(recommendations);
    const covered = new Set(recommendations.map((r) => r.asset));
    let settled = false;
    for (let attempt = 1; attempt <= MAX_RACE_ATTEMPTS && !settled; attempt++) {
      const pointer: PublicationPointer | null = await input.store.publications.latest(profile.id, mode);
      const alreadyPublished = pointer?.current.runId === input.runId;
      const baseline = alreadyPublished ? pointer!.previous : (pointer?.current ?? null);
      const outcome = decidePublication({
        profile,
        runId: input.runId,
        nowMs: input.nowMs,
        recommendations,
        baseline,
        minIntervalHours: input.config.proposals.minIntervalHours,
        alreadyPublished,
      });
      if (!outcome.decision.publish) {
        decisions.push(outcome.decision);
        settled = true;
        break;
      }
      const since: ChangesSince = { since: outcome.decision.since, moves: outcome.moves, reason: outcome.decision.summary };
      const drafted = draftProposals({
        config: input.config,
        runId: input.runId,
        nowMs: input.nowMs,
        publicBaseUrl: input.publicBaseUrl,
        target: input.target,
        recommendations,
        profiles: new Set([profile.id]),
        since: new Map([[profile.id, since]]),
        positions: input.positions ?? null,
      });
      if (!alreadyPublished) {
        const next = baselineAfter(baseline, covered, { proposalIds: drafted.map((p) => p.id), runId: input.runId, publishedAtMs: input.nowMs }, outcome);
        if (!(await input.store.publications.record(profile.id, mode, next, pointer))) continue; // lost the race: read and decide again
      }
      decisions.push(outcome.decision);
      proposals.push(...drafted);
      settled = true;
    }
    if (!settled) throw new PublicationRaceError(input.runId, profile.id, MAX_RACE_ATTEMPTS);
  }
  return { decisions, proposals };
}

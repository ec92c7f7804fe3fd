import type { ProtocolProfile } from '../config/schema.js';
import { formatNumber } from '../format/numbers.js';
import { liveValueText } from '../format/parameter-values.js';
import { labelOf } from '../model/parameters.js';
import { runRankOf, type ParameterChange } from '../model/proposal.js';
import type { ParameterMove, PublicationDecision, PublicationDecisionName, PublishedBaseline, PublishedRef } from '../model/publication.js';
import type { Recommendation } from '../model/recommendation.js';
import { rulesOf } from '../risk/engine/rules.js';
import { strictlyInside } from '../risk/guardrails/intervals.js';
import type { ChangeLimit } from '../risk/guardrails/rules.js';
import { formatDuration, formatLimit } from '../risk/guardrails/wording.js';
import { MS_PER_HOUR } from '../util/time.js';
import { changesOf, parameterViewOf } from './changes.js';
import { emergencyChanges } from './render.js';

/**
 * Publish only what matters (issue 16): whether this run's changes for a market (a profile) make a new
 * proposal, judged against the last *published* proposal for that market, not the last computed one.
 * Pure: the finalizer (shared/cycle/publication.ts) reads the last published proposal, calls this, and
 * records the decision on the run.
 *
 * A parameter is compared as "what the last published proposal asked" against "what this run asks",
 * each side falling back to the live value where its proposal asked nothing: a change that appears, or
 * one the market no longer calls for, is a move too, while a published change the steward has since
 * applied (live = asked) is not. A move is material when it leaves the parameter's hysteresis (the
 * guard rails' own, `strictlyInside`) around the published value.
 */

export interface CadenceInput {
  profile: ProtocolProfile;
  runId: string;
  nowMs: number;
  /** This run's recommendations for the profile. */
  recommendations: readonly Recommendation[];
  /** The last published proposal for the market; null when none was. */
  baseline: PublishedBaseline | null;
  minIntervalHours: number;
  /** This run published already (a retried finalizer): `baseline` is then the one before it. */
  alreadyPublished?: boolean;
}

export interface CadenceOutcome {
  decision: PublicationDecision;
  /** Every parameter compared (moved or not), for the proposal's "changes since" section. */
  moves: ParameterMove[];
  /** This run's changes, and its emergency cuts. */
  changes: ParameterChange[];
  emergencies: ParameterChange[];
}

const keyOf = (c: { asset: string; parameter: string }) => `${c.asset}#${c.parameter}`;

/** The move from `base` to `value` as a share of the hysteresis around `base` (1 = at its edge). */
function hysteresisShareOf(limit: ChangeLimit, base: number, value: number): number {
  const move = Math.abs(value - base);
  if (move === 0) return 0;
  switch (limit.kind) {
    case 'absolute':
      return limit.maxStep > 0 ? move / limit.maxStep : Number.POSITIVE_INFINITY;
    case 'relative': {
      const span = limit.maxShare * Math.abs(base);
      return span > 0 ? move / span : Number.POSITIVE_INFINITY;
    }
    case 'factor':
      return base > 0 && value > 0 && limit.maxFactor > 1 ? Math.abs(Math.log(value / base)) / Math.log(limit.maxFactor) : Number.POSITIVE_INFINITY;
  }
}

/** Compares every parameter this run asks for, or the last published proposal asked for, on the assets this run covers. */
export function movesAgainst(profile: ProtocolProfile, recommendations: readonly Recommendation[], changes: readonly ParameterChange[], baseline: PublishedBaseline | null): ParameterMove[] {
  const rules = new Map(rulesOf(profile).map((r) => [r.parameter, r]));
  const asked = new Map(changes.map((c) => [keyOf(c), c]));
  const published = new Map((baseline?.values ?? []).map((v) => [keyOf(v), v]));
  const covered = new Map(recommendations.map((r) => [r.asset, r]));
  const keys = [...new Set([...asked.keys(), ...[...published.keys()].filter((k) => covered.has(k.split('#')[0]!))])];
  const moves: ParameterMove[] = [];
  for (const key of keys) {
    const [asset, parameter] = key.split('#') as [string, string];
    const view = parameterViewOf(covered.get(asset)!, parameter);
    const change = asked.get(key);
    const before = published.get(key);
    const unit = change?.unit ?? before?.unit ?? view?.unit;
    if (!unit) continue;
    const live = view?.current ?? null;
    const now = change ? change.recommended : live;
    const then = before ? before.recommended : live;
    const rule = rules.get(parameter);
    const hysteresis = rule ? formatLimit(rule.hysteresis, unit) : 'none';
    let move: number | null = null;
    let share: number | null = null;
    let material: boolean;
    if (now === null || then === null) material = now !== then;
    else {
      move = Math.abs(now - then);
      share = rule ? hysteresisShareOf(rule.hysteresis, then, now) : move === 0 ? 0 : Number.POSITIVE_INFINITY;
      material = move > 0 && (!rule || !strictlyInside(rule.hysteresis, then, now));
    }
    // An infinite share (no hysteresis to measure against) is stored as null: DynamoDB and JSON hold no Infinity.
    moves.push({ asset, parameter, unit, published: then, now, move, hysteresis, hysteresisShare: share !== null && Number.isFinite(share) ? share : null, material });
  }
  return moves.sort((a, b) => a.asset.localeCompare(b.asset) || a.parameter.localeCompare(b.parameter));
}

/** The largest move by share of its hysteresis; one listed on one side only counts as the largest. */
function largestOf(moves: readonly ParameterMove[]): ParameterMove | null {
  let best: ParameterMove | null = null;
  const size = (m: ParameterMove) => (m.hysteresisShare === null ? (m.material ? Number.POSITIVE_INFINITY : 0) : m.hysteresisShare);
  for (const m of moves) if (size(m) > 0 && (best === null || size(m) > size(best))) best = m;
  return best;
}

/** "BTC LTV 80.00 % -> 79.50 % (hysteresis ±25 bps)". */
export function moveText(move: ParameterMove): string {
  const value = (v: number | null) => liveValueText(v, move.unit, 'proposal');
  const share = move.hysteresisShare === null || !Number.isFinite(move.hysteresisShare) ? '' : `, ${formatNumber(move.hysteresisShare, 2)}x`;
  return `${move.asset} ${labelOf(move.parameter)} ${value(move.published)} -> ${value(move.now)} (hysteresis ${move.hysteresis}${share})`;
}

function refText(ref: PublishedRef): string {
  const parts = ref.proposalIds.length > 1 ? ` and ${ref.proposalIds.length - 1} more part${ref.proposalIds.length > 2 ? 's' : ''}` : '';
  return `${ref.proposalIds[0]}${parts}, ${new Date(ref.publishedAtMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The decision for one market; see PUBLICATION_DECISIONS for what each name means. */
export function decidePublication(input: CadenceInput): CadenceOutcome {
  const { profile, baseline, nowMs } = input;
  const changes = input.recommendations.flatMap((r) => changesOf(r));
  const emergencies = emergencyChanges(changes, input.recommendations);
  const moves = movesAgainst(profile, input.recommendations, changes, baseline);
  const material = moves.filter((m) => m.material);
  const largestMove = largestOf(moves);
  const intervalMs = input.minIntervalHours * MS_PER_HOUR;
  const nextRoutineAtMs = baseline ? baseline.publishedAtMs + intervalMs : null;
  const since = baseline ? { proposalIds: baseline.proposalIds, runId: baseline.runId, publishedAtMs: baseline.publishedAtMs } : null;
  const decide = (decision: PublicationDecisionName, summary: string): CadenceOutcome => ({
    decision: {
      profileId: profile.id,
      decision,
      publish: decision.startsWith('publish-'),
      summary,
      since,
      changes: changes.length,
      material: material.length,
      largestMove,
      emergencies: emergencies.map((c) => `${c.asset} ${labelOf(c.parameter)}`),
      nextRoutineAtMs,
    },
    moves,
    changes,
    emergencies,
  });
  const largest = largestMove ? `largest move ${moveText(largestMove)}` : 'no parameter moved';
  if (changes.length === 0) return decide('nothing-to-propose', 'no change passed the guard rails: no proposal');
  if (input.alreadyPublished) return decide('publish-retry', `published by this run already: the same ${changes.length} change(s) again`);
  if (!baseline) return decide('publish-first', `first proposal for this market: ${changes.length} change(s)`);
  // Started strictly later (the time part of the rank): two runs of the same millisecond are not ordered.
  const ownStart = runRankOf({ runId: input.runId })?.split('#')[0];
  const baselineStart = runRankOf({ runId: baseline.runId })?.split('#')[0];
  if (ownStart !== undefined && baselineStart !== undefined && baselineStart > ownStart) {
    return decide('held-newer-published', `a more recent run published ${refText(baseline)} first: this run's proposal would be stale`);
  }
  const published = new Set(baseline.emergencies);
  const materialKeys = new Set(material.map(keyOf));
  const newEmergencies = emergencies.filter((c) => !published.has(keyOf(c)) || materialKeys.has(keyOf(c)));
  if (newEmergencies.length > 0) {
    const names = newEmergencies.map((c) => `${c.asset} ${labelOf(c.parameter)}`).join(', ');
    const within = nowMs < nextRoutineAtMs! ? `, ${formatDuration(nowMs - baseline.publishedAtMs)} after ${refText(baseline)} (within the ${formatDuration(intervalMs)} interval)` : '';
    return decide('publish-emergency', `emergency cut (${names}): published at once${within}`);
  }
  if (material.length === 0) {
    return decide('held-no-material-change', `no material change since ${refText(baseline)}: ${largest}`);
  }
  if (nowMs < nextRoutineAtMs!) {
    return decide(
      'held-min-interval',
      `${material.length} parameter(s) beyond their hysteresis since ${refText(baseline)} (${largest}), held until ` +
        `${new Date(nextRoutineAtMs!).toISOString().slice(0, 16).replace('T', ' ')} UTC: at most one routine proposal per ${formatDuration(intervalMs)}`,
    );
  }
  return decide('publish-material', `${material.length} parameter(s) beyond their hysteresis since ${refText(baseline)}; ${largest}`);
}

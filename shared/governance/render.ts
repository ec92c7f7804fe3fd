import type { ProtocolProfile } from '../config/schema.js';
import { formatCount, formatPct, formatUsd } from '../format/numbers.js';
import { formatParameter, liveValueText, proposalDeltaText } from '../format/parameter-values.js';
import { higherIsLooser, labelOf, PARAMETERS } from '../model/parameters.js';
import type { ParameterChange } from '../model/proposal.js';
import type { Recommendation } from '../model/recommendation.js';
import { escapeMarkdown, table } from './markdown.js';
import { changesSinceSection, type ChangesSince } from './since.js';
import { reproduceSection } from './reproduce-section.js';
import { stewardSections } from './steward/render.js';
import type { StewardPayload } from '../model/steward.js';
import { currentValuesSection } from './render-chain.js';

export function direction(change: Pick<ParameterChange, 'current' | 'recommended' | 'parameter'>): 'tighten' | 'loosen' | 'new' {
  if (change.current === null) return 'new';
  const higher = change.recommended > change.current;
  return higher === higherIsLooser(change.parameter) ? 'loosen' : 'tighten';
}

const STATUS_LABELS: Record<string, string> = {
  'within-bounds': 'within steward bounds',
  'bounded-needs-vote': '**needs a governance vote** (bounded step)',
  'new-listing-needs-vote': '**needs a governance vote** (new listing)',
};

export function statusLabel(change: Pick<ParameterChange, 'status' | 'stress'>): string {
  return `${STATUS_LABELS[change.status] ?? change.status}${change.stress ? ', stress' : ''}`;
}

export function formatDelta(change: Pick<ParameterChange, 'current' | 'recommended' | 'unit' | 'parameter'>): string {
  if (change.current === null) return 'new';
  return `${proposalDeltaText(change.current, change.recommended, change.unit)} (${direction(change)})`;
}

export interface ProposalContent {
  title: string;
  markdown: string;
}

export interface RenderInput {
  profile: ProtocolProfile;
  runId: string;
  methodologyVersion: string;
  createdAtMs: number;
  simulated: boolean;
  /** Replayed history: titled and bannered HISTORICAL REPLAY, like SIMULATED. */
  historical?: boolean;
  /** Base URL of the advisor's API, for links to the data. */
  publicBaseUrl: string;
  recommendations: readonly Recommendation[];
  changes: readonly ParameterChange[];
  /** issue 16: the "Induced liquidations" section (render-induced.ts), rendered by the caller. */
  induced?: readonly string[];
  /** Which part of the profile's changes this is, when they are split over several proposals. */
  part?: { index: number; count: number };
  /** What changed since the last published proposal of the market (since.ts); absent: no section. */
  since?: ChangesSince;
  /** issue 16: the risk-steward payload and where the API serves its batch (steward/render.ts). */
  steward?: { payload: StewardPayload | null; url: string };
}

/** Which changes a risk steward may apply within its per-update bounds, and which need a vote. */
/**
 * Stress tightenings the per-update bounds cannot reach, on assets whose volatility regime is stressed:
 * the steward may move only the bounded step now, and the backtest (docs/backtest.md, finding 2) shows
 * that takes 4-15 days to reach the target where a fast vote takes 1-2. They lead the proposal so a
 * committee can act on them first. A large gap in a calm or normal regime is a disagreement with the
 * protocol's current values, not an emergency: it stays a vote in the changes table.
 */
export function emergencyChanges(changes: readonly ParameterChange[], recommendations: readonly Recommendation[]): ParameterChange[] {
  const stressed = new Set(recommendations.filter((r) => r.volatility.regime === 'stressed').map((r) => r.asset));
  return changes.filter((c) => c.stress && c.status === 'bounded-needs-vote' && c.target !== c.recommended && stressed.has(c.asset));
}

function voteSummary(withinBounds: number, needVote: number): string {
  const total = withinBounds + needVote;
  const bounds = 'within the per-update bounds a risk steward may apply';
  if (needVote === 0) return total === 1 ? `It is ${bounds}.` : `All are ${bounds}.`;
  if (withinBounds === 0) return total === 1 ? 'It needs a governance vote.' : `All ${total} need a governance vote.`;
  return (
    `${withinBounds} ${withinBounds === 1 ? 'is' : 'are'} ${bounds}; ` +
    `${needVote} ${needVote === 1 ? 'needs' : 'need'} a governance vote.`
  );
}

/** "Supply cap" -> "supply cap", but "LTV" stays "LTV". */
function lowerFirst(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

function pctOrDash(value: number | null): string {
  return value === null ? '-' : formatPct(value);
}

/** A figure the engine could not compute (an input was missing) is said to be missing, never printed as a number. */
export const NO_DATA = 'no data';
function pctOrNoData(value: number | null | undefined): string {
  return value === null || value === undefined ? NO_DATA : formatPct(value);
}
function usdOrNoData(value: number | null | undefined): string {
  return value === null || value === undefined ? NO_DATA : formatUsd(value);
}

/** Cross-checks: SmartLTV and Monte Carlo bad debt (lending), the margin schedule (perps). */
function crossChecks(recommendations: readonly Recommendation[]): string[] {
  const lending = recommendations.flatMap((r) => (r.profileKind === 'lending' ? [r] : []));
  const perp = recommendations.flatMap((r) => (r.profileKind === 'perp' ? [r] : []));
  const out: string[] = [];
  if (lending.length > 0) {
    out.push(
      '## Cross-checks',
      '',
      table(
        ['Asset', 'Our LTV target', `SmartLTV (c)`, 'Gap', 'Implied c of current', 'Bad debt VaR / ES (Monte Carlo)', 'P(bad debt)'],
        lending.map((r) => [
          escapeMarkdown(r.asset),
          formatParameter('ltvBps', r.target.ltvBps, 'proposal'),
          // Null cross-checks (an input missing or stale) read 'no data', never a zero.
          r.crossCheck ? `${formatPct(r.crossCheck.smartLtv)} (${r.crossCheck.confidence})` : NO_DATA,
          r.crossCheck ? `${r.crossCheck.gapPp.toFixed(1)} pp${r.crossCheck.flagged ? ' **flagged**' : ''}` : NO_DATA,
          r.crossCheck?.impliedConfidenceOfCurrent == null ? '-' : r.crossCheck.impliedConfidenceOfCurrent.toFixed(2),
          r.monteCarlo
            ? `${formatUsd(r.monteCarlo.valueAtRiskUsd)} / ${formatUsd(r.monteCarlo.expectedShortfallUsd)} over ${formatCount(r.monteCarlo.paths)} paths`
            : NO_DATA,
          r.monteCarlo ? formatPct(r.monteCarlo.probabilityOfBadDebt) : NO_DATA,
        ]),
      ),
      '',
    );
  }
  if (perp.length > 0) {
    out.push(
      '## Margin schedules',
      '',
      table(
        ['Asset', 'Tiers (from notional: max leverage / maintenance)', `${PARAMETERS.openInterest.label} (lower / upper)`, PARAMETERS.liquidationPenaltyBps.label, PARAMETERS.insuranceFundTargetUsd.label],
        perp.map((r) => [
          escapeMarkdown(r.asset),
          r.tiers.map((t) => `${formatUsd(t.lowerBoundUsd)}: ${t.reduceOnly ? 'reduce-only' : `${formatParameter('maxLeverage', t.maxLeverage, 'proposal')} / ${formatParameter('maintenanceMarginBps', t.maintenanceMarginBps, 'proposal')}`}`).join('; '),
          `${usdOrNoData(r.openInterest.lowerCapUsd)} / ${usdOrNoData(r.openInterest.upperCapUsd)}`,
          r.liquidationPenaltyBps === null ? NO_DATA : formatParameter('liquidationPenaltyBps', r.liquidationPenaltyBps, 'proposal'),
          usdOrNoData(r.insuranceFundTargetUsd),
        ]),
      ),
      '',
    );
  }
  return out;
}

/** Renders a proposal: summary, change table, reasons, data quality, data and methodology. */
export function renderProposal(input: RenderInput): ProposalContent {
  const { profile, changes, recommendations } = input;
  const assets = [...new Set(changes.map((c) => c.asset))];
  const tighten = changes.filter((c) => direction(c) === 'tighten').length;
  const loosen = changes.filter((c) => direction(c) === 'loosen').length;
  const added = changes.filter((c) => direction(c) === 'new').length;
  const needVote = changes.filter((c) => c.status !== 'within-bounds').length;
  const assetList = assets.length <= 4 ? assets.join(', ') : `${assets.slice(0, 4).join(', ')} and ${assets.length - 4} more`;
  const emergency = emergencyChanges(changes, recommendations);
  const title =
    `${input.simulated ? '[SIMULATED] ' : ''}${input.historical ? '[HISTORICAL REPLAY] ' : ''}${emergency.length > 0 ? '[EMERGENCY CUT] ' : ''}${profile.name}: ${changes.length} parameter change` +
    `${changes.length === 1 ? '' : 's'} for ${assetList}` +
    (input.part && input.part.count > 1 ? ` (part ${input.part.index} of ${input.part.count})` : '');

  const lines: string[] = [`# ${escapeMarkdown(title)}`, ''];
  if (input.simulated) {
    lines.push(
      '> **SIMULATED DATA.** These numbers come from the built-in seeded market simulator, not from live',
      '> venues. They show how the advisor works; do not vote on them.',
      '',
    );
  }
  if (input.historical) {
    lines.push(
      '> **HISTORICAL DATA.** These numbers come from replayed recordings of past markets, not from today\'s',
      '> venues. They show what the advisor would have proposed then; do not vote on them.',
      '',
    );
  }
  lines.push(
    '## Summary',
    '',
    `Leverage Advisor recommends ${changes.length} change${changes.length === 1 ? '' : 's'} to ` +
      `**${escapeMarkdown(profile.name)}** (\`${profile.id}\`, ${profile.kind}) for ${assets.map(escapeMarkdown).join(', ')}: ` +
      `${tighten} tightening, ${loosen} loosening, ${added} new. ` +
      voteSummary(changes.length - needVote, needVote),
    '',
    `Run \`${input.runId}\`, methodology \`${escapeMarkdown(input.methodologyVersion)}\`, computed ${new Date(input.createdAtMs).toISOString()}.`,
    '',
  );
  lines.push(...changesSinceSection(input.since));
  if (emergency.length > 0) {
    lines.push(
      '## Emergency: cut to the target',
      '',
      `${emergency.length === 1 ? 'One tightening is' : `${emergency.length} tightenings are`} beyond the stress line, in a stressed ` +
        'volatility regime, and beyond what one bounded update can reach. A risk steward may apply the bounded step now; reaching the target needs a vote, ' +
        'and a fast-track vote is recommended: step by step it takes days while the risk is present.',
      '',
      table(
        ['Asset', 'Parameter', 'Current', 'Bounded step now', 'Cut to (target)'],
        emergency.map((c) => [
          escapeMarkdown(c.asset),
          labelOf(c.parameter),
          liveValueText(c.current, c.unit, 'proposal'),
          liveValueText(c.recommended, c.unit, 'proposal'),
          `**${liveValueText(c.target, c.unit, 'proposal')}**`,
        ]),
      ),
      '',
    );
  }
  lines.push(
    '## Changes',
    '',
    table(
      ['Asset', 'Parameter', 'Current', 'Proposed', 'Change', 'Target', 'Status'],
      changes.map((c) => [
        escapeMarkdown(c.asset),
        labelOf(c.parameter),
        liveValueText(c.current, c.unit, 'proposal'),
        `**${liveValueText(c.recommended, c.unit, 'proposal')}**`,
        formatDelta(c),
        liveValueText(c.target, c.unit, 'proposal'),
        statusLabel(c),
      ]),
    ),
    '',
    'Proposed values respect the per-update bounds of the profile (Aave Risk Steward style); where the target is',
    'beyond them, the bounded step is proposed and the target needs a governance vote.',
    '',
    ...currentValuesSection(recommendations, assets),
    ...(input.induced ?? []),
    '## Reasons',
    '',
  );
  for (const asset of assets) {
    const recommendation = recommendations.find((r) => r.asset === asset);
    lines.push(`### ${escapeMarkdown(asset)}`, '');
    if (recommendation?.status === 'unfit') {
      lines.push(`**Unfit:** ${recommendation.unfitReasons.map(escapeMarkdown).join('; ')}.`, '');
    }
    // One reason can cover several parameters (the caps): said once, referred to after.
    const explained = new Map<string, string>();
    for (const change of changes.filter((c) => c.asset === asset)) {
      const label = labelOf(change.parameter);
      const earlier = explained.get(change.reason);
      lines.push(`- **${label}**: ${earlier ? `see the ${lowerFirst(earlier)} above.` : escapeMarkdown(change.reason)}`);
      if (!earlier) explained.set(change.reason, label);
      if (change.status !== 'within-bounds') lines.push(`  *Guard rails:* ${escapeMarkdown(change.guardRail)}`);
    }
    lines.push('');
  }
  lines.push(...stewardSections(input.steward?.payload, input.steward?.url ?? ''));
  const held = recommendations.flatMap((r) =>
    r.steps
      .filter((s) => s.status === 'held-weak-evidence' || s.status === 'held-min-delay' || s.status === 'frozen' || s.status === 'no-data')
      .map((s) => ({ asset: r.asset, step: s })),
  );
  if (held.length > 0) {
    lines.push(
      '## Held back by the guard rails',
      '',
      table(
        ['Asset', 'Parameter', 'Target', 'Why held'],
        held.map(({ asset, step }) => [
          escapeMarkdown(asset),
          labelOf(step.parameter),
          step.target === null ? NO_DATA : formatParameter(step.parameter, step.target, 'proposal'),
          escapeMarkdown(step.reason),
        ]),
      ),
      '',
    );
  }
  const shown = recommendations.filter((r) => assets.includes(r.asset));
  const alerts = recommendations.flatMap((r) => (r.alerts ?? []).map((a) => ({ asset: r.asset, alert: a })));
  if (alerts.length > 0) {
    lines.push(
      '## Missing data',
      '',
      'Missing input is not evidence of risk: the parameters below are held at their current value until the input returns.',
      '',
      table(
        ['Asset', 'Input', 'Since', 'Severity', 'Held'],
        alerts.map(({ asset, alert }) => [
          escapeMarkdown(asset),
          escapeMarkdown(alert.input),
          alert.sinceMs === null ? 'none stored' : new Date(alert.sinceMs).toISOString(),
          alert.severity,
          alert.parameters.map((p) => labelOf(p)).join(', '),
        ]),
      ),
      '',
    );
  }
  lines.push(
    '## Data quality',
    '',
    table(
      ['Asset', 'Verdict', 'Venues with data', 'Missing bars', 'Issues'],
      shown.map((r) => [
        escapeMarkdown(r.asset),
        r.quality.passed ? 'passed' : '**weak evidence**',
        String(r.quality.venuesWithData),
        formatPct(r.quality.missingBarShare),
        r.quality.issues.length === 0 ? 'none' : r.quality.issues.map((i) => escapeMarkdown(i.message)).join('; '),
      ]),
    ),
    '',
    '## Data behind the numbers',
    '',
    table(
      ['Asset', '30 d vol', 'EWMA vol', `Adverse move (${profile.horizonMinutes} min, ${formatPct(profile.confidence, 1)})`, '2 % depth', `Slippage (${formatUsd(profile.liquidationSizeUsd)})`, 'Windows'],
      shown.map((r) => [
        escapeMarkdown(r.asset),
        pctOrDash(r.volatility.realizedAnnualized.d30),
        pctOrDash(r.volatility.ewmaAnnualized),
        pctOrNoData(r.volatility.adverseMove),
        usdOrNoData(r.liquidity.depthUsd['2']),
        r.liquidity.slippageUsed === null
          ? r.liquidity.liquidationSizeFillable === false ? 'book cannot absorb the size' : NO_DATA
          : `${formatPct(r.liquidity.slippageUsed)} (${escapeMarkdown(r.liquidity.bestVenue ?? 'merged book')})`,
        formatCount(r.volatility.windowsObserved),
      ]),
    ),
    '',
    ...crossChecks(shown),
    '## Methodology and reproduction',
    '',
    `Methodology \`${escapeMarkdown(input.methodologyVersion)}\`: adverse move = the larger of the empirical quantile of the worst ` +
      'drop over the liquidation horizon (window open to lowest low) and the same quantile by filtered historical simulation at ' +
      "today's GARCH(1,1)-t volatility forecast; slippage = walking the best venue's bids for the liquidation size at a low " +
      'percentile of recent books; then the closed forms for bonus, threshold, LTV and caps (lending) or tiered margins and ' +
      'leverage (perps), and the guard rails.',
    '',
    table(
      ['Asset', 'Version', 'Input digest', 'API'],
      shown.map((r) => {
        const url = `${input.publicBaseUrl}/v1/recommendations/${encodeURIComponent(r.asset)}/history?profile=${encodeURIComponent(r.profileId)}`;
        return [escapeMarkdown(r.asset), `v${r.version}`, `\`${r.inputsDigest.slice(0, 23)}…\``, `<${url}>`];
      }),
    ),
    '',
    ...reproduceSection(shown),
    `The run that produced this proposal, with every version it wrote: <${input.publicBaseUrl}/v1/runs/${encodeURIComponent(input.runId)}>.`,
    '',
  );
  return { title, markdown: lines.join('\n') };
}

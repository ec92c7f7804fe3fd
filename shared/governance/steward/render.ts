import { formatDateTimeUtc, formatDateUtc } from '../../format/dates.js';
import { formatCount, usdPrice } from '../../format/numbers.js';
import { liveValueText } from '../../format/parameter-values.js';
import { labelOf } from '../../model/parameters.js';
import type { StewardPath, StewardPayload, StewardRow } from '../../model/steward.js';
import { escapeMarkdown, table } from '../markdown.js';

/**
 * The proposal's steward sections (issue 16): the payload (the step table in the steward's units, linked to the
 * Safe batch) and the steward path of every target beyond one step. Kept apart from governance/render.ts, which
 * calls `stewardSections` once.
 */

/** "keep" for KEEP_CURRENT, else "current -> proposed". */
function bpsCell(current: number | null, proposed: number | null): string {
  if (proposed === null) return 'keep';
  return `${liveValueText(current, 'bps', 'proposal')} -> **${liveValueText(proposed, 'bps', 'proposal')}**`;
}
function tokensCell(current: number | null, proposed: number | null): string {
  if (proposed === null) return 'keep';
  return `${current === null ? '?' : formatCount(current)} -> **${formatCount(proposed)}**`;
}

function payloadTable(rows: readonly StewardRow[]): string {
  return table(
    ['Asset', 'Reserve', 'Price used', 'LTV', 'Liq. threshold', 'Liq. bonus', 'Supply cap (tokens)', 'Borrow cap (tokens)'],
    rows.map((r) => [
      escapeMarkdown(r.asset),
      `${escapeMarkdown(r.token)} \`${r.tokenAddress}\``,
      r.priceUsd === null ? '-' : usdPrice(r.priceUsd),
      bpsCell(r.current.ltvBps, r.ltvBps),
      bpsCell(r.current.liquidationThresholdBps, r.liquidationThresholdBps),
      bpsCell(r.current.liquidationBonusBps, r.liquidationBonusBps),
      tokensCell(r.current.supplyCapTokens, r.supplyCapTokens),
      tokensCell(r.current.borrowCapTokens, r.borrowCapTokens),
    ]),
  );
}

/** The verdict of a path against a governance vote started now. */
export function pathVerdict(path: StewardPath): string {
  const vote = formatDateUtc(path.voteDoneByMs);
  if (!path.reachable) return `**only a vote can reach it** (the steward stops at ${liveValueText(path.steps[path.steps.length - 1]!.value, path.unit, 'proposal')}; a vote by ${vote})`;
  if (path.doneByMs <= path.voteDoneByMs) return 'the steward is no slower than a vote';
  return path.tighten ? `**only a vote can reach it in time** (by ${vote})` : `a vote would be faster (by ${vote}); a loosening, no hurry`;
}

/** "83.00 % -> 80.50 %: 5 steps, done by 2026-12-13", as a table row with the step per update and the verdict. */
function pathTable(paths: readonly StewardPath[]): string {
  return table(
    ['Asset', 'Parameter', 'Current -> target', 'Steps', 'First step', 'Done by', 'Verdict'],
    paths.map((p) => {
      const value = (v: number) => liveValueText(v, p.unit, 'proposal');
      const first = p.steps[0]!;
      return [
        escapeMarkdown(p.asset),
        labelOf(p.parameter),
        `${value(p.current)} -> ${value(p.target)}`,
        String(p.steps.length),
        `${value(first.value)} on ${formatDateUtc(first.atMs)}`,
        formatDateUtc(p.doneByMs),
        pathVerdict(p),
      ];
    }),
  );
}

/** Changes the steward cannot take, one line per asset and reason. */
function skippedLines(skipped: StewardPayload['skipped']): string[] {
  const groups = new Map<string, { asset: string; reason: string; parameters: string[] }>();
  for (const s of skipped) {
    const key = `${s.asset}\n${s.reason}`;
    const group = groups.get(key) ?? { asset: s.asset, reason: s.reason, parameters: [] };
    group.parameters.push(labelOf(s.parameter));
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => `- ${escapeMarkdown(g.asset)} (${g.parameters.join(', ')}): ${escapeMarkdown(g.reason)}.`);
}

/** The Markdown of the steward sections; empty when there is no payload. */
export function stewardSections(payload: StewardPayload | null | undefined, payloadUrl: string): string[] {
  if (!payload) return [];
  const out: string[] = ['## Steward payload', ''];
  if (payload.batch) {
    out.push(
      `A Safe Transaction Builder batch of ${payload.batch.transactions.length} call${payload.batch.transactions.length === 1 ? '' : 's'} ` +
        `(\`updateCollateralSide\`, \`updateCaps\`) to the risk steward \`${payload.steward}\` on chain ${payload.chainId}: <${payloadUrl}>. ` +
        `It takes the bounded steps below; \`keep\` is sent as KEEP_CURRENT, and the protocol fee and debt ceiling are always kept. ` +
        `Executable from ${formatDateTimeUtc(payload.executableFromMs)} (the steward's minimum delay since the last update).`,
      '',
      'Caps are in whole tokens at the price the recommendation used: the proposed USD cap / price rounded down (never looser ' +
        "than the USD step), kept within the steward's bound; the current cap is the current USD cap / price, rounded.",
      '',
      payloadTable(payload.rows),
      '',
    );
  } else {
    out.push('No change of this proposal can go through the risk steward.', '');
  }
  if (payload.skipped.length > 0) {
    out.push('Not in the payload:', '', ...skippedLines(payload.skipped), '');
  }
  if (payload.paths.length > 0) {
    out.push(
      '## Steward path',
      '',
      "Targets beyond one bounded step: the steward's steps that reach them, each as large as the bounds allow and the minimum " +
        'delay after the one before, the first being the step of this proposal; compared with a governance vote started now.',
      '',
      pathTable(payload.paths),
      '',
    );
  }
  return out;
}

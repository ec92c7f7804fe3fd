import type { ProtocolProfile } from '../../config/schema.js';
import type { BookSummary } from '../../model/snapshot.js';
import { areStaleCandles, isStaleBookSet, lastBarEndMs, newestBookMs } from '../freshness.js';
import type { MissingInput } from '../guardrails.js';
import type { CandleLike } from '../series.js';
import type { TailModel } from './tail.js';
import type { Gaps, InputAlert, MarketInput, ParameterInputs } from './types.js';

/**
 * Absent and stale inputs. A parameter whose input is missing is held at the protocol's current value
 * (`no-data`) and raises an alert; absence is never evidence against the asset.
 */

/**
 * Which inputs each parameter is computed from. LT and LTV need the tail (candles) and the slippage (book);
 * the bonus needs the slippage, the caps the depth (book); the perp margin schedule needs the tail and the book.
 */
const PARAMETER_INPUTS: Record<ProtocolProfile['kind'], Record<string, readonly MarketInput[]>> = {
  lending: {
    ltvBps: ['candles', 'book'],
    liquidationThresholdBps: ['candles', 'book'],
    liquidationBonusBps: ['book'],
    supplyCapUsd: ['book'],
    borrowCapUsd: ['book'],
  },
  perp: {
    maintenanceMarginBps: ['candles', 'book'],
    maxLeverage: ['candles', 'book'],
    initialMarginBps: ['candles', 'book'],
  },
};

/** The delisting parameter, which evidence of unfitness (not absence) sets to 0. */
const DELISTING_PARAMETER: Record<ProtocolProfile['kind'], string> = { lending: 'ltvBps', perp: 'maxLeverage' };

/** Which inputs were dropped as stale (freshness.ts), with the time they were last good. */
export interface Staleness {
  candlesSinceMs: number | null;
  bookSinceMs: number | null;
}

/**
 * The inputs the engine may use. Stale is missing: an old book or bar series is dropped before anything is
 * computed from it, so it can neither delist (a three-year-old thin book) nor print a figure; the step says since when.
 */
export function freshInputs(inputs: ParameterInputs): { candles: readonly CandleLike[]; books: readonly BookSummary[]; stale: Staleness } {
  const { profile, policy, nowMs } = inputs;
  const hold = inputs.staleness !== 'ignore';
  const candlesStale = hold && areStaleCandles(inputs.candles, profile.candleInterval, nowMs, policy);
  const bookStale = hold && isStaleBookSet(inputs.books, nowMs, policy);
  const stale: Staleness = {
    candlesSinceMs: candlesStale ? lastBarEndMs(inputs.candles, profile.candleInterval) : null,
    bookSinceMs: bookStale ? newestBookMs(inputs.books) : null,
  };
  return { candles: candlesStale ? [] : inputs.candles, books: bookStale ? [] : inputs.books, stale };
}

function latestOf(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined) return b ?? null;
  return b === null || b === undefined ? a : Math.max(a, b);
}

export function gapsOf(inputs: ParameterInputs, tail: TailModel, books: readonly BookSummary[], stale: Staleness, unfit: boolean): Gaps {
  const { profile } = inputs;
  // No complete liquidation-horizon window: the tail cannot be computed (absent, stale, not short, history).
  const candlesMissing = tail.scores.windowsObserved === 0;
  const bookMissing = books.length === 0;
  const lastBarEnd = lastBarEndMs(inputs.candles, profile.candleInterval);
  const candles: MissingInput =
    stale.candlesSinceMs !== null
      ? { input: `candles ${profile.candleInterval}`, sinceMs: latestOf(stale.candlesSinceMs, inputs.lastGoodMs?.candles), stale: true }
      : { input: `candles ${profile.candleInterval}`, sinceMs: lastBarEnd ?? inputs.lastGoodMs?.candles ?? null };
  const book: MissingInput =
    stale.bookSinceMs !== null
      ? { input: 'order book', sinceMs: latestOf(stale.bookSinceMs, inputs.lastGoodMs?.book), stale: true }
      : { input: 'order book', sinceMs: inputs.lastGoodMs?.book ?? null };
  const byParameter: Record<string, MissingInput> = {};
  for (const [parameter, needs] of Object.entries(PARAMETER_INPUTS[profile.kind])) {
    // With evidence of unfitness (a real book that cannot absorb the size) the delisting stands.
    if (unfit && (parameter === DELISTING_PARAMETER[profile.kind] || (profile.kind === 'perp' && parameter === 'initialMarginBps'))) continue;
    const first = needs.find((need) => (need === 'candles' ? candlesMissing : bookMissing));
    if (first) byParameter[parameter] = first === 'candles' ? candles : book;
  }
  return { candlesMissing, bookMissing, byParameter };
}

export function alertsOf(asset: string, profile: ProtocolProfile, gaps: Gaps): InputAlert[] {
  const all = Object.keys(PARAMETER_INPUTS[profile.kind]);
  const inputs = new Map<string, { sinceMs: number | null; stale: boolean; parameters: string[] }>();
  for (const [parameter, missing] of Object.entries(gaps.byParameter)) {
    const entry = inputs.get(missing.input) ?? { sinceMs: missing.sinceMs, stale: missing.stale === true, parameters: [] };
    entry.parameters.push(parameter);
    inputs.set(missing.input, entry);
  }
  const heldCount = Object.keys(gaps.byParameter).length;
  return [...inputs].map(([input, { sinceMs, stale, parameters }]) => ({
    input,
    sinceMs,
    ...(stale ? { stale: true } : {}),
    severity: heldCount >= all.length ? ('critical' as const) : ('warning' as const),
    parameters,
    message:
      `${asset} on ${profile.id}: ${stale ? `${input} stale` : `no ${input}`} (${sinceMs === null ? 'none stored' : `last good ${new Date(sinceMs).toISOString()}`}); ` +
      `${parameters.join(', ')} held at the protocol's current value`,
  }));
}

/** Drops the figures whose inputs are missing: a figure computed on a stand-in is not a figure. */
export function figuresWithData(figures: Record<string, number>, needs: Record<string, readonly MarketInput[]>, gaps: Gaps): Record<string, number> {
  const missing = (need: MarketInput) => (need === 'candles' ? gaps.candlesMissing : gaps.bookMissing);
  return Object.fromEntries(Object.entries(figures).filter(([key]) => !(needs[key] ?? []).some(missing)));
}

/** Held parameters keep the protocol's current value as target too (0 = not listed); the step says no-data. */
export function holdMissing<T extends Record<string, number>>(target: T, current: Partial<Record<string, number>> | null, gaps: Gaps): T {
  const out: Record<string, number> = { ...target };
  for (const parameter of Object.keys(gaps.byParameter)) if (parameter in out) out[parameter] = current?.[parameter] ?? 0;
  return out as T;
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liquidityFor, RECORDED_BOOKS, summaryOfRecordedBook } from '../../shared/backtest/liquidity.js';
import { summarizeSeries } from '../../shared/backtest/summary.js';
import { runWalkForward } from '../../shared/backtest/walkforward.js';
import { buildConfig } from '../../shared/config/load.js';
import type { LendingProfile, Policy } from '../../shared/config/schema.js';
import { parseRecordedBook } from '../../shared/market/replay/books.js';
import { HAS_REAL_DATA, REAL_DATA_DIR, readCandles } from '../support/real-data.js';

/**
 * The acceptance on the shared hourly data (alpha 0.999, 4 h windows): the engine beats the naive
 * baseline on BTC and ETH, Kupiec p > 0.05 and mean LT within 2 pp of the baseline's.
 *
 * Run here with 2,000 simulation paths (the CLI runs the configured 10,000) and with the unconditional
 * floor at 0.9, the policy docs/backtest.md recommends: with the default floor of 1 the engine is too
 * conservative on ETH (28 breaches where 48.7 are expected, Kupiec p 0.001), which the second block pins
 * as what it is (never more breaches than the baseline, never a higher LT), on a representative sub-range.
 * The full default-policy run is `npm run backtest` (about a minute).
 */

const config = buildConfig();
const profile = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const fast: Policy = { ...config.policy, simulationPaths: 2_000 };

function booksOf(asset: string) {
  const recorded = (RECORDED_BOOKS[asset] ?? []).map(({ file, venue }) =>
    summaryOfRecordedBook(parseRecordedBook(JSON.parse(readFileSync(resolve(REAL_DATA_DIR, 'orderbooks', file), 'utf8')), file), venue, file),
  );
  return liquidityFor(asset, recorded).books;
}

function backtest(asset: string, policy: Policy, range: { fromMs?: number; toMs?: number } = {}, lendingProfile: LendingProfile = profile) {
  const candles = readCandles(`${asset}-USDT-1h.csv`);
  return runWalkForward({ id: asset, asset, source: `${asset}-USDT-1h.csv`, barLabel: '1h', candles }, { profile: lendingProfile, policy, books: booksOf(asset), ...range });
}

describe.skipIf(!HAS_REAL_DATA)('acceptance: the engine beats the naive baseline on BTC and ETH (whole shared hourly data)', () => {
  for (const asset of ['BTC', 'ETH']) {
    it(`${asset}: Kupiec p > 0.05 at alpha 0.999 and mean LT within 2 pp of the baseline (the profile's floor, 0.9)`, () => {
      expect(profile.unconditionalFloorShare).toBe(0.9);
      const summary = summarizeSeries(backtest(asset, fast));
      const { target, naive, lending } = summary;
      console.log(
        `${asset}: engine ${target!.breaches} / ${target!.windows} (${target!.ratePct.toFixed(3)} %, Kupiec p ${target!.kupiecP.toFixed(3)}),` +
          ` naive ${naive!.breaches} (p ${naive!.kupiecP.toFixed(3)}); mean LT ${lending!.meanLtPct.toFixed(2)} vs ${lending!.naiveMeanLtPct.toFixed(2)} %`,
      );
      expect(target!.windows).toBeGreaterThan(45_000);
      expect(target!.kupiecP).toBeGreaterThan(0.05);
      expect(lending!.ltGivenUpPp).toBeLessThanOrEqual(2);
      expect(summary.verdict).toEqual({ beatsBaseline: true, reasons: [] });
    });
  }
});

describe.skipIf(!HAS_REAL_DATA)('floor 1: never looser than the baseline (BTC, Jun 2019 - Jun 2021)', () => {
  it('every target LT is at or below the naive LT, so every engine breach is a baseline breach too', () => {
    const result = backtest('BTC', fast, { fromMs: Date.UTC(2019, 5, 1), toMs: Date.UTC(2021, 6, 1) }, { ...profile, unconditionalFloorShare: 1 });
    for (const s of result.steps) {
      const r = s.recommendation;
      if (r.kind !== 'lending') throw new Error('expected lending');
      expect(r.target.ltBps).toBeLessThanOrEqual(r.naive.ltBps);
      expect(s.outcome.breaches.target).toBeLessThanOrEqual(s.outcome.breaches.naive);
    }
    const summary = summarizeSeries(result);
    expect(summary.target!.breaches).toBeLessThan(summary.naive!.breaches);
    expect(summary.lending!.ltGivenUpPp).toBeLessThanOrEqual(2);
  });
});

import { buildConfig } from '../shared/config/load.js';
import { SeededRandom } from '../shared/numerics/rng.js';
import { initialState, monitorFitOf, monitorStep, rebase, type MonitoredMarket, type MonitorState } from '../shared/risk/monitor/core.js';
import { MS_PER_HOUR, MS_PER_MINUTE } from '../shared/util/time.js';
import { line } from './print.js';

/**
 * The stress monitor's tick for 1,000 assets (issue 15: < 10 s of compute). Per asset a tick reads the
 * stored state (JSON), rebases it on the recommendation in force (its stored fit), steps through the new
 * closes and writes the state back (JSON): half the assets lending on hourly bars (one new close), half
 * perps on 5-minute bars (one new close; a catch-up tick after an hour's outage takes 12). Compute only: the
 * fetch of the newest prices is venue I/O, measured in the venues section.
 */

const ASSETS = 1000;

function marketOf(i: number, config: ReturnType<typeof buildConfig>): MonitoredMarket {
  const lending = i % 2 === 0;
  const barMs = lending ? MS_PER_HOUR : 5 * MS_PER_MINUTE;
  const barsPerYear = (365 * 24 * MS_PER_HOUR) / barMs;
  const fit = monitorFitOf({ alpha: 0.08, beta: 0.9, nextBarAnnualized: 0.6 + (i % 7) * 0.05, longRunAnnualized: 0.6 }, barsPerYear);
  const profile = config.profiles.find((p) => p.kind === (lending ? 'lending' : 'perp'))!;
  return {
    asset: `A${i}`,
    profileKind: lending ? 'lending' : 'perp',
    inForceBps: lending ? 7800 : 150,
    referencePrice: 100,
    referenceAtMs: 0,
    bonus: lending ? 0.045 : 0,
    slippage: 0.002,
    feeBuffer: lending ? 0 : 0.001,
    adverseMove: lending ? 0.18 : 0.012,
    filteredMove: lending ? 0.12 : 0.01,
    horizonBars: lending ? 4 : 1,
    barMs,
    fit,
    roundingStepBps: lending ? 50 : 1,
    stressTightenBps: profile.stressTightenBps ?? 50,
  };
}

export async function benchMonitor(): Promise<void> {
  console.log(`\nStress monitor tick (shared/risk/monitor/core.ts), ${ASSETS.toLocaleString('en-US')} assets`);
  const config = buildConfig();
  const markets = Array.from({ length: ASSETS }, (_, i) => marketOf(i, config));
  const rng = new SeededRandom(15);
  let stored = markets.map((m) => JSON.stringify(initialState(m)));
  const prices = markets.map(() => 100);
  let clock = MS_PER_HOUR;
  const tick = (barsPerTick: number) => {
    const start = performance.now();
    let alerts = 0;
    stored = stored.map((json, i) => {
      const m = markets[i]!;
      let state = rebase(JSON.parse(json) as MonitorState, m);
      for (let b = 0; b < barsPerTick; b++) {
        prices[i] = prices[i]! * Math.exp(0.01 * rng.normal());
        const out = monitorStep(m, state, { atMs: clock + b * m.barMs, close: prices[i]! }, config.monitor);
        state = out.state;
        if (out.decision.kind === 'alert') alerts++;
      }
      return JSON.stringify(state);
    });
    clock += barsPerTick * 5 * MS_PER_MINUTE;
    return { ms: performance.now() - start, alerts };
  };
  for (let w = 0; w < 20; w++) tick(1);
  const runs = Array.from({ length: 50 }, () => tick(1).ms).sort((a, b) => a - b);
  line('one tick, one new close per asset (median of 50)', `${runs[25]!.toFixed(1)} ms (max ${runs[49]!.toFixed(1)} ms; target < 10 s)`);
  const catchUp = tick(12);
  line('a catch-up tick, 12 new closes per asset', `${catchUp.ms.toFixed(1)} ms`);
}

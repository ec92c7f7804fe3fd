import type { AdvisorConfigInput, LendingProfile, PerpProfile } from './schema.js';
import { SIMULATOR_CALIBRATION } from './calibration.js';
import { UNIVERSE } from './universe.js';

/**
 * The embedded default configuration. Every methodology constant has its default here, with the
 * source it follows; a config file (see load.ts) may override any top-level section.
 */

/**
 * Aave v3 Ethereum live parameters (../shared/REFERENCES.md section 3: on-chain snapshot Oct-2023 and
 * governance diffs up to Aug-2026). Caps there are in tokens; here they are converted to USD at round
 * prices of the snapshot date (ETH 3,000, BTC 60,000, LINK 15, AAVE 150, UNI 8, CRV 0.5), so they are
 * orders of magnitude, not live values. SOL and DOGE are not listed on that market.
 */
const AAVE_V3_ETHEREUM_CURRENT: LendingProfile['current'] = {
  ETH: { ltvBps: 8050, liquidationThresholdBps: 8300, liquidationBonusBps: 500, supplyCapUsd: 5.4e9, borrowCapUsd: 4.2e9 },
  BTC: { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 },
  LINK: { ltvBps: 0, liquidationThresholdBps: 7100, liquidationBonusBps: 700, supplyCapUsd: 3.0e8, borrowCapUsd: 1.5e7 },
  AAVE: { ltvBps: 6900, liquidationThresholdBps: 7600, liquidationBonusBps: 750, supplyCapUsd: 2.775e8, borrowCapUsd: 0 },
  UNI: { ltvBps: 0, liquidationThresholdBps: 7400, liquidationBonusBps: 1000, supplyCapUsd: 4.8e7, borrowCapUsd: 0 },
  CRV: { ltvBps: 0, liquidationThresholdBps: 4100, liquidationBonusBps: 830, supplyCapUsd: 8.6e6, borrowCapUsd: 0 },
};

/** Hyperliquid margin tiers for the smallest notional (REFERENCES.md section 4): MM = IM / 2 at max leverage. */
const HYPERLIQUID_CURRENT: PerpProfile['current'] = {
  BTC: { maintenanceMarginBps: 125, initialMarginBps: 250, maxLeverage: 40 },
  ETH: { maintenanceMarginBps: 200, initialMarginBps: 400, maxLeverage: 25 },
  SOL: { maintenanceMarginBps: 250, initialMarginBps: 500, maxLeverage: 20 },
};

export const DEFAULT_CONFIG: AdvisorConfigInput = {
  methodologyVersion: 'v1.0',
  assets: UNIVERSE.map((asset) => {
    const simulator = SIMULATOR_CALIBRATION[asset.symbol];
    if (!simulator) throw new Error(`no simulator calibration for ${asset.symbol}: run npm run calibrate`);
    return { ...asset, simulator };
  }),
  venues: [
    { id: 'binance', name: 'Binance spot', quoteCurrency: 'USDT', baseUrl: 'https://api.binance.com' },
    { id: 'coinbase', name: 'Coinbase Exchange', quoteCurrency: 'USD', baseUrl: 'https://api.exchange.coinbase.com' },
    { id: 'kraken', name: 'Kraken', quoteCurrency: 'USD', baseUrl: 'https://api.kraken.com' },
  ],
  profiles: [
    {
      id: 'aave-v3-ethereum',
      kind: 'lending',
      name: 'Aave v3 Ethereum (core market)',
      // METHODOLOGY.md defaults for lending: 4 h horizon, alpha 0.999, beta 0.95.
      horizonMinutes: 240,
      confidence: 0.999,
      ltvConfidence: 0.95,
      candleInterval: '1h',
      lookbackDays: 365,
      minHistoryDays: 90,
      liquidationSizeUsd: 1_000_000,
      hysteresisBps: 25,
      liquidatorCostBps: 300,
      minLiquidationBonusBps: 450,
      maxLiquidationBonusBps: 1500,
      roundingStepBps: 50,
      capLiquidationShare: 0.1,
      borrowCapShare: 0.5,
      // Aave v3.1 Risk Stewards (REFERENCES.md section 2): +-0.5 pp per update, caps +-100 %, 3 days apart.
      maxStepBps: 50,
      capMaxChangeShare: 1,
      capHysteresisShare: 0.1,
      minDelayDays: 3,
      // Four steward steps: a gap that would take 12 days to close at the 3-day cadence takes the fast path.
      stressTightenBps: 200,
      // Walk-forward backtest (docs/backtest.md): with the filtered tail allowed 10 % below the unconditional
      // one, BTC and ETH breach at the 0.1 % target (Kupiec p 0.73 / 0.11); with 1.0 ETH is over-conservative.
      unconditionalFloorShare: 0.9,
      // SmartLTV: c = 3 as in Risk DAO's worked example; a gap over 10 pp is flagged (METHODOLOGY.md).
      smartLtvConfidence: 3,
      smartLtvGapFlagPp: 10,
      monteCarloPositions: 200,
      current: AAVE_V3_ETHEREUM_CURRENT,
    },
    {
      id: 'perp-dex',
      kind: 'perp',
      name: 'Perpetual DEX (Hyperliquid-style tiers)',
      // METHODOLOGY.md defaults for perps: 5 min horizon, alpha 0.99, m = 2.
      horizonMinutes: 5,
      confidence: 0.99,
      candleInterval: '5m',
      lookbackDays: 30,
      minHistoryDays: 7,
      liquidationSizeUsd: 250_000,
      hysteresisBps: 25,
      feeBufferBps: 10,
      initialToMaintenanceRatio: 2,
      leverageTiers: [1, 2, 3, 5, 10, 20, 25, 40, 50],
      // Binance-style brackets by position notional (REFERENCES.md section 4).
      tierNotionalsUsd: [0, 100_000, 1_000_000, 5_000_000, 20_000_000],
      insuranceContributionBps: 50,
      liquidatedShareOfOi: 0.1,
      upperOpenInterestCapMultiple: 2,
      maintenanceMarginMaxStepBps: 50,
      initialMarginMaxStepBps: 100,
      leverageMaxFactor: 2,
      minDelayDays: 3,
      // Margins are about 1 %: a 200 bps line (four steps) never fires. At 25 bps the backtest's fast path
      // fires on 12 of 44 BTC crash days that wanted a tighter MMR, 512 breached windows instead of 529
      // (docs/backtest.md, finding 3). A tightening that clears hysteresis is then never delayed.
      stressTightenBps: 25,
      current: HYPERLIQUID_CURRENT,
    },
  ],
  policy: {
    // SmartLTV rejects risk data older than one day (REFERENCES.md section 1).
    staleAfterMs: 24 * 3_600_000,
    maxMissingBarShare: 0.02,
    minVenues: 2,
    ewmaHalfLifeDays: 11.2,
    depthBands: [0.005, 0.01, 0.02, 0.05, 0.1],
    bookWindowHours: 24,
    bookSnapshotsMax: 24,
    bookPercentile: 0.1,
    simulationPaths: 10_000,
    simulationSeed: 1,
    garchMinReturns: 500,
    unconditionalFloorShare: 1,
    stressedRegimeRatio: 1.25,
  },
  simulator: { seed: 42, originIso: '2025-01-01T00:00:00.000Z' },
  schedule: { cycleEveryMinutes: 60, publishEveryMinutes: 5 },
};

import type { Policy, ProtocolProfile } from '../config/schema.js';
import type { CandleLike } from '../risk/series.js';
import { MS_PER_DAY as DAY_MS, MS_PER_HOUR as HOUR_MS } from '../util/time.js';

/**
 * Daily bars through an engine that knows 5-minute and hourly candles only. A daily series is handed to
 * the engine on a compressed clock: one day of calendar time is one hour of engine time, so each daily bar
 * is an "hourly" bar and a one-bar horizon is one calendar day. The profile and policy are rescaled to
 * match (lookback, minimum history, steward delay and EWMA half-life keep their calendar meaning); the
 * walk-forward driver maps engine time back to calendar time for every record. The horizon becomes one
 * day (the shortest window daily bars can measure, six times the lending profile's 4 h), so daily-bar
 * results are reported separately.
 */

/** calendar = originMs + (engine - originMs) x factor. */
export interface TimeScale {
  originMs: number;
  factor: number;
}

/** Calendar day per engine hour. */
export const DAILY_COMPRESSION = DAY_MS / HOUR_MS;

export function identityScale(): TimeScale {
  return { originMs: 0, factor: 1 };
}

export function toCalendarMs(scale: TimeScale, engineMs: number): number {
  return scale.originMs + (engineMs - scale.originMs) * scale.factor;
}

export function toEngineMs(scale: TimeScale, calendarMs: number): number {
  return scale.originMs + (calendarMs - scale.originMs) / scale.factor;
}

/** Daily bars (open at 00:00 UTC) onto the compressed clock, origin at the first bar's UTC midnight. */
export function compressDailyBars(candles: readonly CandleLike[]): { candles: CandleLike[]; timeScale: TimeScale } {
  const originMs = candles.length > 0 ? Math.floor(candles[0]!.openTimeMs / DAY_MS) * DAY_MS : 0;
  const timeScale = { originMs, factor: DAILY_COMPRESSION };
  return { candles: candles.map((c) => ({ ...c, openTimeMs: toEngineMs(timeScale, c.openTimeMs) })), timeScale };
}

/** The profile on the compressed clock: a one-bar (one-day) horizon, calendar-true lookback and delays. */
export function dailyBarProfile(profile: ProtocolProfile): ProtocolProfile {
  return {
    ...profile,
    candleInterval: '1h',
    horizonMinutes: 60,
    lookbackDays: profile.lookbackDays / DAILY_COMPRESSION,
    minHistoryDays: profile.minHistoryDays / DAILY_COMPRESSION,
    minDelayDays: profile.minDelayDays / DAILY_COMPRESSION,
  };
}

/** The policy on the compressed clock: the EWMA half-life keeps its length in calendar days. */
export function dailyBarPolicy(policy: Policy): Policy {
  return { ...policy, ewmaHalfLifeDays: policy.ewmaHalfLifeDays / DAILY_COMPRESSION };
}

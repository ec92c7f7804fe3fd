import { describe, expect, it } from 'vitest';
import { chargedCallers, coversAssets, hourWindow, isInFlight } from '../../../shared/api/recompute.js';
import { newRun } from '../../../shared/cycle/runs.js';
import { callerHash } from '../../../shared/store/recompute.js';

const UNIVERSE = ['BTC', 'ETH', 'SOL'];

describe('recompute coalescing rules', () => {
  it('a run covers a request when it has every requested asset; a whole-universe run covers all', () => {
    expect(coversAssets([], ['BTC'], UNIVERSE)).toBe(true);
    expect(coversAssets([], [], UNIVERSE)).toBe(true);
    expect(coversAssets(['BTC', 'ETH'], ['ETH'], UNIVERSE)).toBe(true);
    expect(coversAssets(['BTC'], ['BTC', 'ETH'], UNIVERSE)).toBe(false);
    expect(coversAssets(['BTC', 'ETH'], [], UNIVERSE)).toBe(false);
    expect(coversAssets(['BTC', 'ETH', 'SOL'], [], UNIVERSE)).toBe(true);
  });

  it('in flight: queued or running and younger than the run timeout; any other status is finished', () => {
    const run = newRun({ trigger: 'adhoc', requestedBy: 'token', reason: null, assets: [], nowMs: 1_000_000 });
    expect(isInFlight(run, 1_000_000 + 59_000, 60_000)).toBe(true);
    expect(isInFlight(run, 1_000_000 + 60_000, 60_000)).toBe(false);
    expect(isInFlight({ ...run, status: 'running', startedAtMs: 1_050_000 }, 1_100_000, 60_000)).toBe(true);
    for (const status of ['succeeded', 'failed', 'partial', 'interrupted']) {
      expect(isInFlight({ ...run, status } as unknown as typeof run, 1_000_001, 60_000)).toBe(false);
    }
  });

  it('fixed clock-hour windows; a charge drops the counts of past windows', () => {
    const at = Date.UTC(2026, 0, 5, 10, 59, 59);
    expect(hourWindow(at)).toEqual({ startMs: Date.UTC(2026, 0, 5, 10), endMs: Date.UTC(2026, 0, 5, 11) });
    const start = hourWindow(at).startMs;
    const stale = { [callerHash('bob')]: { windowStartMs: start - 3_600_000, count: 9 } };
    const once = chargedCallers(stale, 'alice', start);
    expect(once).toEqual({ [callerHash('alice')]: { windowStartMs: start, count: 1 } });
    expect(chargedCallers(once, 'alice', start)[callerHash('alice')]!.count).toBe(2);
  });
});

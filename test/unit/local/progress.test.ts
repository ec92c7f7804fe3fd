import { describe, expect, it } from 'vitest';
import { progressPrinter } from '../../../local/progress.js';
import type { AssetProgress } from '../../../local/runtime.js';

function report(runId: string, asset: string, total: number, trigger: 'schedule' | 'adhoc', failedWith?: string): AssetProgress {
  return {
    work: { runId, asset },
    ms: 1200,
    failed: false,
    trigger,
    total,
    outcome: {
      runId,
      asset,
      status: failedWith ? 'failed' : 'succeeded',
      recommendations: [],
      errors: failedWith ? [{ asset, stage: 'ingest', message: failedWith }] : [],
      snapshotTakenAtMs: null,
      finishedAtMs: 0,
    },
  };
}

describe('progressPrinter (CLI progress lines)', () => {
  it('counts each run on its own when runs overlap, and heads a recompute with its id', () => {
    const lines: string[] = [];
    const onAsset = progressPrinter((line) => lines.push(line));
    onAsset(report('SCHEDULED01', 'BTC', 3, 'schedule'));
    onAsset(report('ADHOC000001', 'ETH', 2, 'adhoc'));
    onAsset(report('SCHEDULED01', 'ETH', 3, 'schedule'));
    onAsset(report('ADHOC000001', 'SOL', 2, 'adhoc', 'no venue answered for SOL'));
    onAsset(report('SCHEDULED01', 'SOL', 3, 'schedule'));
    // The next cycle starts again from 1 (the [39/8] defect: one counter across runs).
    onAsset(report('SCHEDULED02', 'BTC', 3, 'schedule'));
    const counters = lines.map((l) => /\[(\d+)\/(\d+)\]/.exec(l)?.slice(1).join('/') ?? 'head');
    expect(counters).toEqual(['1/3', 'head', '1/2', '2/3', '2/2', '3/3', '1/3']);
    expect(lines[1]).toMatch(/recompute run ADHOC000001: 2 asset\(s\)/);
    expect(lines[4]).toMatch(/SOL\s+FAILED: no venue answered for SOL/);
    expect(lines[0]).toMatch(/BTC\s+done/);
  });
});

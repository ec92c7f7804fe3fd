import { describe, expect, it } from 'vitest';
import { call, useContractApi } from '../support/api-contract.js';

/** The API against its own OpenAPI document: pagination and units (see api-contract.test.ts). */

useContractApi();

describe('pagination', () => {
  it('walking /v1/recommendations page by page returns every item exactly once, in order', async () => {
    const all = (await call('GET', '/v1/recommendations')).json.recommendations.map((r: { asset: string; profileId: string }) => `${r.asset}/${r.profileId}`);
    for (const limit of [1, 3, 8]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { json: { recommendations: { asset: string; profileId: string }[]; nextCursor: string | null } } = await call('GET', '/v1/recommendations', {
          query: { limit: String(limit), ...(cursor ? { cursor } : {}) },
        });
        seen.push(...page.json.recommendations.map((r) => `${r.asset}/${r.profileId}`));
        cursor = page.json.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / limit));
    }
  });

  it('walking /v1/proposals page by page returns every proposal exactly once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { items: { id: string }[]; nextCursor: string | null } } = await call('GET', '/v1/proposals', {
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(page.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.items.map((p) => p.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `aave-v3-ethereum-run${i}`));
  });
});

describe('units', () => {
  it('units=percent rewrites every xxxBps governance parameter as xxxPercent = value / 100', async () => {
    const bps = (await call('GET', '/v1/recommendations', { query: { units: 'bps' } })).json;
    const percent = (await call('GET', '/v1/recommendations', { query: { units: 'percent' } })).json;
    expect(percent.units).toBe('percent');
    expect(percent.recommendations).toHaveLength(bps.recommendations.length);
    bps.recommendations.forEach((b: Record<string, unknown>, i: number) => {
      const p = percent.recommendations[i] as Record<string, unknown>;
      for (const field of ['parameters', 'target', 'current'] as const) {
        const source = b[field] as Record<string, number> | null;
        const converted = p[field] as Record<string, number> | null;
        if (source === null) {
          expect(converted).toBeNull();
          continue;
        }
        for (const [key, value] of Object.entries(source)) {
          if (key.endsWith('Bps')) {
            expect(converted![key]).toBeUndefined();
            expect(converted![key.replace(/Bps$/, 'Percent')]).toBeCloseTo(value / 100, 10);
          } else {
            expect(converted![key]).toBe(value);
          }
        }
      }
      if (b.profileKind === 'perp') {
        expect((p.tiers as Record<string, number>[])[0]).toMatchObject({ maintenanceMarginPercent: 1, initialMarginPercent: 2.5, maxLeverage: 40 });
        expect(p.liquidationPenaltyBps).toBe(b.liquidationPenaltyBps); // not a governance parameter: its name keeps its unit
      }
    });
    const btcLending = percent.recommendations.find((r: { asset: string; profileId: string }) => r.asset === 'BTC' && r.profileId === 'aave-v3-ethereum');
    expect(btcLending.parameters).toEqual({ ltvPercent: 75, liquidationThresholdPercent: 80, liquidationBonusPercent: 5, supplyCapUsd: 1e8, borrowCapUsd: 5e7 });
    expect(btcLending.steps).toEqual([
      expect.objectContaining({ parameter: 'ltvPercent', current: 73, target: 75.25, proposed: 75 }),
      expect.objectContaining({ parameter: 'supplyCapUsd', current: 5e8, target: 1e8, proposed: 1e8 }),
    ]);
    expect(btcLending.rationale[0].parameter).toBe('ltvPercent');
  });

  it('units apply to one asset and to its history too', async () => {
    const asset = (await call('GET', '/v1/recommendations/SOL', { query: { units: 'percent' } })).json;
    expect(asset.units).toBe('percent');
    expect(asset.recommendations[0].parameters.ltvPercent).toBe(75);
    const history = (await call('GET', '/v1/recommendations/SOL/history', { query: { profile: 'perp-dex', units: 'percent' } })).json;
    expect(history.items[0].parameters).toEqual({ maintenanceMarginPercent: 1, initialMarginPercent: 2.5, maxLeverage: 40 });
  });
});

import { describe, expect, it } from 'vitest';
import { createApi } from '../../../shared/api/app.js';
import type { Recommendation } from '../../../shared/model/recommendation.js';
import type { Store } from '../../../shared/store/index.js';
import { testApiDeps } from '../../support/api-harness.js';
import { httpEvent } from '../../support/events.js';
import { recommendationDraft } from '../../support/fixtures.js';

/** The response memo wired into the routes: herds cost one store read; a lone read sees earlier writes. */
function setup() {
  let clockMs = 0;
  let reads = 0;
  let version = 1;
  const store = {
    recommendations: {
      latestForProfile: async (profileId: string) => {
        reads++;
        return profileId === 'aave-v3-ethereum' ? [{ ...recommendationDraft(), version } as Recommendation] : [];
      },
    },
  } as unknown as Store;
  const api = createApi(testApiDeps({ store, responseMemo: { idleMs: 1000, refreshMs: 5000 }, monotonicMs: () => clockMs }));
  const versionSeen = async (query?: Record<string, string>) => {
    const res = await api(httpEvent('GET', '/v1/recommendations', query ? { query } : {}));
    return (JSON.parse(res.body!) as { recommendations: { version: number }[] }).recommendations[0]!.version;
  };
  return { versionSeen, reads: () => reads, advance: (ms: number) => (clockMs += ms), write: () => version++ };
}

describe('memoized reads', () => {
  it('a herd on one key costs one store read; another query is another key', async () => {
    const t = setup();
    for (let i = 0; i < 10; i++) {
      await t.versionSeen();
      t.advance(100);
    }
    expect(t.reads()).toBe(2); // one read per profile
    await t.versionSeen({ units: 'percent' });
    expect(t.reads()).toBe(4);
  });

  it('a read after a quiet second sees a write made before it', async () => {
    const t = setup();
    expect(await t.versionSeen()).toBe(1);
    t.write();
    t.advance(1000);
    expect(await t.versionSeen()).toBe(2);
  });

  it('a herd sees a write within two refresh periods', async () => {
    const t = setup();
    await t.versionSeen();
    t.write();
    const seen: number[] = [];
    for (let elapsed = 0; elapsed < 6000; elapsed += 500) {
      t.advance(500);
      seen.push(await t.versionSeen());
      await new Promise((r) => setImmediate(r));
    }
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { ResponseCache, type RenderedResponse } from '../../../shared/api/cache.js';

const rendered = (body: string): RenderedResponse => ({ statusCode: 200, headers: {}, body, etag: `"${body}"` });

/** idle after 1 s without a request; refreshed after 5 s; a fake clock and a counting loader. */
function setup(policy = { idleMs: 1000, refreshMs: 5000 }) {
  let clock = 0;
  let loads = 0;
  let next = 'v1';
  const errors: unknown[] = [];
  const cache = new ResponseCache({ ...policy, maxEntries: 3, maxBodyChars: 10, clockMs: () => clock, onRefreshError: (_k, e) => errors.push(e) });
  const load = async () => {
    loads++;
    return rendered(next);
  };
  return {
    cache,
    load,
    errors,
    loads: () => loads,
    advance: (ms: number) => (clock += ms),
    setNext: (v: string) => (next = v),
  };
}

const settle = () => new Promise((r) => setImmediate(r));

/** Requests `key` every 500 ms (a hot key) for `ms`. */
async function poll(t: ReturnType<typeof setup>, key: string, ms: number) {
  for (let elapsed = 0; elapsed < ms; elapsed += 500) {
    t.advance(500);
    await t.cache.get(key, t.load);
  }
}

/** A cache that loaded 'k' once (v1), while the store has moved on to v2 since. */
async function afterAWrite() {
  const t = setup();
  await t.cache.get('k', t.load);
  t.setNext('v2');
  return t;
}

describe('ResponseCache', () => {
  it('answers a hot key from memory', async () => {
    const t = setup();
    expect((await t.cache.get('k', t.load)).body).toBe('v1');
    t.setNext('v2');
    await poll(t, 'k', 4500);
    expect((await t.cache.get('k', t.load)).body).toBe('v1');
    expect(t.loads()).toBe(1);
  });

  it('a lone request after a quiet spell reads the store, so it sees an earlier write', async () => {
    const t = await afterAWrite();
    t.advance(1000);
    expect((await t.cache.get('k', t.load)).body).toBe('v2');
    expect(t.loads()).toBe(2);
  });

  it('a hot entry past refreshMs is served while one background read replaces it', async () => {
    const t = setup();
    await t.cache.get('k', t.load);
    await poll(t, 'k', 4500);
    let release!: () => void;
    let refreshes = 0;
    const slowLoad = () => {
      refreshes++;
      return new Promise<RenderedResponse>((resolve) => (release = () => resolve(rendered('v2'))));
    };
    t.advance(500); // 5 s old
    expect((await t.cache.get('k', slowLoad)).body).toBe('v1');
    t.advance(500);
    expect((await t.cache.get('k', slowLoad)).body).toBe('v1');
    expect(refreshes).toBe(1);
    release();
    await settle();
    t.advance(500);
    expect((await t.cache.get('k', t.load)).body).toBe('v2');
    expect(t.loads()).toBe(1);
  });

  it('a hot entry past twice refreshMs is read in line', async () => {
    const t = await afterAWrite();
    const failing = () => Promise.reject(new Error('down'));
    for (let i = 0; i < 19; i++) {
      t.advance(500);
      expect((await t.cache.get('k', failing)).body).toBe('v1'); // refreshes keep failing: the stale entry stays
      await settle();
    }
    t.advance(500); // 10 s old
    expect((await t.cache.get('k', t.load)).body).toBe('v2');
    expect(t.errors).toHaveLength(10); // one failed refresh per request from 5 s to 9.5 s
  });

  it('shares one load between concurrent misses of a key', async () => {
    const t = setup();
    const [a, b] = await Promise.all([t.cache.get('k', t.load), t.cache.get('k', t.load)]);
    expect(a).toBe(b);
    expect(t.loads()).toBe(1);
  });

  it('does not keep failures', async () => {
    const t = setup();
    await expect(t.cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(t.cache.size).toBe(0);
    expect((await t.cache.get('k', t.load)).body).toBe('v1');
  });

  it('keeps at most maxEntries, dropping the least recently stored', async () => {
    const t = setup();
    for (const key of ['a', 'b', 'c', 'd']) await t.cache.get(key, t.load);
    expect(t.cache.size).toBe(3);
    await t.cache.get('a', t.load);
    expect(t.loads()).toBe(5);
  });

  it('keeps at most maxBodyChars of bodies, and never an entry larger than that', async () => {
    const t = setup();
    t.setNext('12345');
    await t.cache.get('a', t.load);
    await t.cache.get('b', t.load);
    expect(t.cache.heldChars).toBe(10);
    await t.cache.get('c', t.load);
    expect([t.cache.size, t.cache.heldChars]).toEqual([2, 10]);
    t.setNext('x'.repeat(11));
    await t.cache.get('big', t.load);
    await t.cache.get('big', t.load);
    expect(t.loads()).toBe(5);
    expect(t.cache.heldChars).toBe(10);
  });

  it('idleMs 0 turns it off', async () => {
    const t = setup({ idleMs: 0, refreshMs: 5000 });
    await t.cache.get('k', t.load);
    await t.cache.get('k', t.load);
    expect(t.loads()).toBe(2);
    expect(t.cache.size).toBe(0);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../local/runtime.js';

/**
 * The local runtime end to end: real DynamoDB-API server on disk, the four handlers in process, the
 * HTTP API on a free port, the seeded simulator, proposals in the outbox folder.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'advisor-e2e-'));
let runtime: Runtime | undefined;

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${runtime!.url}${path}`, { headers });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes are asserted field by field
  return { status: res.status, headers: res.headers, body: (res.status === 304 ? null : await res.json()) as any };
}

async function waitForRun(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await get(`/v1/runs/${id}`);
    if (['succeeded', 'partial', 'failed', 'interrupted'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('local runtime, end to end', () => {
  let firstRunId: string | null = null;
  const assets = ['AAVE', 'BTC', 'CRV', 'DOGE', 'ETH', 'LINK', 'SOL', 'UNI'];

  it('starts, creates the table and runs a cycle that covers every asset and both profiles', async () => {
    runtime = await startRuntime({ dataDir, port: 0, apiToken: 'e2e-token-0123456789abcdef' });
    expect(runtime.tableCreated).toBe(true);
    const cycle = await runtime.runCycle();
    firstRunId = cycle.runId;
    expect(firstRunId).toMatch(/^[0-9A-Z]{26}$/);
    const { status, body } = await get('/v1/recommendations');
    expect(status).toBe(200);
    expect(body.simulated).toBe(true);
    const keys = body.recommendations.map((r: { asset: string; profileId: string }) => `${r.asset}/${r.profileId}`);
    expect(keys).toEqual(assets.flatMap((a) => [`${a}/aave-v3-ethereum`, `${a}/perp-dex`]));
    for (const r of body.recommendations) {
      expect(r.simulated).toBe(true);
      expect(r.inputsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(r.rationale.length).toBeGreaterThan(0);
    }
  });

  it('answers every read endpoint', async () => {
    expect((await get('/v1/health')).body.status).toBe('ok');
    const btc = await get('/v1/recommendations/BTC');
    expect(btc.body.recommendations).toHaveLength(2);
    const history = await get('/v1/recommendations/ETH/history?profile=perp-dex&limit=5');
    expect(history.body.items).toHaveLength(1);
    const run = await get(`/v1/runs/${firstRunId}`);
    expect(run.body).toMatchObject({ status: 'succeeded', trigger: 'schedule' });
    expect(run.body.recommendations).toHaveLength(16);
    const etag = btc.headers.get('etag')!;
    expect((await get('/v1/recommendations/BTC', { 'if-none-match': etag })).status).toBe(304);
  });

  it('wrote the cycle\'s proposals to the outbox and marked them sent', async () => {
    const run = (await get(`/v1/runs/${firstRunId}`)).body;
    expect(run.proposals.length).toBeGreaterThan(0);
    for (const id of run.proposals) {
      const file = join(runtime!.outboxDir, `${id}.md`);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(/SIMULATED/);
    }
  });

  it('POST /v1/recompute: 401 without the token, 202 with it; the run finishes with new versions and, per market, a proposal or why none', async () => {
    const url = `${runtime!.url}/v1/recompute`;
    const denied = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"assets":["BTC"]}' });
    expect(denied.status).toBe(401);
    const accepted = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${runtime!.apiToken}` },
      body: JSON.stringify({ assets: ['BTC', 'ETH'], reason: 'e2e' }),
    });
    expect(accepted.status).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    const run = await waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect(run.recommendations).toEqual(
      expect.arrayContaining([
        { asset: 'BTC', profileId: 'aave-v3-ethereum', version: 2 },
        { asset: 'ETH', profileId: 'perp-dex', version: 2 },
      ]),
    );
    expect((await get('/v1/recommendations/SOL/history?profile=perp-dex')).body.items).toHaveLength(1); // not recomputed
    await runtime!.idle();
    // Issue 16: minutes after the first cycle published, a market gets a proposal only for news that
    // cannot wait (an emergency); otherwise the run says why it wrote none.
    expect(run.publication.map((d: { profileId: string }) => d.profileId).sort()).toEqual(['aave-v3-ethereum', 'perp-dex']);
    for (const d of run.publication) {
      if (d.publish) expect(d.decision).toBe('publish-emergency');
      else expect(d.decision).toMatch(/^(held-no-material-change|held-min-interval|nothing-to-propose)$/);
      expect(d.summary.length).toBeGreaterThan(0);
    }
    expect(run.proposals).toHaveLength(run.publication.filter((d: { publish: boolean }) => d.publish).length);
    for (const id of run.proposals) expect(existsSync(join(runtime!.outboxDir, `${id}.md`))).toBe(true);
  });

  it('a restart on the same data directory keeps the history', async () => {
    await runtime!.stop();
    runtime = await startRuntime({ dataDir, port: 0, apiToken: 'e2e-token-0123456789abcdef' });
    expect(runtime.tableCreated).toBe(false);
    const history = await get('/v1/recommendations/BTC/history?profile=aave-v3-ethereum');
    expect(history.body.items.map((r: { version: number }) => r.version)).toEqual([2, 1]);
    await runtime.runCycle();
    const after = await get('/v1/recommendations/BTC/history?profile=aave-v3-ethereum');
    expect(after.body.items[0].version).toBe(3);
  });
});

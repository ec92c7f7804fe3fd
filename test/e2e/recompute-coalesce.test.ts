import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../local/runtime.js';

/**
 * Issue 12 (3), end to end on the local runtime (real DynamoDB-API server, the handlers in process, the
 * HTTP API on a free port): 20 concurrent recomputes of the same assets are one run and draft at most
 * one proposal per market.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'advisor-coalesce-'));
let runtime: Runtime | undefined;

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('concurrent recomputes on the local runtime', () => {
  it('20 concurrent POST /v1/recompute: 1 run, the other 19 joined it, <= 1 proposal per market', async () => {
    runtime = await startRuntime({ dataDir, port: 0, apiToken: 'e2e-token-0123456789abcdef', rateLimit: null });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${runtime!.url}/v1/recompute`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${runtime!.apiToken}` },
          body: JSON.stringify({ assets: ['BTC'], reason: 'coalesce e2e' }),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(202));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { runId: string; coalesced: boolean }[];
    expect(new Set(bodies.map((b) => b.runId)).size).toBe(1);
    expect(bodies.filter((b) => !b.coalesced)).toHaveLength(1);
    await runtime.idle();
    const run = (await (await fetch(`${runtime.url}/v1/runs/${bodies[0]!.runId}`)).json()) as { status: string; proposals: string[] };
    expect(run.status).toBe('succeeded');
    const proposals = (await (await fetch(`${runtime.url}/v1/proposals?limit=100`)).json()) as { items: { profileId: string; runId: string }[] };
    const perMarket = new Map<string, number>();
    for (const p of proposals.items) perMarket.set(p.profileId, (perMarket.get(p.profileId) ?? 0) + 1);
    for (const [market, count] of perMarket) expect(count, market).toBeLessThanOrEqual(1);
    expect(proposals.items.every((p) => p.runId === bodies[0]!.runId)).toBe(true);
  }, 120_000); // a whole run on a shared machine: room, not a speed assertion
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../local/runtime.js';
import type { LendingProfile } from '../../shared/config/schema.js';
import { payloadViolations } from '../../shared/governance/steward/payload.js';
import type { Proposal } from '../../shared/model/proposal.js';
import { decodeBatch, decodedTable, expectedTable } from '../support/steward.js';

/**
 * issue 16 (3), acceptance: every outbox proposal of a lending market has a Safe batch beside it whose decoded calls
 * equal its bounded steps, within the steward's bounds of the current values; GET /v1/proposals/{id}/payload serves
 * it (404 for an unknown id, and for a perp proposal, which has no steward). One local cycle on the seeded simulator.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'advisor-steward-'));
let runtime: Runtime;
let proposals: Proposal[];

beforeAll(async () => {
  runtime = await startRuntime({ dataDir, port: 0, apiToken: 'e2e-token-0123456789abcdef', clockMs: Date.UTC(2026, 11, 1), rateLimit: null });
  await runtime.runCycle();
  proposals = (await runtime.deps.store.proposals.list({ limit: 100 })).items;
}, 240_000);

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const profileOf = (p: Proposal) => runtime.deps.config.profiles.find((q) => q.id === p.profileId)!;

describe('steward payloads of a local cycle', () => {
  it('every lending proposal has a batch in the outbox whose decoded calls equal its step table and its change table', () => {
    const lending = proposals.filter((p) => profileOf(p).kind === 'lending');
    expect(lending.length).toBeGreaterThan(0);
    for (const proposal of lending) {
      const profile = profileOf(proposal) as LendingProfile;
      const batch = proposal.steward!.batch!;
      expect(proposal.status).toBe('sent');
      const file = proposal.externalRef!.replace(/\.md$/, '.safe.json');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(batch);
      const decoded = decodedTable(decodeBatch(batch, profile.steward!.address));
      const stored = new Map(proposal.steward!.rows.map((r) => [r.tokenAddress.toLowerCase(), {
        ltvBps: r.ltvBps, liquidationThresholdBps: r.liquidationThresholdBps, liquidationBonusBps: r.liquidationBonusBps, supplyCapTokens: r.supplyCapTokens, borrowCapTokens: r.borrowCapTokens,
      }]));
      expect(decoded).toEqual(stored);
      expect(decoded).toEqual(expectedTable(proposal, profile));
      expect(payloadViolations(proposal.steward!, profile.steward!.riskConfig)).toEqual([]);
      expect(proposal.markdown).toContain(`/v1/proposals/${proposal.id}/payload`);
    }
  });

  it('perp proposals have none, and no file', () => {
    const perp = proposals.filter((p) => profileOf(p).kind === 'perp');
    expect(perp.length).toBeGreaterThan(0);
    for (const p of perp) {
      expect(p.steward).toBeUndefined();
      expect(existsSync(p.externalRef!.replace(/\.md$/, '.safe.json'))).toBe(false);
    }
  });

  it('GET /v1/proposals/{id}/payload: 200 with the batch, 404 for an unknown id and for a perp proposal', async () => {
    const lending = proposals.find((p) => profileOf(p).kind === 'lending')!;
    const ok = await fetch(`${runtime.url}/v1/proposals/${lending.id}/payload`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/application\/json/);
    expect(await ok.json()).toEqual(lending.steward!.batch);
    const unknown = await fetch(`${runtime.url}/v1/proposals/nope/payload`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('NOT_FOUND');
    const perp = proposals.find((p) => profileOf(p).kind === 'perp')!;
    const none = await fetch(`${runtime.url}/v1/proposals/${perp.id}/payload`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { detail: string }).detail).toMatch(/no steward payload/);
  });
});

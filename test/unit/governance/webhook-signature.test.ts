import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signWebhook, signaturePayload, verifyWebhook, webhookPayload } from '../../../shared/governance/webhook.js';
import { forumProposal } from '../../support/publish-fixtures.js';

const SECRET = 'whsec_test_0123456789abcdef0123456789abcdef';
const BODY = '{"hello":"world"}';

describe('webhook signature', () => {
  it('is v1= hex HMAC-SHA256 over "<timestamp>.<body>" (known answer from openssl)', () => {
    // printf '%s' '1732540000.{"hello":"world"}' | openssl dgst -sha256 -hmac "$SECRET"
    expect(signaturePayload(1_732_540_000, BODY)).toBe('1732540000.{"hello":"world"}');
    expect(signWebhook(SECRET, 1_732_540_000, BODY)).toBe('v1=5997a90cea592f2d4baa09c5c02e09fdef527f7a44ad68a31ef9b06517bcd173');
  });

  const check = (overrides: Partial<Parameters<typeof verifyWebhook>[0]> = {}) =>
    verifyWebhook({ secret: SECRET, body: BODY, signature: signWebhook(SECRET, 1_000, BODY), timestamp: '1000', nowSeconds: 1_100, ...overrides });

  it('verifies, and refuses a missing, malformed, stale or mismatching signature', () => {
    expect(check()).toEqual({ ok: true });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(check({ timestamp: '1e3' })).toEqual({ ok: false, reason: 'malformed' });
    expect(check({ signature: 'sha256=abc' })).toEqual({ ok: false, reason: 'malformed' });
    expect(check({ nowSeconds: 1_000 + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(check({ nowSeconds: 1_000 - 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(check({ nowSeconds: 1_000 + 300 })).toEqual({ ok: true });
    expect(check({ secret: `${SECRET}x` })).toEqual({ ok: false, reason: 'mismatch' });
    // The timestamp is inside the MAC: a fresh header on an old signature does not pass.
    expect(check({ timestamp: '1050' })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('any change to the body breaks the signature', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat({ max: 100 }), (insert, at) => {
        const position = Math.min(at, BODY.length);
        const tampered = BODY.slice(0, position) + insert + BODY.slice(position);
        fc.pre(tampered !== BODY);
        return check({ body: tampered }).ok === false;
      }),
    );
  });
});

describe('webhook payload', () => {
  it('carries the proposal and a machine-readable parameter table, and is keyed by the proposal id', () => {
    const payload = webhookPayload(forumProposal('hook-x', ['ETH'], { createdAtMs: Date.UTC(2026, 0, 2) }));
    expect(payload).toMatchObject({
      type: 'leverage-advisor.proposal',
      schemaVersion: 1,
      idempotencyKey: 'hook-x',
      proposal: { id: 'hook-x', createdAt: '2026-01-02T00:00:00.000Z', simulated: false },
    });
    expect(payload.parameters).toEqual([
      {
        asset: 'ETH',
        parameter: 'liquidationThresholdBps',
        label: 'Liquidation threshold',
        unit: 'bps',
        current: 7800,
        proposed: 7750,
        target: 7500,
        change: '-0.50 pp (tighten)',
        direction: 'tighten',
        display: { current: '78.00 %', proposed: '77.50 %', target: '75.00 %' },
        status: 'bounded-needs-vote',
        stress: false,
        reason: 'LT for ETH',
        guardRail: 'bounded step',
      },
    ]);
  });
});

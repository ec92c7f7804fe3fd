import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscourseSink, proposalMarker } from '../../shared/governance/discourse.js';
import { dispatchOutbox } from '../../shared/governance/outbox.js';
import { InsecureUrlError } from '../../shared/governance/errors.js';
import { SecretValue, StaticSecret } from '../../shared/governance/secrets.js';
import { FanOutSink, type ProposalSink } from '../../shared/governance/sinks.js';
import { WebhookSink, type WebhookPayload } from '../../shared/governance/webhook.js';
import type { ProposalRepository } from '../../shared/store/proposals.js';
import type { Store } from '../../shared/store/index.js';
import { RecordingServer, startFakeDiscourse } from '../support/discourse-server.js';
import { forumProposal, testPolicy } from '../support/publish-fixtures.js';
import { usePublishTable } from '../support/publish-table.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The signed webhook against a receiver on loopback that verifies what docs/publishing.md says a
 * receiver must: the HMAC over `<timestamp>.<raw body>`, a fresh timestamp, and Idempotency-Key.
 */

const SECRET = 'whsec_0123456789abcdef0123456789abcdef';
const isPost = () => true;

const ctx = usePublishTable();
let receiver: WebhookReceiver;

beforeEach(async () => {
  receiver = await new WebhookReceiver({ secret: SECRET }).start();
});
afterEach(async () => {
  await receiver.stop();
});

function webhook(overrides: Partial<ConstructorParameters<typeof WebhookSink>[0]> = {}): WebhookSink {
  return new WebhookSink({ url: receiver.url, secret: new StaticSecret(new SecretValue(SECRET), 'ADVISOR_WEBHOOK_SECRET'), policy: testPolicy(ctx.clock), ...overrides });
}

function dispatch(sink: ProposalSink, s: Store = ctx.store) {
  return dispatchOutbox({ store: s, sink, maxAttempts: 3, now: ctx.clock.now });
}

describe('signed webhook', () => {
  it('delivers the proposal and its parameter table, signed; the receiver verifies it and keeps it', async () => {
    const p = forumProposal('hook-1', ['BTC', 'ETH']);
    await ctx.store.proposals.createPending(p);
    const fromSeconds = Math.floor(Date.now() / 1000);
    expect((await dispatch(webhook())).sent).toEqual(['hook-1']);
    const toSeconds = Math.ceil(Date.now() / 1000);
    expect(receiver.rejected).toEqual([]);
    const delivery = receiver.accepted.get('hook-1')!;
    const payload = JSON.parse(delivery.body) as WebhookPayload;
    expect(payload).toMatchObject({ type: 'leverage-advisor.proposal', idempotencyKey: 'hook-1', proposal: { id: 'hook-1', title: p.title, markdown: p.markdown, simulated: false } });
    expect(payload.parameters[0]).toMatchObject({
      asset: 'BTC',
      parameter: 'liquidationThresholdBps',
      label: 'Liquidation threshold',
      current: 7800,
      proposed: 7750,
      target: 7500,
      change: '-0.50 pp (tighten)',
      display: { current: '78.00 %', proposed: '77.50 %', target: '75.00 %' },
    });
    // Signed when sent (bracketed by the clock around the dispatch, however slow the machine).
    expect(delivery.timestamp).toBeGreaterThanOrEqual(fromSeconds);
    expect(delivery.timestamp).toBeLessThanOrEqual(toSeconds);
    expect(await ctx.store.proposals.get('hook-1')).toMatchObject({ status: 'sent', externalRef: 'webhook:rcv-1' });
  });

  it('a wrong secret is refused by the receiver (401); the attempt counts and is not repeated in place', async () => {
    await ctx.store.proposals.createPending(forumProposal('hook-bad', ['BTC']));
    const wrong = webhook({ secret: new StaticSecret(new SecretValue('not-the-secret-0123456789abcdefgh'), 'test') });
    expect((await dispatch(wrong)).retrying).toEqual(['hook-bad']);
    expect(receiver.rejected).toEqual([{ status: 401, reason: 'bad signature' }]);
    expect((await ctx.store.proposals.get('hook-bad'))?.lastError).toBe('webhook: POST /hooks/advisor -> 401: bad signature');
  });

  it('a stale timestamp is refused, and so is a valid delivery replayed after the tolerance', async () => {
    await ctx.store.proposals.createPending(forumProposal('hook-stale', ['BTC']));
    const skewed = webhook({ nowSeconds: () => Date.now() / 1000 - 600 });
    await dispatch(skewed);
    expect(receiver.rejected).toEqual([{ status: 401, reason: 'stale timestamp' }]);

    await dispatch(webhook());
    const valid = receiver.accepted.get('hook-stale')!;
    // Replaying the captured request (same body, timestamp and signature) ten minutes later.
    const later = await new WebhookReceiver({ secret: SECRET, nowSeconds: () => valid.timestamp + 600 }).start();
    try {
      const signature = `v1=${createHmac('sha256', SECRET).update(`${valid.timestamp}.${valid.body}`).digest('hex')}`;
      const response = await fetch(later.url, {
        method: 'POST',
        headers: { 'X-Signature': signature, 'X-Signature-Timestamp': String(valid.timestamp), 'Idempotency-Key': 'hook-stale' },
        body: valid.body,
      });
      expect(response.status).toBe(401);
      expect(later.rejected).toEqual([{ status: 401, reason: 'stale timestamp' }]);
    } finally {
      await later.stop();
    }
  });

  it('500s and timeouts are retried; the receiver keeps one delivery per Idempotency-Key', async () => {
    let answer!: () => void;
    receiver.fault({ match: isPost, respond: { status: 500 } });
    receiver.fault({ match: isPost, respondAfter: new Promise<void>((resolve) => (answer = resolve)) });
    await ctx.store.proposals.createPending(forumProposal('hook-retry', ['BTC']));
    const result = await dispatch(webhook());
    answer();
    expect(result.sent).toEqual(['hook-retry']);
    expect(ctx.clock.sleeps).toEqual([30, 60]);
    expect(receiver.deliveries.map((d) => d.idempotencyKey)).toEqual(['hook-retry', 'hook-retry']);
    expect(receiver.accepted.size).toBe(1);
  });

  it('a 422 from the receiver fails the proposal at once with its message', async () => {
    receiver.fault({ match: isPost, respond: { status: 422, body: { error: 'unknown profile aave-v3-ethereum' } } });
    await ctx.store.proposals.createPending(forumProposal('hook-422', ['BTC']));
    expect((await dispatch(webhook())).failed).toEqual(['hook-422']);
    expect(await ctx.store.proposals.get('hook-422')).toMatchObject({ status: 'failed', lastError: 'webhook: POST /hooks/advisor -> 422: unknown profile aave-v3-ethereum' });
  });

  it('a 307 from the receiver is a delivery error naming its Location: the signed body never reaches the other host', async () => {
    const elsewhere = await new RecordingServer(() => [200, { id: 'elsewhere' }]).start();
    const front = await new RecordingServer(() => [307, {}, { Location: `${elsewhere.url}/collect` }]).start();
    try {
      await ctx.store.proposals.createPending(forumProposal('hook-307', ['BTC']));
      expect((await dispatch(webhook({ url: `${front.url}/hooks/advisor` }))).failed).toEqual(['hook-307']);
      expect(elsewhere.received).toEqual([]);
      expect(front.received).toHaveLength(1);
      expect((await ctx.store.proposals.get('hook-307'))!.lastError).toContain(`${elsewhere.url}/collect`);
    } finally {
      await front.stop();
      await elsewhere.stop();
    }
  });

  it('refuses a webhook URL that is plain http off this machine', () => {
    expect(() => webhook({ url: 'http://hooks.example.org/advisor' })).toThrow(InsecureUrlError);
    expect(() => webhook({ url: 'https://hooks.example.org/advisor' })).not.toThrow();
  });

  it('a crash between delivery and record: redelivered with the same Idempotency-Key, a fresh signature, and kept once', async () => {
    await ctx.store.proposals.createPending(forumProposal('hook-crash', ['BTC']));
    const crashing: Store = {
      ...ctx.store,
      proposals: Object.assign(Object.create(Object.getPrototypeOf(ctx.store.proposals) as object) as ProposalRepository, ctx.store.proposals, {
        markSent: async () => {
          throw new Error('killed');
        },
      }),
    };
    expect((await dispatch(webhook({ nowSeconds: () => Math.floor(Date.now() / 1000) - 5 }), crashing)).unconfirmed).toEqual(['hook-crash']);
    expect((await dispatch(webhook())).sent).toEqual(['hook-crash']);
    const [first, second] = receiver.deliveries;
    expect(second!.timestamp).toBeGreaterThan(first!.timestamp);
    expect(second!.body).toBe(first!.body);
    expect(receiver.accepted.size).toBe(1);
    expect((await ctx.store.proposals.get('hook-crash'))?.externalRef).toBe('webhook:rcv-1');
  });

  it('the secret never reaches the outbox, even when the receiver echoes it', async () => {
    receiver.fault({ match: isPost, times: 3, respond: { status: 500, body: { error: `expected secret ${SECRET}` } } });
    await ctx.store.proposals.createPending(forumProposal('hook-echo', ['BTC']));
    await dispatch(webhook());
    expect((await ctx.store.proposals.get('hook-echo'))?.lastError).toBe('webhook: POST /hooks/advisor -> 500: expected secret [redacted]');
  });
});

describe('Discourse and webhook together', () => {
  it('when the webhook fails after the forum post, the retry finds the post and delivers the webhook: one post, one delivery', async () => {
    const forum = await startFakeDiscourse({ apiKey: 'fanout-key-0123456789abcdef', apiUsername: 'advisor', now: ctx.clock.now });
    try {
      const discourse = new DiscourseSink({
        baseUrl: forum.url,
        categoryId: 1,
        apiUsername: 'advisor',
        apiKey: new StaticSecret(new SecretValue('fanout-key-0123456789abcdef'), 'test'),
        policy: testPolicy(ctx.clock),
      });
      const both = new FanOutSink([discourse, webhook()]);
      expect(both).toMatchObject({ target: 'discourse+webhook', isPublic: true });
      receiver.fault({ match: isPost, times: 3, respond: { status: 503 } });
      await ctx.store.proposals.createPending(forumProposal('both-1', ['BTC']));
      expect((await dispatch(both)).retrying).toEqual(['both-1']);
      expect((await dispatch(both)).sent).toEqual(['both-1']);
      const [post] = forum.postsWith(proposalMarker('both-1'));
      expect(forum.posts).toEqual([post]);
      expect(receiver.accepted.size).toBe(1);
      expect((await ctx.store.proposals.get('both-1'))?.externalRef).toBe(`${forum.url}/p/${post!.id} webhook:rcv-1`);
    } finally {
      await forum.stop();
    }
  });
});

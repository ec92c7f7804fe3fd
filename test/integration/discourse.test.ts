import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscourseSink, externalIdOf, proposalMarker, threadKeyOf } from '../../shared/governance/discourse.js';
import { dispatchOutbox, type DispatchDeps } from '../../shared/governance/outbox.js';
import { InsecureUrlError } from '../../shared/governance/errors.js';
import { SecretValue, StaticSecret } from '../../shared/governance/secrets.js';
import { LocalOutboxSink } from '../../shared/governance/sinks.js';
import type { Proposal } from '../../shared/model/proposal.js';
import type { ProposalRepository } from '../../shared/store/proposals.js';
import type { Store } from '../../shared/store/index.js';
import { RecordingServer, startFakeDiscourse, type FakeDiscourse } from '../support/discourse-server.js';
import { forumProposal, testPolicy } from '../support/publish-fixtures.js';
import { usePublishTable } from '../support/publish-table.js';

/**
 * The Discourse target against a Discourse-like forum on loopback (real HTTP through axios) and the
 * outbox in a real DynamoDB-API server: topics and replies, rate limits, validation errors, 500s,
 * timeouts, and crashes between the post and its record. The forum's post count is the judge.
 */

const API_KEY = 'discourse-api-key-0123456789abcdef0123456789abcdef';
const API_USER = 'leverage-advisor';
const CATEGORY = 7;
const isPost = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/posts.json';

const ctx = usePublishTable();
let forum: FakeDiscourse;

beforeEach(async () => {
  forum = await startFakeDiscourse({ apiKey: API_KEY, apiUsername: API_USER, categories: [CATEGORY], now: ctx.clock.now });
});
afterEach(async () => {
  await forum.stop();
});

function sink(overrides: Partial<ConstructorParameters<typeof DiscourseSink>[0]> = {}): DiscourseSink {
  return new DiscourseSink({
    baseUrl: forum.url,
    categoryId: CATEGORY,
    apiUsername: API_USER,
    apiKey: new StaticSecret(new SecretValue(API_KEY), 'ADVISOR_DISCOURSE_API_KEY'),
    policy: testPolicy(ctx.clock),
    ...overrides,
  });
}

function dispatch(target: DiscourseSink, extra: Partial<DispatchDeps> = {}) {
  return dispatchOutbox({ store: ctx.store, sink: target, maxAttempts: 3, now: ctx.clock.now, ...extra });
}

async function pending(...proposals: Proposal[]): Promise<void> {
  for (const p of proposals) await ctx.store.proposals.createPending(p);
}

/** The outbox repository with some methods replaced (a crash injected where the real one would write). */
function withProposals(overrides: Partial<ProposalRepository>): Store {
  const proposals = Object.assign(Object.create(Object.getPrototypeOf(ctx.store.proposals) as object) as ProposalRepository, ctx.store.proposals, overrides);
  return { ...ctx.store, proposals };
}

describe('Discourse: topics and replies', () => {
  it('opens a topic for a new asset set, replies in it for the same set, and opens another for a different set', async () => {
    const first = forumProposal('p-first', ['BTC', 'ETH']);
    await pending(first);
    expect((await dispatch(sink())).sent).toEqual(['p-first']);

    expect(forum.topics).toHaveLength(1);
    const topic = forum.topics[0]!;
    expect(topic).toMatchObject({ categoryId: CATEGORY, externalId: threadKeyOf(first) });
    expect(topic.title).toBe(`${first.title} (${new Date(first.createdAtMs).toISOString().slice(0, 10)})`);
    const post = topic.posts[0]!;
    expect(post.raw).toContain('## Summary');
    expect(post.raw).toContain(proposalMarker('p-first'));
    expect(await ctx.store.proposals.get('p-first')).toMatchObject({ status: 'sent', externalRef: `${forum.url}/p/${post.id}`, attempts: 1 });

    // The same set, listed in another order, in a later run: a reply in the same topic.
    await pending(forumProposal('p-update', ['ETH', 'BTC'], { createdAtMs: ctx.clock.now() }));
    expect((await dispatch(sink())).sent).toEqual(['p-update']);
    expect(forum.topics).toHaveLength(1);
    expect(topic.posts.map((p) => p.raw.includes(proposalMarker('p-update')))).toEqual([false, true]);

    await pending(forumProposal('p-other', ['SOL']));
    await dispatch(sink());
    expect(forum.topics).toHaveLength(2);
    expect(forum.topics[1]!.externalId).toBe(threadKeyOf(forumProposal('x', ['SOL'])));
    expect(forum.posts).toHaveLength(3);
  });

  it('opens the next generation of the thread when moderators closed the topic; later updates reply there', async () => {
    const first = forumProposal('gen-1', ['BTC']);
    await pending(first);
    await dispatch(sink());
    forum.close(forum.topics[0]!.id);

    await pending(forumProposal('gen-2', ['BTC']), forumProposal('gen-3', ['BTC']));
    expect((await dispatch(sink())).sent.sort()).toEqual(['gen-2', 'gen-3']);
    expect(forum.topics.map((t) => [t.externalId, t.posts.length])).toEqual([
      [externalIdOf(threadKeyOf(first), 1), 1],
      [externalIdOf(threadKeyOf(first), 2), 2],
    ]);
  });

  it('a topic closed between the lookup and the reply: the refused reply opens the next generation instead', async () => {
    await pending(forumProposal('race-1', ['ETH']));
    await dispatch(sink());
    const first = forum.topics[0]!;
    // A moderator closes the topic just as the reply arrives.
    forum.chaos = ({ method }) => {
      if (method === 'POST' && !first.closed) forum.close(first.id);
      return null;
    };
    await pending(forumProposal('race-2', ['ETH']));
    expect((await dispatch(sink())).sent).toEqual(['race-2']);
    expect(forum.requests.filter(isPost).map((r) => r.status)).toEqual([200, 403, 200]);
    expect(forum.topics.map((t) => t.posts.length)).toEqual([1, 1]);
    expect(forum.topics[1]!.externalId).toBe(externalIdOf(threadKeyOf(forumProposal('x', ['ETH'])), 2));
    expect(forum.topics[1]!.title).toMatch(/, part 2\)$/);
  });

  it("a topic deleted by moderators: its external_id stays taken, so the thread goes on in part 2", async () => {
    await pending(forumProposal('del-1', ['LINK']));
    await dispatch(sink());
    forum.delete(forum.topics[0]!.id);
    await pending(forumProposal('del-2', ['LINK']), forumProposal('del-3', ['LINK']));
    expect((await dispatch(sink())).sent.sort()).toEqual(['del-2', 'del-3']);
    expect(forum.topics.map((t) => [t.externalId?.endsWith('-g2') ?? false, Boolean(t.deleted), t.posts.length])).toEqual([
      [false, true, 1],
      [true, false, 2],
    ]);
  });

  it('counts only its own posts: a member quoting the marker does not stop the advisor from posting', async () => {
    await pending(forumProposal('quoted-1', ['BTC']));
    await dispatch(sink());
    forum.addForeignPost(forum.topics[0]!.id, 'alice', `Will the advisor post \`${proposalMarker('quoted-2')}\` soon?`);
    await pending(forumProposal('quoted-2', ['BTC']));
    expect((await dispatch(sink())).sent).toEqual(['quoted-2']);
    expect(forum.postsWith(proposalMarker('quoted-2')).map((p) => p.username)).toEqual(['alice', API_USER]);
  });

  it('never sends simulated proposals to the forum; the local outbox takes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-outbox-'));
    await pending(forumProposal('sim-1', ['BTC'], { simulated: true }), forumProposal('real-1', ['ETH']));
    const result = await dispatch(sink(), { simulatedSink: new LocalOutboxSink(dir) });
    expect(result.sent.sort()).toEqual(['real-1', 'sim-1']);
    expect(readdirSync(dir)).toEqual(['sim-1.md']);
    expect(forum.postsWith(proposalMarker('sim-1'))).toEqual([]);
    expect(forum.posts).toHaveLength(1);

    await pending(forumProposal('sim-2', ['BTC'], { simulated: true }));
    expect((await dispatch(sink())).heldBack).toEqual(['sim-2']);
    expect(forum.postsWith(proposalMarker('sim-2'))).toEqual([]);
  });
});

describe('Discourse: rate limits and validation errors', () => {
  it("a 429 waits what Discourse asked for (extras.wait_seconds / Retry-After), then posts once", async () => {
    forum.rateLimit(isPost, 3);
    await pending(forumProposal('limited', ['BTC']));
    expect((await dispatch(sink())).sent).toEqual(['limited']);
    expect(ctx.clock.sleeps).toEqual([3_000]);
    // Had the client come back early, the forum would have answered 429 again.
    expect(forum.requests.filter((r) => r.status === 429)).toHaveLength(1);
    expect(forum.posts).toHaveLength(1);
  });

  it('a wait longer than a dispatch may take defers every proposal for the forum without counting an attempt', async () => {
    forum.rateLimit(isPost, 120);
    await pending(forumProposal('later-1', ['BTC'], { createdAtMs: ctx.clock.now() - 2 }), forumProposal('later-2', ['ETH'], { createdAtMs: ctx.clock.now() - 1 }));
    const first = await dispatch(sink());
    expect(first.deferred).toEqual(['later-1', 'later-2']);
    expect(forum.requests.filter(isPost)).toHaveLength(1); // later-2 was not even tried
    expect(await ctx.store.proposals.get('later-1')).toMatchObject({ status: 'pending', attempts: 0, lastError: expect.stringContaining('429') });

    ctx.clock.advance(121_000);
    expect((await dispatch(sink())).sent).toEqual(['later-1', 'later-2']);
    expect(forum.posts).toHaveLength(2);
  });

  it("a 422 fails the proposal at once with Discourse's message, and it is never sent again", async () => {
    await forum.stop();
    forum = await startFakeDiscourse({ apiKey: API_KEY, apiUsername: API_USER, now: ctx.clock.now, minTitleChars: 120 });
    await pending(forumProposal('too-short', ['BTC']));
    const result = await dispatch(sink());
    expect(result.failed).toEqual(['too-short']);
    expect(await ctx.store.proposals.get('too-short')).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'discourse: POST /posts.json -> 422: Title is too short (minimum is 120 characters)',
    });
    expect((await dispatch(sink())).failed).toEqual([]);
    expect(forum.requests.filter(isPost)).toHaveLength(1);
    expect(ctx.clock.sleeps).toEqual([]);
  });

  it('a title already used by another topic is retried once with the thread key in it', async () => {
    const clash = forumProposal('clash', ['BTC']);
    forum.topics.push({ id: 1, title: sink().topicTitle(clash), slug: 'x', categoryId: CATEGORY, externalId: null, closed: false, archived: false, posts: [] });
    await pending(clash);
    expect((await dispatch(sink())).sent).toEqual(['clash']);
    expect(forum.topics[1]!.title).toContain(threadKeyOf(clash).slice(-8));
  });
});

describe('Discourse: failures and retries', () => {
  it('500s are retried with exponential backoff within the dispatch, then the post is made once', async () => {
    forum.fault({ match: isPost, times: 2, respond: { status: 500, body: { errors: ['Internal Server Error'] } } });
    await pending(forumProposal('flaky', ['BTC']));
    expect((await dispatch(sink())).sent).toEqual(['flaky']);
    // random() = 0.5: half of each step plus a quarter, steps 40 then 80 ms.
    expect(ctx.clock.sleeps).toEqual([30, 60]);
    expect(forum.posts).toHaveLength(1);
  });

  it('a forum that stays down: every dispatch tries three times, and the third dispatch fails it with the error', async () => {
    forum.fault({ match: isPost, times: 100, respond: { status: 503, body: 'Service Unavailable' } });
    await pending(forumProposal('down', ['BTC']));
    expect((await dispatch(sink())).retrying).toEqual(['down']);
    expect((await dispatch(sink())).retrying).toEqual(['down']);
    expect((await dispatch(sink())).failed).toEqual(['down']);
    expect(await ctx.store.proposals.get('down')).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'discourse: POST /posts.json -> 503: Service Unavailable',
    });
    expect(forum.requests.filter(isPost)).toHaveLength(9);
    expect(forum.posts).toHaveLength(0);
  });

  it('a 500 after the post was made: the retry finds the post instead of posting again', async () => {
    forum.fault({ match: isPost, after: { status: 500 } });
    await pending(forumProposal('ambiguous', ['BTC']));
    expect((await dispatch(sink())).sent).toEqual(['ambiguous']);
    const posts = forum.postsWith(proposalMarker('ambiguous'));
    expect(posts).toHaveLength(1);
    expect((await ctx.store.proposals.get('ambiguous'))?.externalRef).toBe(`${forum.url}/p/${posts[0]!.id}`);
  });

  it('a timeout after the reply was made: the retry finds the reply', async () => {
    await pending(forumProposal('t-first', ['BTC']));
    await dispatch(sink());
    let answer!: () => void;
    forum.fault({ match: isPost, respondAfter: new Promise<void>((resolve) => (answer = resolve)) });
    await pending(forumProposal('t-slow', ['BTC']));
    const result = await dispatch(sink());
    answer(); // the forum finally answers the request the client gave up on
    await forum.settle();
    expect(result.sent).toEqual(['t-slow']);
    expect(forum.postsWith(proposalMarker('t-slow'))).toHaveLength(1);
    expect(forum.topics[0]!.posts).toHaveLength(2);
    expect(forum.requests.filter(isPost)).toHaveLength(2); // t-first, and the reply the client timed out on
  });

  it("a topic creation that reaches the forum only after the client's retry: the external_id keeps one topic", async () => {
    let arrive!: () => void;
    forum.fault({ match: isPost, workAfter: new Promise<void>((resolve) => (arrive = resolve)) });
    await pending(forumProposal('late', ['BTC']));
    expect((await dispatch(sink())).sent).toEqual(['late']); // timed out, looked up (nothing yet), created
    arrive(); // now the first request is processed
    await forum.settle();
    expect(forum.topics).toHaveLength(1);
    expect(forum.postsWith(proposalMarker('late'))).toHaveLength(1);
    expect(forum.requests.filter(isPost).map((r) => r.status)).toEqual([422, 200]);
  });

  it('a wrong API key is refused (403) without retrying in place; the attempt counts', async () => {
    await pending(forumProposal('bad-key', ['BTC']));
    const wrong = sink({ apiKey: new StaticSecret(new SecretValue('wrong-key-0123456789abcdef'), 'test') });
    expect((await dispatch(wrong)).retrying).toEqual(['bad-key']);
    expect(forum.requests).toHaveLength(1);
    expect((await ctx.store.proposals.get('bad-key'))?.lastError).toMatch(/403: You are not permitted .* API username or key is invalid/);
  });

  it('the API key never reaches the outbox, even when the forum echoes it in an error', async () => {
    forum.fault({ match: isPost, times: 3, respond: { status: 500, body: { errors: [`upstream rejected key ${API_KEY}`] } } });
    await pending(forumProposal('echo', ['BTC']));
    const result = await dispatch(sink());
    const stored = await ctx.store.proposals.get('echo');
    expect(stored?.lastError).toBe('discourse: POST /posts.json -> 500: upstream rejected key [redacted]');
    expect(JSON.stringify({ result, stored })).not.toContain(API_KEY);
  });
});

describe('Discourse: a crash between the post and its record', () => {
  it('markSent throws: the proposal stays pending, and the next dispatch finds the post and records it', async () => {
    await pending(forumProposal('crash-1', ['BTC']));
    const crashing = withProposals({
      markSent: async () => {
        throw new Error('connection reset by DynamoDB');
      },
    });
    const first = await dispatch(sink(), { store: crashing });
    expect(first.unconfirmed).toEqual(['crash-1']);
    expect(await ctx.store.proposals.get('crash-1')).toMatchObject({ status: 'pending', attempts: 0 });
    const [post] = forum.postsWith(proposalMarker('crash-1'));

    const second = await dispatch(sink());
    expect(second.sent).toEqual(['crash-1']);
    expect(forum.postsWith(proposalMarker('crash-1'))).toEqual([post]);
    expect(await ctx.store.proposals.get('crash-1')).toMatchObject({ status: 'sent', externalRef: `${forum.url}/p/${post!.id}` });
  });

  it('the dispatcher dies after posting: its lease keeps others off until it runs out, then the post is found, not repeated', async () => {
    await pending(forumProposal('died', ['BTC']));
    let reachedMark!: () => void;
    const marking = new Promise<void>((resolve) => (reachedMark = resolve));
    const dying = withProposals({
      markSent: () => {
        reachedMark();
        return new Promise<boolean>(() => {}); // the process is gone: this never returns
      },
    });
    void dispatch(sink(), { store: dying, owner: 'dead-dispatcher', leaseMs: 60_000 });
    await marking;
    expect(forum.postsWith(proposalMarker('died'))).toHaveLength(1);

    expect((await dispatch(sink(), { leaseMs: 60_000 })).busy).toEqual(['died']);
    ctx.clock.advance(60_001);
    expect((await dispatch(sink(), { leaseMs: 60_000 })).sent).toEqual(['died']);
    expect(forum.postsWith(proposalMarker('died'))).toHaveLength(1);
  });

  it('two dispatchers at once send every proposal once', async () => {
    const proposals = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => forumProposal(`both-${id}`, i % 2 ? ['BTC'] : ['ETH', 'SOL'], { createdAtMs: ctx.clock.now() + i }));
    await pending(...proposals);
    // Slow lookups, so both dispatchers are between "looked, not there" and "posted" at the same time.
    forum.chaos = ({ method }) => (method === 'GET' ? { match: () => true, respondDelayMs: 15 } : null);
    const [one, two] = await Promise.all([dispatch(sink(), { owner: 'one' }), dispatch(sink(), { owner: 'two' })]);
    expect([...one.sent, ...two.sent].sort()).toEqual(proposals.map((p) => p.id).sort());
    for (const p of proposals) expect(forum.postsWith(proposalMarker(p.id)), p.id).toHaveLength(1);
    expect(forum.topics).toHaveLength(2);
  });
});

describe('Discourse: redirects and plain http', () => {
  /** The host a redirect points to: it records whether the forum key reached it. */
  async function otherHost(): Promise<RecordingServer> {
    return new RecordingServer(() => [200, { id: 99, topic_id: 9, post_number: 1 }]).start();
  }

  it('a 307 on the post is a delivery error naming its Location: the key never reaches the other host, and it is not retried', async () => {
    const elsewhere = await otherHost();
    const front = await new RecordingServer(({ method }) =>
      method === 'POST' ? [307, {}, { Location: `${elsewhere.url}/posts.json` }] : [404, { errors: ['The requested URL or resource could not be found.'] }],
    ).start();
    try {
      await pending(forumProposal('p-redirect', ['BTC']));
      const result = await dispatch(sink({ baseUrl: front.url }));
      expect(result.failed).toEqual(['p-redirect']);
      expect(elsewhere.received).toEqual([]);
      expect(front.received.filter((r) => r.method === 'POST')).toHaveLength(1);
      const stored = await ctx.store.proposals.get('p-redirect');
      expect(stored).toMatchObject({ status: 'failed', attempts: 1 });
      expect(stored!.lastError).toContain(`${elsewhere.url}/posts.json`);
      expect(stored!.lastError).not.toContain(API_KEY);
    } finally {
      await front.stop();
      await elsewhere.stop();
    }
  });

  it('a lookup redirected to another host is not followed: the key stays home', async () => {
    const elsewhere = await otherHost();
    const front = await new RecordingServer(() => [301, {}, { Location: `${elsewhere.url}/t/topic/1.json` }]).start();
    try {
      await pending(forumProposal('p-lookup', ['ETH']));
      const result = await dispatch(sink({ baseUrl: front.url }));
      expect(result.failed).toEqual(['p-lookup']);
      expect(elsewhere.received).toEqual([]);
      expect((await ctx.store.proposals.get('p-lookup'))!.lastError).toContain(`${elsewhere.url}/t/topic/1.json`);
    } finally {
      await front.stop();
      await elsewhere.stop();
    }
    // The forum's own 301 from /t/external_id/<id>.json to the topic is followed (the first test replies through it).
  });

  it('refuses a forum URL that is plain http off this machine', () => {
    expect(() => sink({ baseUrl: 'http://forum.example.org' })).toThrow(InsecureUrlError);
    expect(() => sink({ baseUrl: 'ftp://forum.example.org' })).toThrow(InsecureUrlError);
    expect(() => sink({ baseUrl: 'https://forum.example.org' })).not.toThrow();
    expect(() => sink({ baseUrl: 'http://127.0.0.1:9' })).not.toThrow();
  });
});

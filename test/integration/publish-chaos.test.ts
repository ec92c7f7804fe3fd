import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscourseSink, proposalMarker } from '../../shared/governance/discourse.js';
import { dispatchOutbox } from '../../shared/governance/outbox.js';
import { SecretValue, StaticSecret } from '../../shared/governance/secrets.js';
import { SeededRandom } from '../../shared/numerics/rng.js';
import type { ProposalRepository } from '../../shared/store/proposals.js';
import type { Store } from '../../shared/store/index.js';
import { startFakeDiscourse } from '../support/discourse-server.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import type { Fault } from '../support/http-faults.js';
import { TestClock, forumProposal, testPolicy } from '../support/publish-fixtures.js';
import { freshStore } from '../support/publish-table.js';

/**
 * Random faults on every request (500 before or after the work, the connection dropped after the work so
 * the client cannot know the outcome, as after a timeout, 429s) and
 * random crashes between the post and its record, over several seeds: after enough dispatches, every
 * proposal is sent with exactly one post on the forum, or failed with its reason and no post; none is
 * left pending, none is posted twice.
 */

const API_KEY = 'chaos-api-key-0123456789abcdef';
const USER = 'advisor';
const LEASE_MS = 30_000;
const MAX_ATTEMPTS = 6;
const MAX_ROUNDS = 40;
/** Per request: [probability, fault]. What is left (about 70 %) goes through. */
const FAULTS: [number, Fault][] = [
  [0.1, { match: () => true, respond: { status: 500, body: { errors: ['Internal Server Error'] } } }],
  [0.08, { match: () => true, after: { status: 502 } }],
  // No timer decides this one: a healthy answer on a loaded machine can never turn into this fault.
  [0.05, { match: () => true, dropAfterWork: true }],
  [0.07, { match: () => true, respond: { status: 429, body: { error_type: 'rate_limit', extras: { wait_seconds: 2 } }, headers: { 'Retry-After': '2' } } }],
];
/** Probability that the dispatcher dies right after a successful post, before recording it. */
const CRASH_AFTER_POST = 0.3;

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table?.stop();
});

class Crash extends Error {}

describe('exactly once under random faults and crashes', () => {
  it.each([11, 12, 13])('seed %i: every proposal ends sent with one post, or failed with a reason and none', async (seed) => {
    const rng = new SeededRandom(seed);
    const clock = new TestClock();
    const { store, dispose } = await freshStore(table.dynamo.endpoint);
    const forum = await startFakeDiscourse({ apiKey: API_KEY, apiUsername: USER, now: clock.now });
    forum.chaos = () => {
      let u = rng.next();
      for (const [p, fault] of FAULTS) {
        if (u < p) return fault;
        u -= p;
      }
      return null;
    };
    try {
      const sets = [['BTC', 'ETH'], ['SOL'], ['AAVE', 'LINK', 'UNI']];
      const proposals = Array.from({ length: 9 }, (_, i) => forumProposal(`chaos-${seed}-${i}`, sets[i % sets.length]!, { createdAtMs: clock.now() + i }));
      for (const p of proposals) await store.proposals.createPending(p);

      const sink = new DiscourseSink({
        baseUrl: forum.url,
        categoryId: 1,
        apiUsername: USER,
        apiKey: new StaticSecret(new SecretValue(API_KEY), 'test'),
        policy: testPolicy(clock),
      });
      // The dispatcher "dies" at random after a post: its dispatch ends there, its lease stays.
      const crashing: Store = {
        ...store,
        proposals: Object.assign(Object.create(Object.getPrototypeOf(store.proposals) as object) as ProposalRepository, store.proposals, {
          markSent: async (id: string, ref: string, at: number, owner?: string) => {
            if (rng.next() < CRASH_AFTER_POST) throw new Crash(`died before recording ${id}`);
            return store.proposals.markSent(id, ref, at, owner);
          },
          recordDeferral: async (id: string, message: string, owner?: string) => {
            if (message.includes('died before recording')) throw new Crash('still dead');
            return store.proposals.recordDeferral(id, message, owner);
          },
        }),
      };

      let rounds = 0;
      while ((await store.proposals.listPending()).length > 0 && rounds++ < MAX_ROUNDS) {
        clock.advance(LEASE_MS + 1); // the dead dispatcher's lease runs out
        await dispatchOutbox({ store: crashing, sink, maxAttempts: MAX_ATTEMPTS, now: clock.now, leaseMs: LEASE_MS, owner: `round-${rounds}` }).catch(
          (error: unknown) => {
            if (!(error instanceof Crash)) throw error;
          },
        );
      }
      await forum.settle();

      expect(await store.proposals.listPending()).toEqual([]);
      let sent = 0;
      for (const p of proposals) {
        const stored = (await store.proposals.get(p.id))!;
        const posts = forum.postsWith(proposalMarker(p.id));
        if (stored.status === 'sent') {
          sent++;
          expect(posts, p.id).toHaveLength(1);
          expect(stored.externalRef).toBe(`${forum.url}/p/${posts[0]!.id}`);
        } else {
          expect(stored.status).toBe('failed');
          expect(stored.lastError).toBeTruthy();
          expect(posts, p.id).toHaveLength(0);
        }
      }
      expect(forum.posts).toHaveLength(sent);
      // One topic per asset set: never a second topic for the same set.
      expect(forum.topics.length).toBeLessThanOrEqual(sets.length);
      // The faults did happen: this is not a fair-weather run.
      expect(forum.requests.filter((r) => r.status >= 429).length).toBeGreaterThan(3);
      expect(forum.requests.filter((r) => r.status === 0).length, 'connections dropped after the work').toBeGreaterThan(0);
    } finally {
      await forum.stop();
      dispose();
    }
  });
});

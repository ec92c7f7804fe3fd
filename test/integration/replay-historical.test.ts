import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPublishHandler } from '../../functions/publish/handler.js';
import { createApi } from '../../shared/api/app.js';
import { buildConfig } from '../../shared/config/load.js';
import { computeRecommendation } from '../../shared/cycle/compute-recommendation.js';
import { publishTargetOf, readEnvironment } from '../../shared/cycle/environment.js';
import { ingestAsset } from '../../shared/cycle/ingest-asset.js';
import { sinksFor, type PublishDeps } from '../../shared/cycle/publish-deps.js';
import { draftProposals } from '../../shared/governance/outbox.js';
import { webhookPayload } from '../../shared/governance/webhook.js';
import { ReplayMarket } from '../../shared/market/replay/market.js';
import { SeededRandom } from '../../shared/numerics/rng.js';
import type { Proposal } from '../../shared/model/proposal.js';
import { startFakeDiscourse, type FakeDiscourse } from '../support/discourse-server.js';
import { forumProposal } from '../support/publish-fixtures.js';
import { usePublishTable } from '../support/publish-table.js';
import { httpEvent } from '../support/events.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Issue 12 defect 6: replayed history is not the live market. Snapshots, recommendations and proposals
 * from `--source replay` say `historical: true`, the proposal title says so, and with a Discourse forum and
 * a webhook configured on loopback they go to the local outbox only, unless ADVISOR_PUBLISH_HISTORICAL=true.
 */

const KEY = 'discourse-key-0123456789abcdef0123456789';
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef0123456789';
const H = 3_600_000;
const DAYS = 400;
const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending')!;

const ctx = usePublishTable();
let dataDir: string;
let outboxDir: string;
let forum: FakeDiscourse;
let receiver: WebhookReceiver;

/** Recorded files in the ../shared/data formats: a year of hourly ETH bars and one Kraken book. */
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'replay-historical-'));
  const rng = new SeededRandom(3);
  let price = 2000;
  const rows = ['ts,open,high,low,close,volume'];
  for (let i = 0; i < DAYS * 24; i++) {
    const open = price;
    price = open * Math.exp(0.01 * rng.normal());
    rows.push(`${i * H},${open},${Math.max(open, price) * 1.002},${Math.min(open, price) * 0.998},${price},${100}`);
  }
  writeFileSync(join(dataDir, 'ETH-USDT-1h.csv'), rows.join('\n'));
  mkdirSync(join(dataDir, 'orderbooks'));
  const bids = Array.from({ length: 200 }, (_, i) => [String(price * (1 - (i + 1) * 0.0005)), String(2_000_000 / price), '1.0']);
  const asks = Array.from({ length: 20 }, (_, i) => [String(price * (1 + (i + 1) * 0.0005)), String(2_000_000 / price), '1.0']);
  // Recorded an hour before the replay clock: fresh (a book older than policy.maxBookAgeMs is missing data).
  const stamp = new Date((DAYS * 24 - 1) * H).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  writeFileSync(join(dataDir, 'orderbooks', `kraken_ETH-USD_${stamp}.json`), JSON.stringify([1, { as: asks, bs: bids }, 'book-10', 'ETH/USD']));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

beforeEach(async () => {
  outboxDir = mkdtempSync(join(tmpdir(), 'replay-outbox-'));
  forum = await startFakeDiscourse({ apiKey: KEY, apiUsername: 'advisor', now: ctx.clock.now });
  receiver = await new WebhookReceiver({ secret: WEBHOOK_SECRET }).start();
});
afterEach(async () => {
  await forum.stop();
  await receiver.stop();
  rmSync(outboxDir, { recursive: true, force: true });
});

function environment(extra: Record<string, string> = {}) {
  return readEnvironment({
    TABLE_NAME: 'unused',
    ADVISOR_SOURCE: 'replay',
    ADVISOR_OUTBOX_DIR: outboxDir,
    ADVISOR_DISCOURSE_URL: forum.url,
    ADVISOR_DISCOURSE_CATEGORY_ID: '1',
    ADVISOR_DISCOURSE_API_USERNAME: 'advisor',
    ADVISOR_DISCOURSE_API_KEY: KEY,
    ADVISOR_WEBHOOK_URL: receiver.url,
    ADVISOR_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ADVISOR_PUBLISH_TIMEOUT_MS: '2000',
    ADVISOR_PUBLISH_REQUEST_ATTEMPTS: '1',
    ...extra,
  });
}

async function publish(extra: Record<string, string> = {}) {
  const env = environment(extra);
  const deps = { env, store: ctx.store, ...sinksFor(env), logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }), maxPublishAttempts: 3, now: ctx.clock.now };
  return createPublishHandler(() => deps as unknown as PublishDeps)(undefined);
}

/** The replay pipeline up to the stored proposal: ingest from recorded files, compute, draft. */
async function replayedProposal(): Promise<Proposal> {
  const market = new ReplayMarket({ dataDir });
  const nowMs = DAYS * 24 * H;
  const snapshot = await ingestAsset({ config, source: market, store: ctx.store }, config.assets.find((a) => a.symbol === 'ETH')!, nowMs);
  expect(snapshot).toMatchObject({ source: 'replay', simulated: false, historical: true });
  const recommendation = await computeRecommendation({ config, store: ctx.store }, snapshot, lending, 'RUNREPLAY', nowMs);
  expect(recommendation.historical).toBe(true);
  const [proposal] = draftProposals({ config, runId: 'RUNREPLAY', nowMs, publicBaseUrl: 'http://127.0.0.1:1', target: publishTargetOf(environment()), recommendations: [recommendation] });
  expect(proposal).toBeDefined();
  await ctx.store.proposals.createPending(proposal!);
  return proposal!;
}

describe('replayed data is historical, not live', () => {
  it('is marked historical from snapshot to proposal, and the title, banner and webhook JSON say so', async () => {
    const proposal = await replayedProposal();
    expect(proposal).toMatchObject({ historical: true, simulated: false });
    expect(proposal.title).toMatch(/^\[HISTORICAL REPLAY\] /);
    expect(proposal.markdown).toMatch(/HISTORICAL DATA/);
    expect(webhookPayload(proposal).proposal).toMatchObject({ historical: true, simulated: false });
    expect(proposal.target).toBe('local-outbox');
  });

  it('with a forum and a webhook configured, a replayed proposal goes to the local outbox only', async () => {
    const proposal = await replayedProposal();
    const result = await publish();
    expect(result.sent).toEqual([proposal.id]);
    expect(forum.posts).toHaveLength(0);
    expect(receiver.deliveries).toHaveLength(0);
    // The proposal, and beside it the Safe batch of its risk-steward calls when it has one (issue 16).
    const files = [`${proposal.id}.md`, ...(proposal.steward?.batch ? [`${proposal.id}.safe.json`] : [])];
    expect(readdirSync(outboxDir).sort()).toEqual(files.sort());
    expect((await ctx.store.proposals.get(proposal.id))?.externalRef).toContain(outboxDir);
  });

  it('a historical proposal left pending never reaches a public target, whatever the source now is', async () => {
    const stored = forumProposal('old-replay', ['ETH'], { historical: true });
    await ctx.store.proposals.createPending(stored);
    const result = await publish({ ADVISOR_SOURCE: 'live' });
    expect(result.sent).toEqual(['old-replay']);
    expect(forum.posts).toHaveLength(0);
    expect(receiver.deliveries).toHaveLength(0);
    expect(existsSync(join(outboxDir, 'old-replay.md'))).toBe(true);
  });

  it('ADVISOR_PUBLISH_HISTORICAL=true lets historical proposals reach the public targets', async () => {
    const env = environment({ ADVISOR_PUBLISH_HISTORICAL: 'true' });
    expect(publishTargetOf(env)).toBe('discourse+webhook');
    await ctx.store.proposals.createPending(forumProposal('allowed-replay', ['ETH'], { historical: true }));
    const result = await publish({ ADVISOR_PUBLISH_HISTORICAL: 'true' });
    expect(result.sent).toEqual(['allowed-replay']);
    expect(forum.posts).toHaveLength(1);
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('live proposals still go to the public targets', async () => {
    await ctx.store.proposals.createPending(forumProposal('live-1', ['ETH']));
    const result = await publish({ ADVISOR_SOURCE: 'live' });
    expect(result.sent).toEqual(['live-1']);
    expect(forum.posts).toHaveLength(1);
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('the API says historical: health, the recommendation lists and items, the proposal log', async () => {
    const proposal = await replayedProposal();
    const api = createApi({
      config,
      store: ctx.store,
      invoker: { invoke: async () => undefined },
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      now: ctx.clock.now,
      auth: { kind: 'iam' },
      simulated: false,
      historical: true,
      cacheMaxAgeSeconds: 60,
    });
    const body = async (path: string) => JSON.parse((await api(httpEvent('GET', path))).body ?? 'null');
    expect(await body('/v1/health')).toMatchObject({ simulated: false, historical: true });
    const list = await body('/v1/recommendations/ETH');
    expect(list).toMatchObject({ simulated: false, historical: true });
    expect(list.recommendations[0]).toMatchObject({ historical: true });
    const log = await body('/v1/proposals');
    expect(log.items.find((p: { id: string }) => p.id === proposal.id)).toMatchObject({ historical: true, simulated: false });
  });
});

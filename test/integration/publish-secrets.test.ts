import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPublishHandler } from '../../functions/publish/handler.js';
import { readEnvironment } from '../../shared/cycle/deps.js';
import { sinksFor, type PublishDeps } from '../../shared/cycle/publish-deps.js';
import { DiscourseSink } from '../../shared/governance/discourse.js';
import { dispatchOutbox } from '../../shared/governance/outbox.js';
import { SecretUnavailableError, SecretsManagerSecret } from '../../shared/governance/secrets.js';
import { startFakeDiscourse, type FakeDiscourse } from '../support/discourse-server.js';
import { readBody } from '../support/http-faults.js';
import { forumProposal, testPolicy } from '../support/publish-fixtures.js';
import { usePublishTable } from '../support/publish-table.js';

/**
 * Secrets: fetched from Secrets Manager (the real SDK client against a loopback server speaking its
 * JSON protocol), cached, fetched again after a rotation; and never in the outbox or the logs.
 */

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:advisor/discourse-AbCdEf';
const KEY_A = 'discourse-key-A-0123456789abcdef0123456789';
const KEY_B = 'discourse-key-B-fedcba9876543210fedcba9876';

/** GetSecretValue over awsJson1_1, answering from `secrets` (by SecretId), AccessDenied otherwise. */
class FakeSecretsManager {
  readonly secrets = new Map<string, string>();
  readonly requests: string[] = [];
  private server!: Server;
  endpoint = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const target = String(req.headers['x-amz-target']);
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        this.requests.push(`${target} ${SecretId}`);
        const value = this.secrets.get(SecretId);
        const [status, payload] =
          target === 'secretsmanager.GetSecretValue' && value !== undefined
            ? [200, { ARN: SecretId, Name: 'advisor/discourse', SecretString: value, VersionId: 'v1' }]
            : [400, { __type: 'AccessDeniedException', message: `User is not authorized to perform GetSecretValue on ${SecretId}` }];
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  client(): SecretsManagerClient {
    return new SecretsManagerClient({ endpoint: this.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const ctx = usePublishTable();
let secretsManager: FakeSecretsManager;
let forum: FakeDiscourse;

beforeEach(async () => {
  secretsManager = await new FakeSecretsManager().start();
  forum = await startFakeDiscourse({ apiKey: KEY_A, apiUsername: 'advisor', now: ctx.clock.now });
});
afterEach(async () => {
  await forum.stop();
  await secretsManager.stop();
});

describe('Secrets Manager', () => {
  it('fetches the secret once, reuses it for the cache lifetime, and fetches again after it or after invalidate()', async () => {
    secretsManager.secrets.set(ARN, KEY_A);
    const secret = new SecretsManagerSecret({ reference: ARN, client: secretsManager.client(), cacheTtlMs: 60_000, now: ctx.clock.now });
    expect((await secret.get()).reveal()).toBe(KEY_A);
    expect((await secret.get()).reveal()).toBe(KEY_A);
    expect(secretsManager.requests).toEqual([`secretsmanager.GetSecretValue ${ARN}`]);
    ctx.clock.advance(60_000);
    await secret.get();
    secret.invalidate();
    await secret.get();
    expect(secretsManager.requests).toHaveLength(3);
  });

  it('picks a field of a JSON secret with #key, and names fields but never values when it is missing', async () => {
    secretsManager.secrets.set(ARN, JSON.stringify({ apiKey: KEY_A, other: 'do-not-print-me' }));
    const client = secretsManager.client();
    expect((await new SecretsManagerSecret({ reference: `${ARN}#apiKey`, client }).get()).reveal()).toBe(KEY_A);
    const missing = new SecretsManagerSecret({ reference: `${ARN}#webhookSecret`, client }).get();
    await expect(missing).rejects.toThrow(SecretUnavailableError);
    await expect(missing).rejects.toThrow('no string field webhookSecret (fields: apiKey, other)');
    await missing.catch((error: Error) => expect(error.message).not.toContain('do-not-print-me'));
  });

  it('an access error becomes a failed attempt that names the secret, and the proposal stays pending', async () => {
    const apiKey = new SecretsManagerSecret({ reference: ARN, client: secretsManager.client() });
    const sink = new DiscourseSink({ baseUrl: forum.url, categoryId: 1, apiUsername: 'advisor', apiKey, policy: testPolicy(ctx.clock) });
    await ctx.store.proposals.createPending(forumProposal('no-secret', ['BTC']));
    expect((await dispatchOutbox({ store: ctx.store, sink, maxAttempts: 3, now: ctx.clock.now })).retrying).toEqual(['no-secret']);
    expect((await ctx.store.proposals.get('no-secret'))?.lastError).toBe(`secret ${ARN} is unavailable: AccessDeniedException`);
    expect(forum.requests).toEqual([]);
  });

  it('after a key rotation the cached key is refused once, then the new one is fetched and used', async () => {
    secretsManager.secrets.set(ARN, KEY_A);
    const apiKey = new SecretsManagerSecret({ reference: ARN, client: secretsManager.client() });
    const sink = new DiscourseSink({ baseUrl: forum.url, categoryId: 1, apiUsername: 'advisor', apiKey, policy: testPolicy(ctx.clock) });
    const dispatch = () => dispatchOutbox({ store: ctx.store, sink, maxAttempts: 3, now: ctx.clock.now });
    await ctx.store.proposals.createPending(forumProposal('before-rotation', ['BTC']));
    expect((await dispatch()).sent).toEqual(['before-rotation']);

    secretsManager.secrets.set(ARN, KEY_B);
    forum.rotateKey(KEY_B);
    await ctx.store.proposals.createPending(forumProposal('after-rotation', ['BTC']));
    expect((await dispatch()).retrying).toEqual(['after-rotation']);
    expect((await dispatch()).sent).toEqual(['after-rotation']);
    expect(secretsManager.requests).toHaveLength(2);
    expect(forum.posts).toHaveLength(2);
  });
});

describe('secrets stay out of logs', () => {
  const environment = () => ({
    TABLE_NAME: 'unused',
    ADVISOR_DISCOURSE_URL: forum.url,
    ADVISOR_DISCOURSE_CATEGORY_ID: '1',
    ADVISOR_DISCOURSE_API_USERNAME: 'advisor',
    ADVISOR_DISCOURSE_API_KEY: KEY_A,
    ADVISOR_PUBLISH_TIMEOUT_MS: '250',
    ADVISOR_PUBLISH_REQUEST_ATTEMPTS: '1',
  });

  it('the environment prints the key as [redacted], however it is printed', () => {
    const env = readEnvironment(environment());
    expect(env.ADVISOR_DISCOURSE_API_KEY?.reveal()).toBe(KEY_A);
    for (const printed of [JSON.stringify(env), inspect(env), String(env.ADVISOR_DISCOURSE_API_KEY), `${env.ADVISOR_DISCOURSE_API_KEY}`]) {
      expect(printed).not.toContain(KEY_A);
    }
  });

  it("the publish handler's logs carry errors and results, never the key, even when the forum echoes it", async () => {
    const env = readEnvironment(environment());
    const { sink, simulatedSink } = sinksFor(env);
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    // Powertools writes INFO/DEBUG to stdout and WARN/ERROR to stderr.
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      const logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
      const deps = { env, store: ctx.store, sink, simulatedSink, logger, maxPublishAttempts: 3, now: ctx.clock.now } as unknown as PublishDeps;
      forum.fault({ match: () => true, respond: { status: 500, body: { errors: [`bad key ${KEY_A}`] } } });
      await ctx.store.proposals.createPending(forumProposal('logged-1', ['BTC']));
      const result = await createPublishHandler(() => deps)(undefined);
      expect(result.retrying).toEqual(['logged-1']);
      logger.debug('deps', { env });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const output = lines.join('');
    expect(output).toContain('proposal not delivered');
    expect(output).not.toContain('reserved key');
    expect(output).toContain('bad key [redacted]');
    expect(output).not.toContain(KEY_A);
  });
});

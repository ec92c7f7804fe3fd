import { describe, expect, it } from 'vitest';
import { EnvironmentError, readEnvironment } from '../../../shared/cycle/deps.js';
import { publishTargetOf } from '../../../shared/cycle/environment.js';
import { sinksFor } from '../../../shared/cycle/publish-deps.js';
import { DiscourseSink } from '../../../shared/governance/discourse.js';
import { HistoricalGuardSink } from '../../../shared/governance/historical.js';
import { FanOutSink, LocalOutboxSink, type ProposalSink } from '../../../shared/governance/sinks.js';
import { WebhookSink } from '../../../shared/governance/webhook.js';

const KEY = 'discourse-key-0123456789abcdef';
const WEBHOOK_SECRET = 'whsec_0123456789abcdef0123456789abcdef';
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:advisor/discourse-AbCdEf';
const base = { TABLE_NAME: 't' };
const discourse = {
  ADVISOR_DISCOURSE_URL: 'https://forum.example',
  ADVISOR_DISCOURSE_CATEGORY_ID: '12',
  ADVISOR_DISCOURSE_API_USERNAME: 'advisor',
  ADVISOR_DISCOURSE_API_KEY: KEY,
};

function problems(env: Record<string, string>): string[] {
  try {
    readEnvironment({ ...base, ...env });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as EnvironmentError).details.problems as string[];
  }
}

describe('publish target configuration', () => {
  it('accepts a complete Discourse target, with the key or with a Secrets Manager ARN (optionally #field)', () => {
    expect(problems(discourse)).toEqual([]);
    const { ADVISOR_DISCOURSE_API_KEY: _key, ...withoutKey } = discourse;
    expect(problems({ ...withoutKey, ADVISOR_DISCOURSE_API_KEY_SECRET_ARN: `${ARN}#apiKey` })).toEqual([]);
  });

  it('names every missing or conflicting variable at once, never a value', () => {
    const found = problems({ ADVISOR_DISCOURSE_URL: 'http://forum.example', ADVISOR_DISCOURSE_API_KEY: KEY, ADVISOR_DISCOURSE_API_KEY_SECRET_ARN: ARN });
    expect(found).toEqual([
      'ADVISOR_DISCOURSE_URL: must be https (a credential goes with every request)',
      'ADVISOR_DISCOURSE_CATEGORY_ID: required when ADVISOR_DISCOURSE_URL is set',
      'ADVISOR_DISCOURSE_API_USERNAME: required when ADVISOR_DISCOURSE_URL is set',
      'ADVISOR_DISCOURSE_API_KEY / ADVISOR_DISCOURSE_API_KEY_SECRET_ARN: exactly one is required when ADVISOR_DISCOURSE_URL is set',
    ]);
    expect(found.join()).not.toContain(KEY);
    expect(problems({ ADVISOR_WEBHOOK_SECRET: WEBHOOK_SECRET })).toEqual(['ADVISOR_WEBHOOK_SECRET: set, but ADVISOR_WEBHOOK_URL is not']);
    expect(problems({ ADVISOR_WEBHOOK_URL: 'https://hooks.example/x' })).toEqual([
      'ADVISOR_WEBHOOK_SECRET / ADVISOR_WEBHOOK_SECRET_ARN: exactly one is required when ADVISOR_WEBHOOK_URL is set',
    ]);
  });

  it('refuses a short webhook secret and a malformed ARN without echoing them', () => {
    const found = problems({ ADVISOR_WEBHOOK_URL: 'https://hooks.example/x', ADVISOR_WEBHOOK_SECRET: 'short-secret' });
    expect(found).toEqual(['ADVISOR_WEBHOOK_SECRET: must be at least 32 characters']);
    expect(problems({ ...discourse, ADVISOR_DISCOURSE_API_KEY: undefined as never, ADVISOR_DISCOURSE_API_KEY_SECRET_ARN: 'advisor/discourse' })).toEqual([
      'ADVISOR_DISCOURSE_API_KEY_SECRET_ARN: must be a Secrets Manager secret ARN, optionally #jsonKey',
    ]);
  });

  it('allows plain http to loopback only (local testing)', () => {
    expect(problems({ ...discourse, ADVISOR_DISCOURSE_URL: 'http://127.0.0.1:4200' })).toEqual([]);
    expect(problems({ ...discourse, ADVISOR_DISCOURSE_URL: 'http://localhost:4200' })).toEqual([]);
  });
});

describe('choosing the sink', () => {
  const env = (extra: Record<string, string>) => readEnvironment({ ...base, ...extra });
  /** Public targets come wrapped in the guard that keeps historical proposals local. */
  const unwrapped = (sink: ProposalSink | null) => (sink instanceof HistoricalGuardSink ? sink.publicSink : sink);

  it('the local outbox by default; none without it', () => {
    expect(sinksFor(env({ ADVISOR_OUTBOX_DIR: '/tmp/outbox' }))).toEqual({ sink: expect.any(LocalOutboxSink), simulatedSink: null });
    expect(sinksFor(env({}))).toEqual({ sink: null, simulatedSink: null });
  });

  it('a configured forum or webhook replaces it, and the local outbox then takes the simulated proposals', () => {
    const forum = sinksFor(env({ ...discourse, ADVISOR_OUTBOX_DIR: '/tmp/outbox' }));
    expect(forum.sink).toBeInstanceOf(HistoricalGuardSink);
    expect(unwrapped(forum.sink)).toBeInstanceOf(DiscourseSink);
    expect(forum.sink?.isPublic).toBe(true);
    expect(forum.simulatedSink).toBeInstanceOf(LocalOutboxSink);

    const hook = sinksFor(env({ ADVISOR_WEBHOOK_URL: 'https://hooks.example/x', ADVISOR_WEBHOOK_SECRET: WEBHOOK_SECRET }));
    expect(unwrapped(hook.sink)).toBeInstanceOf(WebhookSink);
    expect(hook.simulatedSink).toBeNull();

    const both = sinksFor(env({ ...discourse, ADVISOR_WEBHOOK_URL: 'https://hooks.example/x', ADVISOR_WEBHOOK_SECRET: WEBHOOK_SECRET }));
    expect(unwrapped(both.sink)).toBeInstanceOf(FanOutSink);
    expect(both.sink?.target).toBe('discourse+webhook');
  });

  it('the finalizer names the target the publish function will build, without building it', () => {
    const hookVars = { ADVISOR_WEBHOOK_URL: 'https://hooks.example/x', ADVISOR_WEBHOOK_SECRET: WEBHOOK_SECRET };
    const replay = { ADVISOR_SOURCE: 'replay' };
    const cases: Record<string, string>[] = [
      {},
      { ADVISOR_OUTBOX_DIR: '/tmp/outbox' },
      discourse,
      hookVars,
      { ...discourse, ...hookVars, ADVISOR_OUTBOX_DIR: '/tmp/outbox' },
      { ...replay, ...discourse, ...hookVars, ADVISOR_OUTBOX_DIR: '/tmp/outbox' },
      { ...replay, ...discourse },
      { ...replay, ...discourse, ADVISOR_PUBLISH_HISTORICAL: 'true' },
    ];
    const names = cases.map((extra) => publishTargetOf(env(extra)));
    expect(names).toEqual(cases.map((extra) => sinksFor(env(extra)).sink?.target ?? 'none'));
    expect(names).toEqual(['none', 'local-outbox', 'discourse', 'webhook', 'discourse+webhook', 'local-outbox', 'none', 'discourse']);
  });
});

import { DiscourseSink } from '../governance/discourse.js';
import type { RetryPolicy } from '../governance/http.js';
import { SecretsManagerSecret, StaticSecret, type SecretSource, type SecretValue } from '../governance/secrets.js';
import { FanOutSink, LocalOutboxSink, type ProposalSink } from '../governance/sinks.js';
import { WebhookSink } from '../governance/webhook.js';
import { baseDepsFromEnvironment, type BaseDeps } from './deps.js';
import { EnvironmentError, publicTargetsAllowed, type Environment } from './environment.js';
import { HistoricalGuardSink } from '../governance/historical.js';

function secretSource(value: SecretValue | undefined, arn: string | undefined, variable: string): SecretSource {
  if (value) return new StaticSecret(value, variable);
  if (arn) return new SecretsManagerSecret({ reference: arn });
  throw new EnvironmentError([`${variable}: missing`]); // unreachable after readEnvironment
}

function retryPolicyFor(env: Environment): Partial<RetryPolicy> {
  return {
    timeoutMs: env.ADVISOR_PUBLISH_TIMEOUT_MS,
    attempts: env.ADVISOR_PUBLISH_REQUEST_ATTEMPTS,
    maxRateLimitWaitMs: env.ADVISOR_PUBLISH_MAX_RATE_LIMIT_WAIT_MS,
  };
}

/** The public targets configured (Discourse, then the webhook), as one sink; null when there are none. */
export function publicSinkFor(env: Environment): ProposalSink | null {
  const sinks: ProposalSink[] = [];
  const policy = retryPolicyFor(env);
  if (env.ADVISOR_DISCOURSE_URL) {
    sinks.push(
      new DiscourseSink({
        baseUrl: env.ADVISOR_DISCOURSE_URL,
        categoryId: env.ADVISOR_DISCOURSE_CATEGORY_ID!,
        apiUsername: env.ADVISOR_DISCOURSE_API_USERNAME!,
        apiKey: secretSource(env.ADVISOR_DISCOURSE_API_KEY, env.ADVISOR_DISCOURSE_API_KEY_SECRET_ARN, 'ADVISOR_DISCOURSE_API_KEY'),
        policy,
      }),
    );
  }
  if (env.ADVISOR_WEBHOOK_URL) {
    sinks.push(
      new WebhookSink({
        url: env.ADVISOR_WEBHOOK_URL,
        secret: secretSource(env.ADVISOR_WEBHOOK_SECRET, env.ADVISOR_WEBHOOK_SECRET_ARN, 'ADVISOR_WEBHOOK_SECRET'),
        policy,
      }),
    );
  }
  if (sinks.length === 0) return null;
  return sinks.length === 1 ? sinks[0]! : new FanOutSink(sinks);
}

/**
 * The publish target: the public targets when any is configured, else the local outbox, else none
 * (proposals stay pending). With a public target, the local outbox still takes the simulated
 * proposals, which never go public, and the historical (replayed) ones unless ADVISOR_PUBLISH_HISTORICAL
 * is true. A replaying process builds no public target at all unless allowed.
 */
export function sinksFor(env: Environment): { sink: ProposalSink | null; simulatedSink: ProposalSink | null } {
  const local = env.ADVISOR_OUTBOX_DIR ? new LocalOutboxSink(env.ADVISOR_OUTBOX_DIR) : null;
  const publicSink = publicTargetsAllowed(env) ? publicSinkFor(env) : null;
  if (!publicSink) return { sink: local, simulatedSink: null };
  const sink = env.ADVISOR_PUBLISH_HISTORICAL ? publicSink : new HistoricalGuardSink(publicSink, local);
  return { sink, simulatedSink: local };
}

export interface PublishDeps extends BaseDeps {
  /** Null when no publish target is configured: proposals stay pending in the outbox. */
  sink: ProposalSink | null;
  /** With a public `sink`: where simulated proposals go instead (the local outbox), or null (held back). */
  simulatedSink: ProposalSink | null;
  maxPublishAttempts: number;
}

/** The publish function's deps: the base plus the publish targets (HTTP clients, Secrets Manager). */
export function publishDepsOf(base: BaseDeps): PublishDeps {
  return { ...base, ...sinksFor(base.env), maxPublishAttempts: base.env.ADVISOR_PUBLISH_MAX_ATTEMPTS };
}

let cached: PublishDeps | undefined;

/** Lambda: the publish function's deps from the environment. */
export function publishDepsFromEnvironment(): PublishDeps {
  cached ??= publishDepsOf(baseDepsFromEnvironment());
  return cached;
}

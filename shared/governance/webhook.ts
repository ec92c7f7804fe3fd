import { createHmac, timingSafeEqual } from 'node:crypto';
import { liveValueText } from '../format/parameter-values.js';
import { labelOf } from '../model/parameters.js';
import type { Proposal } from '../model/proposal.js';
import { threadKeyOf } from './discourse.js';
import { DEFAULT_RETRY_POLICY, HttpTarget, secureUrl, withRetries, type RetryEvent, type RetryPolicy } from './http.js';
import { direction, formatDelta } from './render.js';
import type { SecretSource, SecretValue } from './secrets.js';
import type { ProposalSink } from './sinks.js';
import { TARGET_NAMES } from './targets.js';

export const WEBHOOK_HEADERS = {
  /** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>` */
  signature: 'X-Signature',
  /** Unix seconds when this attempt was signed; every retry is signed afresh. */
  timestamp: 'X-Signature-Timestamp',
  /** The proposal id: the same on every retry of the same proposal, for the receiver to deduplicate. */
  idempotencyKey: 'Idempotency-Key',
} as const;

/** Version tag of the signature scheme, so it can change without breaking receivers silently. */
export const SIGNATURE_VERSION = 'v1';
/** How far a receiver should accept a timestamp from its own clock (replay window). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The signed string is `<timestamp>.<body>`: the decimal Unix seconds of the X-Signature-Timestamp
 * header, a full stop, and the raw request body bytes exactly as sent (UTF-8 JSON, not re-serialized).
 * Binding the timestamp into the MAC stops an attacker from replaying an old body with a fresh header.
 */
export function signaturePayload(timestampSeconds: number, body: string): string {
  return `${timestampSeconds}.${body}`;
}

/** `v1=` + lower-case hex HMAC-SHA256 keyed with the shared secret (its UTF-8 bytes). */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(signaturePayload(timestampSeconds, body), 'utf8').digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/**
 * What a receiver does (in any language): read the raw body before parsing it; reject a timestamp more
 * than `toleranceSeconds` from now (replay); recompute the HMAC over `<timestamp>.<raw body>`; compare
 * in constant time; then deduplicate on Idempotency-Key, because delivery is at least once.
 */
export function verifyWebhook(input: {
  secret: string;
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  if (!input.signature || !input.timestamp) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(input.timestamp) || !/^v1=[0-9a-f]{64}$/.test(input.signature)) return { ok: false, reason: 'malformed' };
  const timestamp = Number(input.timestamp);
  if (Math.abs(input.nowSeconds - timestamp) > (input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(input.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** One row of the parameter table, machine-readable, with the rendered strings beside the numbers. */
export interface WebhookParameterRow {
  asset: string;
  parameter: string;
  label: string;
  unit: 'bps' | 'usd' | 'x';
  current: number | null;
  proposed: number;
  target: number;
  /** e.g. "-0.50 pp (tighten)" */
  change: string;
  direction: 'tighten' | 'loosen' | 'new';
  display: { current: string; proposed: string; target: string };
  status: string;
  stress: boolean;
  reason: string;
  guardRail: string;
}

export interface WebhookPayload {
  type: 'leverage-advisor.proposal';
  schemaVersion: 1;
  /** Same as the Idempotency-Key header. */
  idempotencyKey: string;
  /** The asset-set thread the proposal belongs to (the Discourse topic key). */
  threadKey: string;
  proposal: {
    id: string;
    profileId: string;
    runId: string;
    createdAt: string;
    simulated: boolean;
    /** Replayed history (absent before the field existed = false). */
    historical: boolean;
    title: string;
    markdown: string;
  };
  parameters: WebhookParameterRow[];
}

export function webhookPayload(proposal: Proposal): WebhookPayload {
  return {
    type: 'leverage-advisor.proposal',
    schemaVersion: 1,
    idempotencyKey: proposal.id,
    threadKey: threadKeyOf(proposal),
    proposal: {
      id: proposal.id,
      profileId: proposal.profileId,
      runId: proposal.runId,
      createdAt: new Date(proposal.createdAtMs).toISOString(),
      simulated: proposal.simulated,
      historical: proposal.historical === true,
      title: proposal.title,
      markdown: proposal.markdown,
    },
    parameters: proposal.changes.map((c) => ({
      asset: c.asset,
      parameter: c.parameter,
      label: labelOf(c.parameter),
      unit: c.unit,
      current: c.current,
      proposed: c.recommended,
      target: c.target,
      change: formatDelta(c),
      direction: direction(c),
      display: { current: liveValueText(c.current, c.unit, 'proposal'), proposed: liveValueText(c.recommended, c.unit, 'proposal'), target: liveValueText(c.target, c.unit, 'proposal') },
      status: c.status,
      stress: c.stress,
      reason: c.reason,
      guardRail: c.guardRail,
    })),
  };
}

export interface WebhookOptions {
  url: string;
  secret: SecretSource;
  policy?: Partial<RetryPolicy>;
  /** Unix seconds for the timestamp header (tests move it). */
  nowSeconds?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

/**
 * POSTs each proposal as signed JSON. Delivery is at least once: a retry after a timeout, or after a
 * crash before the outbox recorded the send, delivers the same body with the same Idempotency-Key (and a
 * fresh timestamp and signature), and the receiver keeps the first. A 2xx is success; the receiver may
 * answer `{"id": ...}`, which becomes the proposal's externalRef.
 */
export class WebhookSink implements ProposalSink {
  readonly target = TARGET_NAMES.webhook;
  readonly isPublic = true;
  private readonly http: HttpTarget;
  private readonly policy: RetryPolicy;
  private lastSecret: SecretValue | null = null;

  constructor(private readonly options: WebhookOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    // https only (loopback http for tests); the HttpTarget never follows the receiver's redirects.
    const url = secureUrl(TARGET_NAMES.webhook, options.url);
    this.http = new HttpTarget({
      name: 'webhook',
      baseUrl: url.origin,
      policy: this.policy,
      secrets: () => (this.lastSecret ? [this.lastSecret] : []),
    });
  }

  async send(proposal: Proposal): Promise<{ externalRef: string }> {
    const body = JSON.stringify(webhookPayload(proposal));
    const { pathname, search } = new URL(this.options.url);
    const response = await withRetries(
      async () => {
        const secret = await this.options.secret.get();
        this.lastSecret = secret;
        const timestamp = Math.floor(this.options.nowSeconds?.() ?? Date.now() / 1000);
        try {
          return await this.http.request<{ id?: unknown }>({
            method: 'POST',
            path: `${pathname}${search}`,
            data: body,
            headers: {
              'Content-Type': 'application/json',
              [WEBHOOK_HEADERS.signature]: signWebhook(secret.reveal(), timestamp, body),
              [WEBHOOK_HEADERS.timestamp]: String(timestamp),
              [WEBHOOK_HEADERS.idempotencyKey]: proposal.id,
            },
          });
        } catch (error) {
          if ((error as { kind?: string }).kind === 'auth') this.options.secret.invalidate();
          throw error;
        }
      },
      this.policy,
      this.options.onRetry,
    );
    const id = response.data && typeof response.data === 'object' ? response.data.id : undefined;
    return { externalRef: `webhook:${typeof id === 'string' || typeof id === 'number' ? String(id) : proposal.id}` };
  }
}

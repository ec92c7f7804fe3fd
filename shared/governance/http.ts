import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import { DeliveryError, InsecureUrlError, RateLimitedError, RedirectRefusedError, type DeliveryErrorDetails } from './errors.js';
import { redact, type SecretValue } from './secrets.js';
import { backoffMs, sleepMs, type BackoffPolicy } from '../util/backoff.js';

/**
 * Timeouts and retries for one delivery. The defaults fit the publish Lambda's one-minute timeout:
 * 3 tries x 10 s plus backoff, or a rate-limit wait of up to 20 s.
 */
export interface RetryPolicy extends BackoffPolicy {
  /** Tries of one delivery within one dispatch, the first included. */
  attempts: number;
  /** Whole-request timeout (connect, headers and body). */
  timeoutMs: number;
  /** The longest wait a 429 may ask for that is honoured in place; longer, the delivery is deferred. */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  timeoutMs: 10_000,
  baseBackoffMs: 500,
  maxBackoffMs: 8_000,
  maxRateLimitWaitMs: 20_000,
  random: Math.random,
  sleep: sleepMs,
};

/**
 * The wait a 429 asks for, in ms: Discourse's JSON `extras.wait_seconds` first (it is the precise one),
 * else `Retry-After` (seconds or an HTTP date). Null when neither is usable.
 */
export function rateLimitWaitMs(headers: Record<string, unknown>, body: unknown, nowMs: number): number | null {
  const waitSeconds = (body as { extras?: { wait_seconds?: unknown } } | null)?.extras?.wait_seconds;
  if (typeof waitSeconds === 'number' && Number.isFinite(waitSeconds) && waitSeconds >= 0) return Math.ceil(waitSeconds * 1000);
  const retryAfter = headers['retry-after'];
  if (typeof retryAfter !== 'string' || retryAfter.trim() === '') return null;
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(retryAfter)) {
    const seconds = Number(retryAfter);
    return seconds >= 0 ? Math.ceil(seconds * 1000) : null;
  }
  const dateMs = Date.parse(retryAfter);
  return Number.isFinite(dateMs) ? Math.max(0, dateMs - nowMs) : null;
}

/** Longest piece of a target's error body kept in a message (and so in the outbox's lastError). */
const MAX_ERROR_TEXT_CHARS = 300;

/** The target's own words for an error: Discourse's `errors[]`, else `error`/`message`, else the raw text. */
export function errorText(body: unknown): string {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body && typeof body === 'object') {
    const b = body as { errors?: unknown; error?: unknown; message?: unknown };
    if (Array.isArray(b.errors) && b.errors.length > 0) text = b.errors.map(String).join('; ');
    else if (typeof b.error === 'string') text = b.error;
    else if (typeof b.message === 'string') text = b.message;
    else text = JSON.stringify(body);
  } else text = '';
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_ERROR_TEXT_CHARS ? `${text.slice(0, MAX_ERROR_TEXT_CHARS)}…` : text;
}

/** Hosts a credential may reach over plain http: this machine only (tests, a local forum). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The URL, parsed, when a credential may go there: https, or http to loopback. Every URL a target
 * requests passes here: the configured one and any taken from a response. The error names the origin
 * only (a URL's path or query may hold a token).
 */
export function secureUrl(target: string, url: string | URL, base?: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new InsecureUrlError(target, '(not a URL)');
  }
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname));
  if (!secure) throw new InsecureUrlError(target, `${parsed.protocol}//${parsed.host}`);
  return parsed;
}

/** Same-origin redirects a lookup may follow (Discourse's /t/external_id/<id>.json answers with one). */
export const DEFAULT_MAX_LOOKUP_REDIRECTS = 3;

export interface HttpRequest {
  method: Method;
  /** Relative to the target's base URL; may carry a query string (never a secret). */
  path: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent byte for byte (signed webhook bodies). */
  data?: unknown;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for a lookup that found nothing). */
  allow?: readonly number[];
  /**
   * A GET lookup may follow redirects within the target's own origin (the credential never leaves it).
   * Deliveries never do: any 3xx is a RedirectRefusedError naming its Location.
   */
  followSameOriginRedirects?: boolean;
}

export interface HttpTargetOptions {
  /** Names the target in messages: `discourse`, `webhook`. */
  name: string;
  baseUrl: string;
  policy: Pick<RetryPolicy, 'timeoutMs'>;
  /** Secrets to scrub from any message built from a response (a misbehaving target may echo them). */
  secrets?: () => readonly SecretValue[];
  userAgent?: string;
  /** Same-origin redirects one lookup may follow (DEFAULT_MAX_LOOKUP_REDIRECTS). */
  maxLookupRedirects?: number;
}

const NETWORK_CODES_TIMEOUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);

/**
 * One HTTP target over axios. `request` makes exactly one attempt and turns every outcome other than
 * success into a typed DeliveryError whose message names the request and the target's error text, and
 * never the headers (axios errors carry the request config, API key included, so they are not passed on).
 */
export class HttpTarget {
  private readonly client: AxiosInstance;
  private readonly origin: string;

  constructor(private readonly options: HttpTargetOptions) {
    this.origin = secureUrl(options.name, options.baseUrl).origin;
    this.client = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.policy.timeoutMs,
      // Never followed by axios: a followed redirect re-sends the credential headers to the Location.
      maxRedirects: 0,
      // Statuses are classified below, not by axios.
      validateStatus: () => true,
      headers: { Accept: 'application/json', 'User-Agent': options.userAgent ?? 'leverage-advisor' },
    });
  }

  get name(): string {
    return this.options.name;
  }

  async request<T = unknown>(request: HttpRequest): Promise<AxiosResponse<T>> {
    const pathOnly = request.path.split('?')[0] ?? request.path;
    const details: DeliveryErrorDetails = { target: this.options.name, method: request.method.toUpperCase(), path: pathOnly };
    const label = `${this.options.name}: ${details.method} ${pathOnly}`;
    const maxHops = request.followSameOriginRedirects && details.method === 'GET' ? (this.options.maxLookupRedirects ?? DEFAULT_MAX_LOOKUP_REDIRECTS) : 0;
    let url = request.path;
    for (let hop = 0; ; hop++) {
      const response = await this.exchange<T>(request, url, label, details);
      const { status } = response;
      if (status < 300 || status >= 400 || request.allow?.includes(status)) return this.classify(request, response, label, details);
      url = this.redirectTarget(response, url, hop < maxHops, label, { ...details, status });
    }
  }

  /** One HTTP exchange; network failures and timeouts become transient DeliveryErrors. */
  private async exchange<T>(request: HttpRequest, url: string, label: string, details: DeliveryErrorDetails): Promise<AxiosResponse<T>> {
    try {
      return await this.client.request<T>({
        method: request.method,
        url,
        headers: request.headers,
        data: request.data,
        // Strings go out untouched (a signature covers their exact bytes).
        ...(typeof request.data === 'string' ? { transformRequest: [(data: unknown) => data] } : {}),
        // axios' `timeout` is reset by every byte; the signal bounds the whole exchange.
        signal: AbortSignal.timeout(this.options.policy.timeoutMs),
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const reason = NETWORK_CODES_TIMEOUT.has(code)
        ? `timed out after ${this.options.policy.timeoutMs} ms`
        : `${code || 'network error'}: ${(error as Error).message}`;
      throw new DeliveryError('transient', this.scrub(`${label} ${reason}`), { ...details });
    }
  }

  /**
   * Where a 3xx may be followed: only by a lookup that may, within the target's own origin (so over the
   * same https or loopback), and only so many times. Anything else is refused, naming the Location.
   */
  private redirectTarget(response: AxiosResponse, from: string, mayFollow: boolean, label: string, details: DeliveryErrorDetails): string {
    const header = (response.headers as Record<string, unknown>).location;
    const location = typeof header === 'string' && header.trim() !== '' ? header.trim() : null;
    const refuse = (why: string) => {
      throw new RedirectRefusedError(this.scrub(`${label} -> ${details.status} redirect to ${location ?? '(no Location)'}: ${why}`), { ...details, location });
    };
    if (!location) return refuse('no Location to follow');
    if (!mayFollow) return refuse('deliveries never follow redirects; configure the final URL');
    // As axios built it: an absolute URL as is, a path appended to the base URL.
    const current = /^[a-z][a-z0-9+.-]*:/i.test(from) ? new URL(from) : new URL(`${this.options.baseUrl.replace(/\/+$/, '')}${from}`);
    let next: URL;
    try {
      next = secureUrl(this.options.name, location, current);
    } catch {
      return refuse('not an https URL');
    }
    if (next.origin !== this.origin) return refuse('another origin; the credential stays with the target');
    return next.href;
  }

  /** A final (non-redirect) response: returned on success or when allowed, else a typed DeliveryError. */
  private classify<T>(request: HttpRequest, response: AxiosResponse<T>, label: string, details: DeliveryErrorDetails): AxiosResponse<T> {
    const { status } = response;
    if ((status >= 200 && status < 300) || request.allow?.includes(status)) return response;
    const text = errorText(response.data);
    const message = this.scrub(`${label} -> ${status}${text ? `: ${text}` : ''}`);
    const withStatus = { ...details, status };
    if (status === 429) {
      const waitMs = rateLimitWaitMs(response.headers as Record<string, unknown>, response.data, Date.now());
      throw new RateLimitedError(message, withStatus, waitMs);
    }
    if (status === 408 || status === 425 || status >= 500) throw new DeliveryError('transient', message, withStatus);
    if (status === 401 || status === 403) throw new DeliveryError('auth', message, withStatus);
    throw new DeliveryError('rejected', message, withStatus);
  }

  private scrub(text: string): string {
    return redact(text, this.options.secrets?.() ?? []);
  }
}

export interface RetryEvent {
  attempt: number;
  waitMs: number;
  error: DeliveryError;
}

/**
 * Runs `operation` until it succeeds, a non-retryable error comes, or `policy.attempts` are used up.
 * A 429 waits what the target asked for, if it is within `maxRateLimitWaitMs`; otherwise the
 * RateLimitedError goes up so the dispatcher can defer. The operation is the whole delivery (lookup
 * included), so a retry after an ambiguous failure (a timeout after the target acted) finds what the
 * first try did instead of doing it again.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof DeliveryError) || !error.retryNow || attempt >= policy.attempts) throw error;
      let waitMs: number;
      if (error instanceof RateLimitedError) {
        waitMs = error.waitMs ?? backoffMs(attempt, policy);
        if (waitMs > policy.maxRateLimitWaitMs) throw error;
      } else waitMs = backoffMs(attempt, policy);
      onRetry?.({ attempt, waitMs, error });
      await policy.sleep(waitMs);
    }
  }
}

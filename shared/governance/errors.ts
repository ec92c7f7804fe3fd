import { AdvisorError } from '../util/errors.js';

/** How the outbox treats a failed delivery. */
export type DeliveryFailureKind =
  /** 429: the target asked us to wait; nothing was processed. */
  | 'rate-limited'
  /** 5xx, 408, timeouts, connection errors: may succeed if tried again soon. */
  | 'transient'
  /** 401/403: credentials or permissions; retrying now is pointless, a later dispatch may succeed (rotation). */
  | 'auth'
  /** Any other 4xx (422 validation, 400, 413...): the same request will never succeed. */
  | 'rejected';

export interface DeliveryErrorDetails extends Record<string, unknown> {
  target: string;
  method?: string;
  /** Path only: never a query string or header, which could carry a secret. */
  path?: string;
  status?: number;
}

/**
 * A delivery to a publish target failed. The message is safe to store and log: it names the request
 * and the target's own error text, never headers or secrets (see http.ts, which redacts them).
 */
export class DeliveryError extends AdvisorError {
  constructor(
    readonly kind: DeliveryFailureKind,
    message: string,
    details: DeliveryErrorDetails,
  ) {
    super(`DELIVERY_${kind.toUpperCase().replace('-', '_')}`, message, details);
  }

  /** Worth another try within the same dispatch (after a backoff or the target's wait). */
  get retryNow(): boolean {
    return this.kind === 'transient' || this.kind === 'rate-limited';
  }

  /** The proposal can never be delivered as it is: fail it now instead of after N attempts. */
  get permanent(): boolean {
    return this.kind === 'rejected';
  }
}

/** 429 with the wait the target asked for (`Retry-After` or Discourse's `extras.wait_seconds`). */
export class RateLimitedError extends DeliveryError {
  constructor(
    message: string,
    details: DeliveryErrorDetails,
    /** Null when the target gave no wait; the caller then backs off on its own schedule. */
    readonly waitMs: number | null,
  ) {
    super('rate-limited', message, { ...details, waitMs });
  }
}

/**
 * The target answered a 3xx. Deliveries never follow redirects (a followed POST would carry the forum key
 * or the signed body to wherever the Location points): the redirect is a permanent delivery error naming
 * its Location, so an operator can fix the configured URL.
 */
export class RedirectRefusedError extends DeliveryError {
  constructor(message: string, details: DeliveryErrorDetails & { location: string | null }) {
    super('rejected', message, details);
  }
}

/**
 * A URL a credential would be sent to is not https (plain http is allowed to this machine only): the
 * configured base URL, the webhook URL, or a URL taken from a response.
 */
export class InsecureUrlError extends AdvisorError {
  constructor(target: string, url: string) {
    super('INSECURE_URL', `${target}: ${url} is not https (plain http only to localhost, 127.0.0.1 or [::1]); a credential goes with every request`, {
      target,
      url,
    });
  }
}

export function isPermanentDeliveryFailure(error: unknown): boolean {
  return error instanceof DeliveryError && error.permanent;
}

/** A fan-out sink was built with no target to send to. */
export class NoSinkTargetsError extends AdvisorError {
  constructor() {
    super('NO_SINK_TARGETS', 'FanOutSink needs at least one target');
  }
}

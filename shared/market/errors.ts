import { AdvisorError } from '../util/errors.js';
import { MS_PER_MINUTE } from '../util/time.js';

export class VenueNotListedError extends AdvisorError {
  constructor(asset: string, venue: string) {
    super('VENUE_NOT_LISTED', `${asset} has no pair configured on ${venue}`, { asset, venue });
  }
}

/**
 * Base of every failed venue request. `retryable` says whether the resilience layer may try again
 * (timeouts, 429, 5xx, broken connections); `venueFault` whether it counts towards the circuit breaker
 * (the venue looks down, as opposed to "this payload is wrong" or "you asked too fast").
 */
export class VenueRequestError extends AdvisorError {
  constructor(
    code: string,
    message: string,
    readonly venue: string,
    readonly path: string,
    readonly retryable: boolean,
    readonly venueFault: boolean,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { venue, path, ...details });
  }
}

/** No complete response within the per-attempt timeout. */
export class VenueTimeoutError extends VenueRequestError {
  constructor(venue: string, path: string, readonly timeoutMs: number) {
    super('VENUE_TIMEOUT', `${venue} ${path}: no response within ${timeoutMs} ms`, venue, path, true, true, { timeoutMs });
  }
}

/** The connection failed or broke mid-body (refused, reset, truncated). */
export class VenueNetworkError extends VenueRequestError {
  constructor(venue: string, path: string, readonly reason: string) {
    super('VENUE_NETWORK', `${venue} ${path}: connection failed (${reason})`, venue, path, true, true, { reason });
  }
}

/** A non-2xx status. 429 and 5xx are retried (429 honouring Retry-After); other 4xx are not. */
export class VenueHttpStatusError extends VenueRequestError {
  constructor(
    venue: string,
    path: string,
    readonly status: number,
    readonly retryAfterMs: number | null,
    bodyExcerpt: string,
  ) {
    const retryable = status === 429 || status === 408 || status >= 500;
    super(
      status === 429 ? 'VENUE_RATE_LIMITED' : 'VENUE_HTTP_STATUS',
      `${venue} ${path}: HTTP ${status}${retryAfterMs !== null ? ` (Retry-After ${retryAfterMs} ms)` : ''}${bodyExcerpt ? `: ${bodyExcerpt}` : ''}`,
      venue,
      path,
      retryable,
      status >= 500 || status === 408,
      { status, retryAfterMs },
    );
  }
}

/** The body is not JSON (garbled, or cut short while the connection still closed cleanly). */
export class VenueMalformedResponseError extends VenueRequestError {
  constructor(venue: string, path: string, reason: string, bodyExcerpt: string) {
    super('VENUE_MALFORMED_RESPONSE', `${venue} ${path}: body is not JSON (${reason}): ${bodyExcerpt}`, venue, path, false, false, { reason });
  }
}

/** Valid JSON that does not match the venue's documented payload: nothing of it is used. */
export class VenuePayloadError extends VenueRequestError {
  constructor(venue: string, path: string, readonly problems: string[]) {
    super('VENUE_PAYLOAD_INVALID', `${venue} ${path}: unexpected payload: ${problems.join('; ')}`, venue, path, false, false, { problems });
  }
}

/** The venue answered with its own error envelope (Kraken's `error` array). */
export class VenueApiError extends VenueRequestError {
  constructor(venue: string, path: string, readonly venueErrors: string[], retryable: boolean) {
    super('VENUE_API_ERROR', `${venue} ${path}: ${venueErrors.join(', ')}`, venue, path, retryable, false, { venueErrors });
  }
}

/** The venue's circuit breaker is open: it failed repeatedly, so requests fail at once until a trial succeeds. */
export class VenueUnavailableError extends VenueRequestError {
  constructor(venue: string, path: string, lastFailure: string) {
    super('VENUE_UNAVAILABLE', `${venue} is failing (circuit open; last failure: ${lastFailure}): request not sent`, venue, path, false, false, {
      lastFailure,
    });
  }
}

export class VenueIntervalUnsupportedError extends AdvisorError {
  constructor(venue: string, intervalMs: number) {
    super('VENUE_INTERVAL_UNSUPPORTED', `${venue} has no ${intervalMs / MS_PER_MINUTE}-minute candles`, { venue, intervalMs });
  }
}

export class VenueDisabledError extends AdvisorError {
  constructor(venue: string) {
    super('VENUE_DISABLED', `${venue} is not an enabled venue of this market source`, { venue });
  }
}

/**
 * Paging a long history stopped part-way. The pages fetched so far were validated and are kept by the
 * source: the next request for the same range resumes at `resumeFromMs` instead of starting over.
 * Nothing partial is returned to the caller.
 */
export class CandleHistoryIncompleteError extends AdvisorError {
  constructor(
    readonly venue: string,
    readonly pair: string,
    readonly resumeFromMs: number,
    readonly barsFetched: number,
    override readonly cause: Error,
  ) {
    super(
      'CANDLE_HISTORY_INCOMPLETE',
      `${venue} ${pair}: history stopped at ${new Date(resumeFromMs).toISOString()} after ${barsFetched} bars (${cause.message}); the next request resumes there`,
      { venue, pair, resumeFromMs, barsFetched, cause: cause.message },
    );
  }
}

/** The replay data directory has no recording for this request. */
export class ReplayDataMissingError extends AdvisorError {
  constructor(what: string, dataDir: string) {
    super('REPLAY_DATA_MISSING', `no recorded ${what} in ${dataDir}`, { what, dataDir });
  }
}

/** Paging a history made no progress within the pages the range needs (a venue that never advances): the cause of a CandleHistoryIncompleteError. */
export class PagingStalledError extends AdvisorError {
  constructor(readonly pages: number) {
    super('PAGING_STALLED', `no progress after ${pages} pages`, { pages });
  }
}

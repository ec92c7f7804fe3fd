import type { VenueConfig, VenueId } from '../../shared/config/schema.js';

/** The loopback venue servers' options, faults and observations (test/support/venue-server.ts). */

export type VenueEndpoint = 'candles' | 'book' | 'ping';

export type VenueFault =
  /** The request is accepted and never answered. */
  | { kind: 'timeout' }
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** A JSON content type with a body that is not JSON. */
  | { kind: 'malformed-json' }
  /** Content-Length promises the whole body; half of it is sent, then the connection is destroyed. */
  | { kind: 'truncated' }
  /** Valid JSON that is not the venue's payload. */
  | { kind: 'wrong-shape' }
  /** The bar opening at `atMs` trades down to `lowFraction` of its open (a flash-crash wick on this venue). */
  | { kind: 'flash-crash'; atMs: number; lowFraction: number }
  /** No bars with open time in [fromMs, toMs). */
  | { kind: 'gap'; fromMs: number; toMs: number }
  /** The feed stopped: no bars at or after `sinceMs`. */
  | { kind: 'stale'; sinceMs: number }
  | { kind: 'zero-volume'; fromMs: number; toMs: number }
  | { kind: 'crossed-book' }
  | { kind: 'empty-book' }
  | { kind: 'latency'; ms: number };

export interface FaultRule {
  fault: VenueFault;
  endpoint?: VenueEndpoint;
  pair?: string;
  /** Requests the fault applies to before it wears off; unlimited when absent. */
  times?: number;
  /** Only requests whose query passes (e.g. the second page of a history). */
  when?: (query: Record<string, string>) => boolean;
}

export interface TokenBucket {
  /** Cost units the bucket holds (the burst). */
  capacity: number;
  refillPerSecond: number;
}

export interface VenueServerOptions {
  /** The market clock: bars exist up to the one containing now (the open one included, as real venues do). */
  now?: () => number;
  /** Added to every response. */
  latencyMs?: number;
  /** Rate limits enforced per venue (none when absent). Binance's is in request weight. */
  rateLimits?: Partial<Record<VenueId, TokenBucket>>;
  /** Serve the recorded real payloads for the pairs that have them (default true when the data is present). */
  recorded?: boolean;
}

export interface ServedRequest {
  venue: VenueId;
  endpoint: VenueEndpoint | 'unknown';
  path: string;
  query: Record<string, string>;
  status: number;
  /** Wall-clock arrival time (Date.now()). */
  arrivedAtMs: number;
}

export interface VenueServerStats {
  requests: number;
  rateLimited: number;
  byEndpoint: Record<string, number>;
  /** Most requests the server was handling at once (arrived, not yet answered or dropped). */
  maxInFlight: number;
}

export interface VenueServers {
  /** Venue configs pointing at the loopback servers (binance USDT, coinbase USD, kraken USD). */
  venues: VenueConfig[];
  url(venue: VenueId): string;
  fault(venue: VenueId, rule: FaultRule): void;
  clearFaults(): void;
  /** Hand-written payload for one pair and endpoint (served verbatim, JSON-encoded). */
  fixture(venue: VenueId, endpoint: VenueEndpoint, pair: string, body: unknown): void;
  requests(venue?: VenueId): ServedRequest[];
  stats(venue: VenueId): VenueServerStats;
  close(): Promise<void>;
}

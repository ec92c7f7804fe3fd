import axios, { AxiosError, type AxiosInstance } from 'axios';
import type * as z from 'zod';
import { VenueHttpStatusError, VenueMalformedResponseError, VenueNetworkError, VenuePayloadError, VenueRequestError } from '../errors.js';
import type { VenueGuard } from '../resilience.js';

/** Characters of a bad body quoted in an error message. */
const BODY_EXCERPT_CHARS = 160;
/** Largest body accepted (a full level-2 book of a major pair is a few MB). */
const MAX_BODY_BYTES = 32 * 2 ** 20;

function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_EXCERPT_CHARS ? `${flat.slice(0, BODY_EXCERPT_CHARS)}...` : flat;
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfterMs(header: unknown, nowMs: number): number | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const dateMs = Date.parse(header);
  return Number.isFinite(dateMs) ? Math.max(0, dateMs - nowMs) : null;
}

export interface RequestOptions {
  weight?: number;
  check?: (body: unknown) => void;
}

/** Query values: undefined ones are left out. */
export type QueryParams = Record<string, string | number | undefined>;

/** A shared axios instance for venue calls: bodies as text (we parse JSON ourselves), every status returned. */
export function createVenueAxios(): AxiosInstance {
  return axios.create({
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxContentLength: MAX_BODY_BYTES,
    headers: { Accept: 'application/json', 'User-Agent': 'leverage-advisor/market-data' },
  });
}

/**
 * JSON over HTTP for one venue, through its guard: statuses, broken connections and non-JSON bodies
 * become named errors; a body is validated with the payload's zod schema before anything uses it.
 */
export class VenueHttp {
  constructor(
    readonly venue: string,
    readonly baseUrl: string,
    private readonly guard: VenueGuard,
    private readonly http: AxiosInstance,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `weight` is the request's cost in the venue's weight budget; `check` runs on the parsed body inside
   * the attempt, so an error the venue reports in a 200 body (Kraken) can be retried like a status.
   */
  async getJson<S extends z.ZodType>(path: string, params: QueryParams, schema: S, options: RequestOptions = {}): Promise<z.output<S>> {
    const body = await this.guard.run(path, options.weight ?? 1, async (signal) => {
      const json = await this.attempt(path, params, signal);
      options.check?.(json);
      return json;
    });
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new VenuePayloadError(
        this.venue,
        path,
        parsed.error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`),
      );
    }
    return parsed.data;
  }

  private async attempt(path: string, params: QueryParams, signal: AbortSignal): Promise<unknown> {
    const query = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    let status: number;
    let text: string;
    let retryAfterHeader: unknown;
    try {
      const response = await this.http.get<string>(`${this.baseUrl.replace(/\/$/, '')}${path}`, { params: query, signal });
      status = response.status;
      text = typeof response.data === 'string' ? response.data : String(response.data ?? '');
      retryAfterHeader = response.headers['retry-after'];
    } catch (error) {
      if (error instanceof VenueRequestError) throw error;
      const reason = error instanceof AxiosError ? [error.code, error.message].filter(Boolean).join(' ') : (error as Error).message;
      throw new VenueNetworkError(this.venue, path, reason);
    }
    if (status < 200 || status >= 300) {
      throw new VenueHttpStatusError(this.venue, path, status, parseRetryAfterMs(retryAfterHeader, this.now()), excerpt(text));
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new VenueMalformedResponseError(this.venue, path, (error as Error).message, excerpt(text));
    }
  }
}

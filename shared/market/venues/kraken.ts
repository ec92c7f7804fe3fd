import { MS_PER_MINUTE } from '../../util/time.js';
import type * as z from 'zod';
import { VenueApiError, VenuePayloadError } from '../errors.js';
import { VenueAdapterBase } from './adapter-base.js';
import { barsInRange, nextStartAfterFullPage, sortBook } from './common.js';
import { krakenDepthResultSchema, krakenEnvelopeSchema, krakenOhlcResultSchema, krakenTimeResultSchema } from './schemas.js';
import type { CandlePage, CandlePageRequest, VenueBook } from './types.js';

/** Interval lengths (minutes) /0/public/OHLC serves, by bar length in ms. */
const INTERVAL_MINUTES = new Map([1, 5, 15, 30, 60, 240, 1440, 10080, 21600].map((minutes) => [minutes * MS_PER_MINUTE, minutes]));
/** Rows one OHLC response holds at most: Kraken serves only the latest 720 bars of an interval. */
export const KRAKEN_OHLC_LIMIT = 720;
/** Levels per side /0/public/Depth serves at most. */
export const KRAKEN_DEPTH_MAX_LEVELS = 500;
/** Kraken errors that are about load, not the request: retried like a 429 / 503. */
const TRANSIENT_ERRORS = /EAPI:Rate limit|EGeneral:Too many requests|EService:Unavailable|EService:Busy|EGeneral:Temporary/i;

/** Kraken answers errors in a 200 body; this turns them into named (and, when transient, retried) errors. */
function checkEnvelope(path: string) {
  return (body: unknown): void => {
    const envelope = krakenEnvelopeSchema.safeParse(body);
    if (envelope.success && envelope.data.error.length > 0) {
      const errors = envelope.data.error;
      throw new VenueApiError('kraken', path, errors, errors.some((e) => TRANSIENT_ERRORS.test(e)));
    }
  };
}

/** Kraken spot: GET /0/public/OHLC and /0/public/Depth. */
export class KrakenAdapter extends VenueAdapterBase<number> {
  readonly venue = 'kraken' as const;
  readonly maxBarsPerRequest = KRAKEN_OHLC_LIMIT;
  protected readonly intervalParams = INTERVAL_MINUTES;

  async fetchCandlePage(request: CandlePageRequest): Promise<CandlePage> {
    const interval = this.intervalParam(request.intervalMs);
    const path = '/0/public/OHLC';
    // `since` is exclusive ("after this time"): one second before the start includes the start bar.
    const result = await this.result(
      path,
      { pair: request.pair, interval, since: Math.floor(request.startMs / 1000) - 1 },
      krakenOhlcResultSchema,
    );
    const candles = barsInRange(this.venue, path, request, result.bars);
    // Only a full page can have more after it; older history than the latest 720 bars does not exist here.
    return { candles, nextStartMs: nextStartAfterFullPage(result.bars.map((b) => b.openTimeMs), KRAKEN_OHLC_LIMIT, request) };
  }

  async fetchOrderBook(pair: string, levels: number): Promise<VenueBook> {
    const count = Math.min(levels, KRAKEN_DEPTH_MAX_LEVELS);
    const result = await this.result('/0/public/Depth', { pair, count }, krakenDepthResultSchema);
    return { ...sortBook(result.bids, result.asks), exchangeTimeMs: null };
  }

  async ping(): Promise<void> {
    await this.result('/0/public/Time', {}, krakenTimeResultSchema);
  }

  private async result<S extends z.ZodType>(path: string, params: Record<string, string | number>, schema: S): Promise<z.output<S>> {
    const envelope = await this.http.getJson(path, params, krakenEnvelopeSchema, { check: checkEnvelope(path) });
    const parsed = schema.safeParse(envelope.result);
    if (!parsed.success) {
      throw new VenuePayloadError(
        this.venue,
        path,
        parsed.error.issues.slice(0, 3).map((i) => `result${i.path.length > 0 ? `.${i.path.join('.')}` : ''}: ${i.message}`),
      );
    }
    return parsed.data;
  }
}

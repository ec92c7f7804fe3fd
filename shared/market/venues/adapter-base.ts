import type { VenueId } from '../../config/schema.js';
import { VenueIntervalUnsupportedError } from '../errors.js';
import type { VenueHttp } from './http.js';
import type { CandlePage, CandlePageRequest, QuoteCurrency, VenueAdapter, VenueBook } from './types.js';

/**
 * What every venue adapter shares: its HTTP client (the VenueGuard underneath), its quote currency, and
 * the bar lengths it serves, as a table of the venue's own interval parameter by bar length.
 */
export abstract class VenueAdapterBase<IntervalParam extends string | number> implements VenueAdapter {
  abstract readonly venue: VenueId;
  abstract readonly maxBarsPerRequest: number;
  /** The venue's interval parameter by bar length in ms; a length absent here is not served. */
  protected abstract readonly intervalParams: ReadonlyMap<number, IntervalParam>;

  constructor(
    protected readonly http: VenueHttp,
    readonly quoteCurrency: QuoteCurrency,
  ) {}

  supportsInterval(intervalMs: number): boolean {
    return this.intervalParams.has(intervalMs);
  }

  /** The venue's parameter for a bar length; VenueIntervalUnsupportedError when it does not serve it. */
  protected intervalParam(intervalMs: number): IntervalParam {
    const param = this.intervalParams.get(intervalMs);
    if (param === undefined) throw new VenueIntervalUnsupportedError(this.venue, intervalMs);
    return param;
  }

  abstract fetchCandlePage(request: CandlePageRequest): Promise<CandlePage>;
  abstract fetchOrderBook(pair: string, levels: number): Promise<VenueBook>;
  abstract ping(): Promise<void>;
}

import { AdvisorError } from '../util/errors.js';

/** One venue's failure in an ingest. */
export interface VenueFailure {
  venue: string;
  error: string;
}

/**
 * No venue gave a usable price for the asset (every venue failed or returned nothing): no snapshot is
 * stored, since a price would have to be made up. Carries every venue's error, the real cause.
 */
export class NoMarketDataError extends AdvisorError {
  constructor(
    readonly asset: string,
    readonly venues: VenueFailure[],
  ) {
    super(
      'NO_MARKET_DATA',
      venues.length === 0
        ? `no venue is enabled for ${asset}`
        : `no venue answered for ${asset}: ${venues.map((v) => `${v.venue}: ${v.error}`).join('; ')}`,
      { asset, venues },
    );
  }
}

import { AdvisorError } from '../util/errors.js';

export class VenueNotListedError extends AdvisorError {
  constructor(asset: string, venue: string) {
    super('VENUE_NOT_LISTED', `${asset} has no pair configured on ${venue}`, { asset, venue });
  }
}

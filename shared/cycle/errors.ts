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

/** A worker found no stored market snapshot for the asset it is to compute (its ingest stored none). */
export class NoSnapshotError extends AdvisorError {
  constructor(readonly asset: string) {
    super('NO_SNAPSHOT', `no market snapshot for ${asset}`, { asset });
  }
}

/** The run a plan was asked to start is not in the store. */
export class RunNotFoundError extends AdvisorError {
  constructor(readonly runId: string) {
    super('RUN_NOT_FOUND', `run ${runId} does not exist`, { runId });
  }
}

/** The Lambda invoker has no function name for a role (its environment variable is unset). */
export class FunctionNameMissingError extends AdvisorError {
  constructor(readonly role: string) {
    super('FUNCTION_NAME_MISSING', `no function name configured for the ${role} function`, { role });
  }
}

/** The engine computed parameters of another kind than the profile's (a defect: the engine dispatches on the kind). */
export class ProfileKindMismatchError extends AdvisorError {
  constructor(
    readonly profileId: string,
    readonly profileKind: string,
    readonly computedKind: string,
  ) {
    super('PROFILE_KIND_MISMATCH', `profile ${profileId} is ${profileKind} but parameters came out ${computedKind}`, { profileId, profileKind, computedKind });
  }
}

/**
 * A finalizer lost the conditional write of a market's last-published pointer every time it tried: other
 * runs kept publishing for that market meanwhile. Nothing was stored for the market; the run's finalize
 * fails and is retried like any other failure.
 */
export class PublicationRaceError extends AdvisorError {
  constructor(runId: string, profileId: string, attempts: number) {
    super('PUBLICATION_RACE', `run ${runId}: the last-published pointer of ${profileId} moved under this finalizer ${attempts} times`, { runId, profileId, attempts });
  }
}

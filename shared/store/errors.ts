import { AdvisorError } from '../util/errors.js';

export class InvalidCursorError extends AdvisorError {
  constructor(cursor: string) {
    super('INVALID_CURSOR', 'the pagination cursor is not one this API issued', { cursor });
  }
}

/** Too many concurrent writers kept taking the next version number. */
export class VersionConflictError extends AdvisorError {
  constructor(asset: string, profileId: string, attempts: number) {
    super('VERSION_CONFLICT', `could not append a recommendation version for ${asset}/${profileId} after ${attempts} attempts`, {
      asset,
      profileId,
      attempts,
    });
  }
}

export class RunTransitionError extends AdvisorError {
  constructor(runId: string, to: string) {
    super('RUN_TRANSITION', `run ${runId} cannot move to ${to} from its current status`, { runId, to });
  }
}

/** Another worker holds this asset of this run (a concurrent duplicate delivery): retry after its lease. */
export class AssetBusyError extends AdvisorError {
  constructor(runId: string, asset: string, heldUntilMs: number | null) {
    super('ASSET_BUSY', `asset ${asset} of run ${runId} is being worked on by another delivery`, { runId, asset, heldUntilMs });
  }
}

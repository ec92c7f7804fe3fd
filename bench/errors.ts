import { AdvisorError } from '../shared/util/errors.js';

/** The compute bench's floor is written for the lending profile; it was handed another kind. */
export class FloorProfileKindError extends AdvisorError {
  constructor(readonly profileKind: string) {
    super('BENCH_FLOOR_PROFILE_KIND', 'the floor is written for the lending profile', { profileKind });
  }
}

/** The engine left out a figure it computes on complete inputs: a defect of the bench's inputs. */
export class EngineOutputMissingError extends AdvisorError {
  constructor(readonly missing: readonly string[]) {
    super('BENCH_ENGINE_OUTPUT_MISSING', 'the engine computed no cross-check or Monte Carlo on complete inputs', { missing });
  }
}

/** A bench asset's name has a through-the-cycle record on file: the floor would not see what the engine sees. */
export class BenchAssetOnFileError extends AdvisorError {
  constructor(readonly asset: string) {
    super('BENCH_ASSET_ON_FILE', `bench asset ${asset} collides with a record on file`, { asset });
  }
}

/** A step of the bundle bench (cdk synth, the synthesized template, the API bundle's cold start) failed. */
export class BundleBenchError extends AdvisorError {}

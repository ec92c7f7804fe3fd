import { AdvisorError } from '../util/errors.js';

/** An asset of the default universe has no simulator calibration (shared/config/calibration.ts). */
export class SimulatorCalibrationMissingError extends AdvisorError {
  constructor(readonly asset: string) {
    super('SIMULATOR_CALIBRATION_MISSING', `no simulator calibration for ${asset}: run npm run calibrate`, { asset });
  }
}

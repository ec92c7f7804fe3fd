import { describe, expect, it } from 'vitest';
import { SimulatorCalibrationMissingError } from '../../../shared/config/errors.js';
import { AdvisorError } from '../../../shared/util/errors.js';

describe('config errors', () => {
  it('a universe asset without simulator calibration names the asset and the fix', () => {
    const error = new SimulatorCalibrationMissingError('XYZ');
    expect(error).toBeInstanceOf(AdvisorError);
    expect(error).toMatchObject({
      name: 'SimulatorCalibrationMissingError',
      code: 'SIMULATOR_CALIBRATION_MISSING',
      asset: 'XYZ',
      details: { asset: 'XYZ' },
      message: 'no simulator calibration for XYZ: run npm run calibrate',
    });
  });
});

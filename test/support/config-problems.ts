import { expect } from 'vitest';
import { ConfigError } from '../../shared/config/load.js';

/** The problems of the ConfigError `fn` throws; fails the test when it throws something else or nothing. */
export function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

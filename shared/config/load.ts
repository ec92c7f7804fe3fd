import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { AdvisorError } from '../util/errors.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { advisorConfigSchema, type AdvisorConfig } from './schema.js';

export interface ConfigProblem {
  /** Dotted path of the bad field, e.g. `profiles[0].confidence`. */
  path: string;
  message: string;
}

/** The configuration is invalid; `problems` names every bad field. */
export class ConfigError extends AdvisorError {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      'CONFIG_INVALID',
      `invalid configuration (${source}):\n` + problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n'),
      { source, problems },
    );
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

export function problemsOf(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/**
 * Builds the configuration: the embedded defaults, with each top-level section present in `overrides`
 * replacing the default one. Throws ConfigError naming every bad field.
 */
export function buildConfig(overrides: unknown = {}, source = 'defaults'): AdvisorConfig {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ConfigError(source, [{ path: '', message: 'expected a JSON object' }]);
  }
  const result = advisorConfigSchema.safeParse({ ...DEFAULT_CONFIG, ...overrides });
  if (!result.success) throw new ConfigError(source, problemsOf(result.error));
  return result.data;
}

/** Loads the defaults, overridden by a JSON file when `file` is given. */
export function loadConfig(file?: string): AdvisorConfig {
  if (!file) return buildConfig();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read file: ${(error as Error).message}` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  return buildConfig(parsed, file);
}

export function assetsOfProfile(config: AdvisorConfig, profileId: string): string[] {
  const profile = config.profiles.find((p) => p.id === profileId);
  if (!profile) return [];
  return profile.assets.length > 0 ? profile.assets : config.assets.map((a) => a.symbol);
}

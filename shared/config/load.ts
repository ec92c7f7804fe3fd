import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { AdvisorError } from '../util/errors.js';
import { formatPath } from '../util/field-path.js';
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

export function problemsOf(error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue) =>
    // One problem per unknown key, each with its own path (zod groups them in one issue).
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key (not a configuration field; a typo?)' }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Merges an override into the defaults: objects merge key by key (recursively), anything else, arrays
 * included, replaces the default value whole. Arrays replace because their items have no stable
 * identity to merge on for every array (depth bands, tiers), and a shorter list must be expressible
 * (e.g. a smaller asset universe).
 */
export function mergeConfig(defaults: unknown, override: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(override)) {
    // defineProperty: a `__proto__` key from JSON stays a plain (and, for the strict schema, unknown) key.
    Object.defineProperty(merged, key, { value: mergeConfig(defaults[key], value), enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

/**
 * Builds the configuration: the embedded defaults with `overrides` merged in (objects field by field,
 * arrays replaced whole; see mergeConfig), then validated as a whole. Throws ConfigError naming every
 * bad or unknown field.
 */
export function buildConfig(overrides: unknown = {}, source = 'defaults'): AdvisorConfig {
  if (!isPlainObject(overrides)) {
    throw new ConfigError(source, [{ path: '', message: 'expected a JSON object' }]);
  }
  const result = advisorConfigSchema.safeParse(mergeConfig(DEFAULT_CONFIG, overrides));
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

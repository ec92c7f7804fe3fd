import * as z from 'zod';
import type { Recommendation } from '../model/recommendation.js';

/**
 * Units of the governance parameters in API responses. The store keeps every parameter in basis
 * points (`ltvBps: 7500`), which is how Aave-style protocols configure them; `percent` is for readers
 * who think in percent. The unit stays in the key (`ltvPercent: 75`), so a value can never be read in
 * the wrong unit.
 */
export const parameterUnits = z.enum(['bps', 'percent']);
export type ParameterUnits = z.infer<typeof parameterUnits>;

const BPS_SUFFIX = /Bps$/;
const BPS_PER_PERCENT = 100;

export function percentKey(bpsKey: string): string {
  return bpsKey.replace(BPS_SUFFIX, 'Percent');
}

/** A copy of `values` with each `xxxBps` key renamed `xxxPercent` and its value divided by 100. */
export function toPercentKeys<T extends object>(values: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (BPS_SUFFIX.test(key) && typeof value === 'number') out[percentKey(key)] = value / BPS_PER_PERCENT;
    else out[key] = value;
  }
  return out;
}

/** The schema of `toPercentKeys(values)`, derived from the schema of `values`. */
export function percentKeyedSchema(schema: z.ZodObject) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, value] of Object.entries(schema.shape)) {
    if (BPS_SUFFIX.test(key)) shape[percentKey(key)] = z.number().meta({ description: `${key} / 100, in percent` });
    else shape[key] = value as z.ZodType;
  }
  return z.object(shape);
}

const stepValue = (value: number | null) => (value === null ? null : value / BPS_PER_PERCENT);

/**
 * A recommendation with its governance parameters in percent: `parameters`, `target`, `current`,
 * perp `tiers`, and the `steps` and `rationale` entries that name a bps parameter (so they still name
 * a key of `parameters`). Other unit-suffixed figures (`liquidity.spreadBps`, `liquidationPenaltyBps`)
 * keep their names and values: their unit is already in their name.
 */
export function recommendationInPercent(recommendation: Recommendation): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...recommendation,
    parameters: toPercentKeys(recommendation.parameters),
    target: toPercentKeys(recommendation.target),
    current: recommendation.current === null ? null : toPercentKeys(recommendation.current),
    steps: recommendation.steps.map((step) =>
      BPS_SUFFIX.test(step.parameter)
        ? { ...step, parameter: percentKey(step.parameter), current: stepValue(step.current), target: stepValue(step.target), proposed: stepValue(step.proposed) }
        : step,
    ),
    rationale: recommendation.rationale.map((entry) => ({ ...entry, parameter: percentKey(entry.parameter) })),
  };
  if (recommendation.profileKind === 'perp') out.tiers = recommendation.tiers.map((tier) => toPercentKeys(tier));
  return out;
}

export function inUnits(recommendation: Recommendation, units: ParameterUnits): Recommendation | Record<string, unknown> {
  return units === 'percent' ? recommendationInPercent(recommendation) : recommendation;
}

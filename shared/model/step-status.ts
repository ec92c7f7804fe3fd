import * as z from 'zod';

/**
 * What the guard rails did with one parameter (risk/guardrails/steps.ts): the one list of step statuses,
 * for the stored recommendation's schema, the rails and every rendering.
 */
export const stepStatusSchema = z.enum([
  'unchanged',
  'within-bounds',
  'bounded-needs-vote',
  'held-hysteresis',
  'held-min-delay',
  'held-weak-evidence',
  'frozen',
  'new-listing-needs-vote',
  'no-data',
]);
export type StepStatus = z.infer<typeof stepStatusSchema>;

/** Every step status, in schema order. */
export const STEP_STATUSES: readonly StepStatus[] = stepStatusSchema.options;

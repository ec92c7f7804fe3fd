/** One assertion of a scenario: how many times it was violated, with the first few cases. */
export interface CheckResult {
  name: string;
  failures: number;
  /** Up to MAX_DETAILS examples of the violations. */
  details: string[];
}

export type ScenarioId = 'a' | 'b' | 'c' | 'd';

export interface ScenarioResult {
  id: ScenarioId;
  scenario: string;
  trials: number;
  checks: CheckResult[];
  /** Figures worth printing (e.g. the status counts). */
  notes: string[];
  /** The harness itself could not finish the scenario (an error, not a finding). */
  error?: string;
}

export const MAX_DETAILS = 5;

/** Accumulates violations of named checks, keeping a few examples of each. */
export class Checks {
  private readonly byName = new Map<string, CheckResult>();

  constructor(names: readonly string[]) {
    for (const name of names) this.byName.set(name, { name, failures: 0, details: [] });
  }

  fail(name: string, detail: string): void {
    let check = this.byName.get(name);
    if (!check) this.byName.set(name, (check = { name, failures: 0, details: [] }));
    check.failures++;
    if (check.details.length < MAX_DETAILS) check.details.push(detail);
  }

  list(): CheckResult[] {
    return [...this.byName.values()];
  }
}

export function failuresOf(result: ScenarioResult): number {
  return result.checks.reduce((sum, c) => sum + c.failures, 0) + (result.error ? 1 : 0);
}

export function passed(result: ScenarioResult): boolean {
  return failuresOf(result) === 0;
}

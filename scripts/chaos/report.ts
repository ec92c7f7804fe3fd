import Table from 'cli-table3';
import { failuresOf, passed, type ScenarioResult } from './result.js';

/** The summary table: one row per scenario, then the failing checks with their first examples. */
export function renderReport(results: readonly ScenarioResult[]): string {
  const table = new Table({ head: ['Scenario', 'Trials', 'Checked', 'Failures', 'Verdict'], wordWrap: true, colWidths: [30, 8, 58, 10, 9], style: { head: [], border: [] } });
  for (const r of results) {
    const checked = r.checks.map((c) => `${c.failures === 0 ? 'ok ' : 'X  '}${c.name}${c.failures > 0 ? ` (${c.failures})` : ''}`).join('\n');
    table.push([`(${r.id}) ${r.scenario}`, String(r.trials), r.error ? 'harness error (see below)' : checked, String(failuresOf(r)), passed(r) ? 'PASS' : 'FAIL']);
  }
  const lines = [table.toString()];
  for (const r of results) {
    for (const note of r.notes) lines.push(`(${r.id}) ${note}`);
  }
  for (const r of results) {
    if (r.error) lines.push(`\n(${r.id}) harness error: ${r.error}`);
    for (const c of r.checks.filter((c) => c.failures > 0)) {
      lines.push(`\n(${r.id}) FAILED: ${c.name} (${c.failures})`);
      for (const d of c.details) lines.push(`    - ${d}`);
      if (c.failures > c.details.length) lines.push(`    ... and ${c.failures - c.details.length} more`);
    }
  }
  return lines.join('\n');
}

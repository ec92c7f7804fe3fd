import type { AssetProgress } from './runtime.js';

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

/** Per-run progress of asset workers: each run counts its own assets (runs may overlap). */
export function progressPrinter(print: (line: string) => void): (report: AssetProgress) => void {
  const done = new Map<string, number>();
  return (report) => {
    const { runId } = report.work;
    const count = (done.get(runId) ?? 0) + 1;
    done.set(runId, count);
    if (count === 1 && report.trigger === 'adhoc') print(`[${clock()}] recompute run ${runId}: ${report.total ?? '?'} asset(s)`);
    const outcome = report.outcome;
    const cause = outcome?.errors.map((e) => e.message).join('; ') || report.error?.message || 'see the run errors';
    const status = report.failed || !outcome ? `FAILED: ${cause}` : outcome.status === 'failed' ? `FAILED: ${cause}` : outcome.errors.length > 0 ? `done with errors: ${cause}` : 'done';
    const tag = report.trigger === 'adhoc' ? ` run ${runId.slice(-6)}` : '';
    print(`[${clock()}]     ${report.work.asset.padEnd(6)} ${status} (${(report.ms / 1000).toFixed(1)} s) [${count}/${report.total ?? '?'}]${tag}`);
    if (report.total !== null && count >= report.total) done.delete(runId);
  };
}


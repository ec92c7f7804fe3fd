import { formatCount } from '../format/numbers.js';
import type { ReproduceResult } from './reproduce.js';

/** The command that reproduces a version (printed in every proposal row, docs/reproduce.md). */
export function reproduceCommand(r: { asset: string; profileId: string; version: number }): string {
  return `npm run reproduce -- --asset ${r.asset} --profile ${r.profileId} --version ${r.version}`;
}

/** Exact, as stored: a figure is compared to the last bit, so it is printed in full. */
function valueText(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** What `npm run reproduce` prints for one version: "identical", or each altered input and differing figure. */
export function reportLines(r: ReproduceResult): string[] {
  const head = `${r.asset} / ${r.profileId} v${r.version}`;
  const rebuilt =
    `${formatCount(r.rebuilt.bars)} bars in ${r.rebuilt.blocks} blocks, ${r.rebuilt.bookVenues} book venues, ` +
    `clock ${new Date(r.rebuilt.nowMs).toISOString()}, seed ${r.rebuilt.seed}, methodology ${r.rebuilt.methodologyVersion}`;
  const lines = [r.identical ? `${head}: identical (${rebuilt})` : `${head}: DIFFERS (${rebuilt})`];
  for (const a of r.alteredInputs) lines.push(`  input altered: ${a.kind} stored as ${a.expected} now hashes to ${a.actual}`);
  for (const d of r.differences) lines.push(`  ${d.path}: stored ${valueText(d.stored)}, recomputed ${valueText(d.recomputed)}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

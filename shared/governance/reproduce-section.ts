import type { Recommendation } from '../model/recommendation.js';
import { reproduceCommand } from '../reproduce/report.js';
import { escapeMarkdown, table } from './markdown.js';

/**
 * Issue 16 part 5: each row of a proposal names the command that rebuilds its version's stored inputs and
 * recomputes every figure (`npm run reproduce`, docs/reproduce.md), exit 0 when identical.
 */
export function reproduceSection(recommendations: readonly Pick<Recommendation, 'asset' | 'profileId' | 'version'>[]): string[] {
  if (recommendations.length === 0) return [];
  return [
    'Every row can be recomputed from the inputs stored with its version (candles, order books, configuration, seed and clock); ' +
      'the command prints `identical` or each figure that differs:',
    '',
    table(
      ['Asset', 'Reproduce'],
      recommendations.map((r) => [escapeMarkdown(r.asset), `\`${reproduceCommand(r)}\``]),
    ),
    '',
  ];
}

/**
 * Escapes text from config or venues so it cannot break a Markdown table or inject Markdown/HTML:
 * backslash-escapes Markdown punctuation and entity-encodes HTML's special characters.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+\-.!|~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

export type ColumnAlign = 'left' | 'right';

/** A Markdown table; `align` per column (default left; right-aligned columns get `---:`). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ColumnAlign[] = []): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (align[i] === 'right' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

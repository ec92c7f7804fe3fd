/** One figure of a benchmark report: the label padded to a column, then the value. */
export function line(label: string, value: string, labelWidth = 58): void {
  console.log(`  ${label.padEnd(labelWidth)} ${value}`);
}

/**
 * A confusion matrix as plain text for the terminal: rows are the gesture
 * asked for, columns the gesture recognized, in percent of the row, with the
 * per-gesture accuracy at the end of each row.
 */

export function confusionText(labels: string[], confusion: number[][], method = 'leave-one-repetition-out'): string {
  const width = Math.max(...labels.map((l) => l.length), 'asked \\ recognized'.length);
  const cell = 5;
  const header = `${'asked \\ recognized'.padEnd(width)} ${labels.map((_, j) => `#${j}`.padStart(cell)).join('')}  ${'ok'.padStart(5)}`;
  const lines = [header];
  confusion.forEach((row, i) => {
    const total = row.reduce((s, v) => s + v, 0);
    const cells = row.map((v) => (total === 0 ? '-' : v === 0 ? '.' : `${Math.round((100 * v) / total)}`).padStart(cell)).join('');
    const ok = total === 0 ? '-' : `${Math.round((100 * (row[i] ?? 0)) / total)}%`;
    lines.push(`${`#${i} ${labels[i] ?? ''}`.padEnd(width)} ${cells}  ${ok.padStart(5)}`);
  });
  lines.push(`(percent of each row's windows; '.' = none; ${method})`);
  return lines.join('\n');
}

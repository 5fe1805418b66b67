/**
 * Small DOM helpers shared by the dashboard and the report: elements built
 * from text only (never from HTML strings, so nothing shown can inject
 * markup), percentages, and the confusion matrix as a table.
 */

export function el(tag: string, attrs: Record<string, string> = {}, children: (Node | string)[] = []): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** Rows: the gesture asked for; columns: the gesture recognized, in percent of the row; the diagonal green, the rest red. */
export function confusionTable(labels: string[], confusion: number[][]): HTMLElement {
  const head = el('tr', {}, [el('th', {}, ['asked \\ recognized']), ...labels.map((l) => el('th', {}, [l])), el('th', {}, ['accuracy'])]);
  const rows = confusion.map((row, i) => {
    const total = row.reduce((s, v) => s + v, 0);
    const cells = row.map((v, j) => {
      const share = total === 0 ? 0 : v / total;
      const td = el('td', { title: `${v} windows` }, [total === 0 ? '–' : String(Math.round(share * 100))]);
      td.style.background = `hsla(${i === j ? 120 : 0}, 70%, 45%, ${share.toFixed(2)})`;
      return td;
    });
    return el('tr', {}, [el('th', {}, [labels[i] ?? '']), ...cells, el('td', {}, [total === 0 ? '–' : `${Math.round((100 * (row[i] ?? 0)) / total)} %`])]);
  });
  return el('table', { id: 'confusion-matrix', class: 'confusion' }, [head, ...rows]);
}

/**
 * How closely int8 embeddings follow the float ones: cosine similarity per
 * window, and whether a head picks the same class on both.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { Embeddings } from '../../core/head/embeddings.ts';
import { type HeadData, predictClasses } from '../../core/head/head.ts';

export interface CosineSummary {
  mean: number;
  min: number;
}

function checkSameShape(a: Embeddings, b: Embeddings): void {
  if (a.count !== b.count || a.dim !== b.dim) {
    throw new HeadstartError('INTERNAL', `cannot compare ${a.count} x ${a.dim} embeddings with ${b.count} x ${b.dim}`);
  }
}

/** Cosine similarity of each pair of rows (two zero rows count as identical, one zero row as 0). */
export function cosineSimilarity(a: Embeddings, b: Embeddings): CosineSummary {
  checkSameShape(a, b);
  if (a.count === 0) throw new HeadstartError('INTERNAL', 'no embeddings to compare');
  let sum = 0;
  let min = Infinity;
  for (let i = 0; i < a.count; i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = 0; d < a.dim; d++) {
      const x = a.data[i * a.dim + d];
      const y = b.data[i * a.dim + d];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    const c = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
    sum += c;
    if (c < min) min = c;
  }
  return { mean: sum / a.count, min };
}

/** Share of windows on which `head` predicts the same class from both sets of embeddings. */
export function top1Agreement(head: HeadData, a: Embeddings, b: Embeddings): number {
  checkSameShape(a, b);
  const pa = predictClasses(head, a);
  const pb = predictClasses(head, b);
  let same = 0;
  for (let i = 0; i < pa.length; i++) if (pa[i] === pb[i]) same++;
  return pa.length === 0 ? 0 : same / pa.length;
}

/**
 * A head maps frozen embeddings to gesture classes. Two kinds:
 * - softmax: a linear layer + softmax on L2-normalized, standardized embeddings;
 * - lda: the same linear form, fitted in closed form by shrinkage LDA;
 * - ncm: nearest class mean by cosine similarity, usable from one example per class.
 * Both serialize to plain JSON-able data stored in a user profile or a model package.
 */
import { HeadstartError } from '../errors.ts';
import type { Embeddings } from './embeddings.ts';
import { buildHeadInputs, EMBEDDING_ONLY, type HeadInput, type WindowsView } from './head_input.ts';

/** A linear map of standardized embeddings to class scores, fitted by gradient descent (softmax) or in closed form (lda). */
export interface LinearHeadData {
  kind: 'softmax' | 'lda';
  classes: number;
  dim: number;
  /** What the head reads (head_input.ts); absent: the unit-length embedding alone. */
  input?: HeadInput;
  /** Per-dimension standardization of the head input (the wearer's own, or the population's when fitted with a prior). */
  mean: number[];
  invStd: number[];
  /** [dim][classes] */
  weights: number[];
  bias: number[];
  /** [classes][dim] class means in the standardized space, where the fit knows them (lda): what unsupervised adaptation compares with. */
  classMeans?: number[];
}

export interface NcmHeadData {
  kind: 'ncm';
  classes: number;
  dim: number;
  /** What the head reads (head_input.ts); absent: the unit-length embedding alone. */
  input?: HeadInput;
  /** [classes][dim], unit length; a class with no examples has a zero row. */
  centroids: number[];
}

export type HeadData = LinearHeadData | NcmHeadData;

export type HeadKind = HeadData['kind'];

/**
 * How a wearer's head is fitted (tfjs/select_head.ts): `transfer` is an LDA
 * on the embedding joined with time-domain features, with the population
 * prior; the others are named after the head they fit on the embedding alone.
 */
export type HeadMethod = 'transfer' | HeadKind;

/** The kind of head a method fits. */
export function methodKind(method: HeadMethod): HeadKind {
  return method === 'transfer' ? 'lda' : method;
}

/** What a head reads: its recorded recipe, or the unit-length embedding for heads that predate recipes. */
export function headInputOf(head: HeadData): HeadInput {
  return head.input ?? EMBEDDING_ONLY;
}

/**
 * Class scores of one head input vector `x` (built by HeadInputBuilder) into
 * `out` (classes values), using `row` (dim values) as scratch: probabilities
 * for the linear heads, cosine similarities for ncm. Allocation-free, so the
 * live pipeline calls it for every window; `headScores` calls it for every
 * row, so live and offline scores are the same numbers.
 */
export function scoreInputInto(head: HeadData, x: Float32Array, row: Float32Array, out: Float32Array): void {
  const { dim, classes } = head;
  if (head.kind !== 'ncm') {
    for (let d = 0; d < dim; d++) row[d] = (x[d] - head.mean[d]) * head.invStd[d];
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let z = head.bias[c];
      for (let d = 0; d < dim; d++) z += row[d] * head.weights[d * classes + c];
      out[c] = z;
      if (z > max) max = z;
    }
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(out[c] - max);
      out[c] = e;
      total += e;
    }
    for (let c = 0; c < classes; c++) out[c] /= total;
  } else {
    for (let c = 0; c < classes; c++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += x[d] * head.centroids[c * dim + d];
      out[c] = dot;
    }
  }
}

/**
 * Class scores [count][classes] of a head on raw embeddings (as the
 * extractor gives them) and, for heads that read time-domain features, the
 * normalized windows they came from.
 */
export function headScores(head: HeadData, e: Embeddings, windows?: WindowsView): Float32Array {
  const x = buildHeadInputs(headInputOf(head), e, windows);
  if (x.dim !== head.dim) {
    throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `the head reads ${head.dim} values but the embeddings give ${x.dim}; it was trained for another extractor`);
  }
  const out = new Float32Array(e.count * head.classes);
  const row = new Float32Array(head.dim);
  for (let i = 0; i < e.count; i++) {
    scoreInputInto(head, x.data.subarray(i * head.dim, (i + 1) * head.dim), row, out.subarray(i * head.classes, (i + 1) * head.classes));
  }
  return out;
}

export function argmaxRows(scores: Float32Array, classes: number): Int32Array {
  const count = scores.length / classes;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

export function predictClasses(head: HeadData, e: Embeddings, windows?: WindowsView): Int32Array {
  return argmaxRows(headScores(head, e, windows), head.classes);
}

/** Predicted classes of head input vectors already built (HeadInputBuilder / buildHeadInputs) for this head. */
export function predictInputs(head: HeadData, x: Embeddings): Int32Array {
  if (x.dim !== head.dim) throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `the head reads ${head.dim} values but the vectors have ${x.dim}`);
  const out = new Float32Array(x.count * head.classes);
  const row = new Float32Array(head.dim);
  for (let i = 0; i < x.count; i++) scoreInputInto(head, x.data.subarray(i * head.dim, (i + 1) * head.dim), row, out.subarray(i * head.classes, (i + 1) * head.classes));
  return argmaxRows(out, head.classes);
}

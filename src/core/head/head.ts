/**
 * A head maps frozen embeddings to gesture classes. Two kinds:
 * - softmax: a linear layer + softmax on L2-normalized, standardized embeddings;
 * - lda: the same linear form, fitted in closed form by shrinkage LDA;
 * - ncm: nearest class mean by cosine similarity, usable from one example per class.
 * Both serialize to plain JSON-able data stored in a user profile or a model package.
 */
import { HeadstartError } from '../errors.ts';
import type { Embeddings } from './embeddings.ts';

/** A linear map of standardized embeddings to class scores, fitted by gradient descent (softmax) or in closed form (lda). */
export interface LinearHeadData {
  kind: 'softmax' | 'lda';
  classes: number;
  dim: number;
  /** Per-dimension standardization fitted on the calibration embeddings (after L2 normalization). */
  mean: number[];
  invStd: number[];
  /** [dim][classes] */
  weights: number[];
  bias: number[];
}

export interface NcmHeadData {
  kind: 'ncm';
  classes: number;
  dim: number;
  /** [classes][dim], unit length; a class with no examples has a zero row. */
  centroids: number[];
}

export type HeadData = LinearHeadData | NcmHeadData;

/** Scales one embedding to unit length into `out` (zeros stay zeros). */
export function l2NormalizeInto(embedding: ArrayLike<number>, out: Float32Array): void {
  let sum = 0;
  for (let d = 0; d < out.length; d++) sum += embedding[d] ** 2;
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let d = 0; d < out.length; d++) out[d] = embedding[d] * inv;
}

/**
 * Class scores of one L2-normalized embedding `x` into `out` (classes
 * values), using `row` (dim values) as scratch: probabilities for the linear
 * heads, cosine similarities for ncm. Allocation-free, so the live pipeline
 * calls it for every window; `headScores` calls it for every row, so live
 * and offline scores are the same numbers.
 */
export function scoreNormalizedInto(head: HeadData, x: Float32Array, row: Float32Array, out: Float32Array): void {
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

/** Class scores [count][classes] of a head on raw (unnormalized) embeddings. */
export function headScores(head: HeadData, e: Embeddings): Float32Array {
  if (e.dim !== head.dim) {
    throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `the head expects ${head.dim}-value embeddings but got ${e.dim}; it was trained for another extractor`);
  }
  const out = new Float32Array(e.count * head.classes);
  const x = new Float32Array(head.dim);
  const row = new Float32Array(head.dim);
  for (let i = 0; i < e.count; i++) {
    l2NormalizeInto(e.data.subarray(i * head.dim, (i + 1) * head.dim), x);
    scoreNormalizedInto(head, x, row, out.subarray(i * head.classes, (i + 1) * head.classes));
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

export function predictClasses(head: HeadData, e: Embeddings): Int32Array {
  return argmaxRows(headScores(head, e), head.classes);
}

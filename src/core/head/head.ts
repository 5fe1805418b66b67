/**
 * A head maps frozen embeddings to gesture classes. Two kinds:
 * - softmax: a linear layer + softmax on L2-normalized, standardized embeddings;
 * - lda: the same linear form, fitted in closed form by shrinkage LDA;
 * - ncm: nearest class mean by cosine similarity, usable from one example per class.
 * Both serialize to plain JSON-able data stored in a user profile or a model package.
 */
import { HeadstartError } from '../errors.ts';
import { type Embeddings, l2NormalizeRows } from './embeddings.ts';

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

/** Class scores [count][classes] of a head on raw (unnormalized) embeddings. */
export function headScores(head: HeadData, e: Embeddings): Float32Array {
  if (e.dim !== head.dim) {
    throw new HeadstartError('HEAD_DIM_MISMATCH', `the head expects ${head.dim}-value embeddings but got ${e.dim}; it was trained for another extractor`);
  }
  const n = l2NormalizeRows(e);
  const out = new Float32Array(e.count * head.classes);
  const row = new Float32Array(head.dim);
  for (let i = 0; i < e.count; i++) {
    const x = n.data.subarray(i * head.dim, (i + 1) * head.dim);
    if (head.kind !== 'ncm') {
      for (let d = 0; d < head.dim; d++) row[d] = (x[d] - head.mean[d]) * head.invStd[d];
      let max = -Infinity;
      for (let c = 0; c < head.classes; c++) {
        let z = head.bias[c];
        for (let d = 0; d < head.dim; d++) z += row[d] * head.weights[d * head.classes + c];
        out[i * head.classes + c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < head.classes; c++) sum += out[i * head.classes + c] = Math.exp(out[i * head.classes + c] - max);
      for (let c = 0; c < head.classes; c++) out[i * head.classes + c] /= sum;
    } else {
      for (let c = 0; c < head.classes; c++) {
        let dot = 0;
        for (let d = 0; d < head.dim; d++) dot += x[d] * head.centroids[c * head.dim + d];
        out[i * head.classes + c] = dot;
      }
    }
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

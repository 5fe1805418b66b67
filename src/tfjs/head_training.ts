/**
 * Head trainers. The softmax head is fitted with tfjs (full batch, Adam,
 * class-balanced loss, L2 penalty) and stops early when the loss stops
 * improving; with a fixed seed the result is identical run to run.
 */
import * as tf from '@tensorflow/tfjs';
import { HeadstartError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';
import { type Embeddings, l2NormalizeRows } from '../core/head/embeddings.ts';
import type { NcmHeadData, LinearHeadData } from '../core/head/head.ts';

export interface SoftmaxHeadOptions {
  seed: number;
  learningRate: number;
  maxEpochs: number;
  /** Stop when the loss has not improved by `minDelta` for this many epochs. */
  patience: number;
  minDelta: number;
  l2: number;
}

const CHECK_EVERY = 5;

export const DEFAULT_SOFTMAX_HEAD: SoftmaxHeadOptions = { seed: 1, learningRate: 0.05, maxEpochs: 200, patience: 15, minDelta: 2e-4, l2: 1e-3 };

function checkLabels(e: Embeddings, labels: Int32Array, classes: number): Int32Array {
  if (labels.length !== e.count) throw new HeadstartError('INTERNAL', `${e.count} embeddings but ${labels.length} labels`);
  const counts = new Int32Array(classes);
  for (const y of labels) {
    if (y < 0 || y >= classes) throw new HeadstartError('INTERNAL', `label ${y} is outside 0..${classes - 1}`);
    counts[y]++;
  }
  return counts;
}

export interface SoftmaxHeadResult {
  head: LinearHeadData;
  epochs: number;
  loss: number;
}

export function trainSoftmaxHead(e: Embeddings, labels: Int32Array, classes: number, opts: SoftmaxHeadOptions = DEFAULT_SOFTMAX_HEAD): SoftmaxHeadResult {
  const counts = checkLabels(e, labels, classes);
  const n = l2NormalizeRows(e);
  const mean = new Array<number>(e.dim).fill(0);
  const invStd = new Array<number>(e.dim).fill(0);
  for (let i = 0; i < n.count; i++) for (let d = 0; d < n.dim; d++) mean[d] += n.data[i * n.dim + d] / n.count;
  for (let i = 0; i < n.count; i++) for (let d = 0; d < n.dim; d++) invStd[d] += (n.data[i * n.dim + d] - mean[d]) ** 2 / n.count;
  for (let d = 0; d < n.dim; d++) invStd[d] = 1 / Math.sqrt(invStd[d] + 1e-8);
  const z = new Float32Array(n.data.length);
  for (let i = 0; i < n.count; i++) for (let d = 0; d < n.dim; d++) z[i * n.dim + d] = (n.data[i * n.dim + d] - mean[d]) * invStd[d];

  // Class balancing: each class contributes equally to the loss whatever its window count.
  const present = counts.filter((c) => c > 0).length;
  const sampleWeight = new Float32Array(e.count);
  for (let i = 0; i < e.count; i++) sampleWeight[i] = e.count / (present * counts[labels[i]]);

  const rng = createRng(opts.seed);
  const w0 = new Float32Array(e.dim * classes);
  for (let i = 0; i < w0.length; i++) w0[i] = 0.01 * rng.normal();

  const result = tf.tidy(() => {
    const x = tf.tensor2d(z, [e.count, e.dim]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
    const sw = tf.tensor1d(sampleWeight);
    const w = tf.variable(tf.tensor2d(w0, [e.dim, classes]));
    const b = tf.variable(tf.zeros([classes]));
    const optimizer = tf.train.adam(opts.learningRate);
    const lossFn = (): tf.Scalar =>
      tf.tidy(() => {
        const logits = x.matMul(w).add(b);
        const ce = tf.losses.softmaxCrossEntropy(y, logits, sw, undefined, tf.Reduction.MEAN);
        return ce.add(w.square().sum().mul(opts.l2)) as tf.Scalar;
      });
    // Reading the loss back forces a sync with the backend, so it is read only
    // every CHECK_EVERY steps; the steps in between run without waiting.
    let best = Infinity;
    let since = 0;
    let epochs = 0;
    let last = Infinity;
    while (epochs < opts.maxEpochs) {
      for (let i = 0; i < CHECK_EVERY - 1 && epochs < opts.maxEpochs - 1; i++, epochs++) optimizer.minimize(lossFn, false, [w, b]);
      const loss = optimizer.minimize(lossFn, true, [w, b]) as tf.Scalar;
      epochs++;
      last = loss.dataSync()[0];
      loss.dispose();
      if (last < best - opts.minDelta * CHECK_EVERY) {
        best = last;
        since = 0;
      } else if ((since += CHECK_EVERY) >= opts.patience) break;
    }
    const out = { weights: Array.from(w.dataSync()), bias: Array.from(b.dataSync()), epochs, loss: last };
    optimizer.dispose();
    w.dispose();
    b.dispose();
    return out;
  });
  return {
    head: { kind: 'softmax', classes, dim: e.dim, mean, invStd, weights: result.weights, bias: result.bias },
    epochs: result.epochs,
    loss: result.loss,
  };
}

export function trainNcmHead(e: Embeddings, labels: Int32Array, classes: number): NcmHeadData {
  checkLabels(e, labels, classes);
  const n = l2NormalizeRows(e);
  const centroids = new Array<number>(classes * e.dim).fill(0);
  for (let i = 0; i < n.count; i++) for (let d = 0; d < n.dim; d++) centroids[labels[i] * e.dim + d] += n.data[i * n.dim + d];
  for (let c = 0; c < classes; c++) {
    let norm = 0;
    for (let d = 0; d < e.dim; d++) norm += centroids[c * e.dim + d] ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < e.dim; d++) centroids[c * e.dim + d] *= inv;
  }
  return { kind: 'ncm', classes, dim: e.dim, centroids };
}

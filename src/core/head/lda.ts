/**
 * Shrinkage linear discriminant analysis: class means, one pooled covariance
 * pulled towards a scaled identity, and the linear rule that follows. Closed
 * form (no iterations, no seed), strong from few examples, and the result is
 * an ordinary linear head, so it shares the softmax head's data form.
 */
import { HeadstartError } from '../errors.ts';
import { type Embeddings, l2NormalizeRows } from './embeddings.ts';
import type { LinearHeadData } from './head.ts';
import type { HeadInput } from './head_input.ts';
import { type PopulationPrior, standardize, withinClassCovariance } from './prior.ts';

/** Solves A X = B for symmetric positive definite A (n x n) by Cholesky; B is n x m, row-major. */
export function choleskySolve(a: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (sum <= 0) throw new HeadstartError('INTERNAL', 'the embedding covariance is not positive definite; increase the shrinkage');
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j];
    }
  }
  const x = Float64Array.from(b);
  for (let col = 0; col < m; col++) {
    for (let i = 0; i < n; i++) {
      let sum = x[i * m + col];
      for (let k = 0; k < i; k++) sum -= l[i * n + k] * x[k * m + col];
      x[i * m + col] = sum / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = x[i * m + col];
      for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k * m + col];
      x[i * m + col] = sum / l[i * n + i];
    }
  }
  return x;
}

export interface LdaOptions {
  /** Weight of the scaled identity in the covariance, 0..1. */
  shrinkage: number;
}

export const DEFAULT_LDA: LdaOptions = { shrinkage: 0.1 };

/**
 * The linear discriminants of class means `mu` ([classes][dim]) under the
 * shared covariance `cov` ([dim][dim], regularized): W = cov^-1 mu^T
 * (dim x classes) and bias = -mu cov^-1 mu^T / 2 (equal priors: calibration
 * is balanced by design); a class with no windows is never chosen.
 */
function discriminants(cov: Float64Array, mu: ArrayLike<number>, counts: ArrayLike<number>, dim: number, classes: number): { weights: Float64Array; bias: number[] } {
  const muT = new Float64Array(dim * classes);
  for (let c = 0; c < classes; c++) for (let d = 0; d < dim; d++) muT[d * classes + c] = mu[c * dim + d]!;
  const weights = choleskySolve(cov, dim, muT, classes);
  const bias = new Array<number>(classes).fill(0);
  for (let c = 0; c < classes; c++) {
    if (counts[c] === 0) {
      bias[c] = -1e9;
      continue;
    }
    let q = 0;
    for (let d = 0; d < dim; d++) q += mu[c * dim + d]! * weights[d * classes + c]!;
    bias[c] = -0.5 * q;
  }
  return { weights, bias };
}

/** Fits LDA on L2-normalized, standardized embeddings; classes without examples never win. */
export function trainLdaHead(e: Embeddings, labels: Int32Array, classes: number, opts: LdaOptions = DEFAULT_LDA): LinearHeadData {
  const dim = e.dim;
  const n = l2NormalizeRows(e);
  const mean = new Array<number>(dim).fill(0);
  const invStd = new Array<number>(dim).fill(0);
  for (let i = 0; i < n.count; i++) for (let d = 0; d < dim; d++) mean[d] += n.data[i * dim + d] / n.count;
  for (let i = 0; i < n.count; i++) for (let d = 0; d < dim; d++) invStd[d] += (n.data[i * dim + d] - mean[d]) ** 2 / n.count;
  for (let d = 0; d < dim; d++) invStd[d] = 1 / Math.sqrt(invStd[d] + 1e-8);

  const counts = new Float64Array(classes);
  const mu = new Float64Array(classes * dim);
  const z = new Float64Array(dim);
  for (let i = 0; i < n.count; i++) {
    const c = labels[i];
    if (c < 0 || c >= classes) throw new HeadstartError('INTERNAL', `label ${c} is outside 0..${classes - 1}`);
    counts[c]++;
    for (let d = 0; d < dim; d++) mu[c * dim + d] += (n.data[i * dim + d] - mean[d]) * invStd[d];
  }
  for (let c = 0; c < classes; c++) if (counts[c] > 0) for (let d = 0; d < dim; d++) mu[c * dim + d] /= counts[c];

  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < n.count; i++) {
    const c = labels[i];
    for (let d = 0; d < dim; d++) z[d] = (n.data[i * dim + d] - mean[d]) * invStd[d] - mu[c * dim + d];
    for (let a = 0; a < dim; a++) for (let b = 0; b <= a; b++) cov[a * dim + b] += z[a] * z[b];
  }
  let trace = 0;
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b <= a; b++) cov[b * dim + a] = cov[a * dim + b] /= Math.max(1, n.count - 1);
    trace += cov[a * dim + a];
  }
  const ridge = (opts.shrinkage * trace) / dim + 1e-6;
  for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] = (1 - opts.shrinkage) * cov[a * dim + b] + (a === b ? ridge : 0);

  const { weights, bias } = discriminants(cov, mu, counts, dim, classes);
  return { kind: 'lda', classes, dim, mean, invStd, weights: Array.from(weights), bias };
}

/** cov = (1 - shrinkage) cov + shrinkage (trace / dim) I, in place (with a floor on the ridge): the prior LDAs' regularization. */
function shrinkTowardsIdentity(cov: Float64Array, dim: number, shrinkage: number): void {
  let trace = 0;
  for (let a = 0; a < dim; a++) trace += cov[a * dim + a]!;
  const ridge = (shrinkage * trace) / dim + 1e-9;
  for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] = (1 - shrinkage) * cov[a * dim + b]! + (a === b ? ridge : 0);
}

export interface PriorLdaOptions {
  /** Weight of the population's within-class covariance against the wearer's own, 0..1. */
  priorWeight: number;
  /** Weight of the scaled identity, 0..1, applied after mixing in the prior. */
  shrinkage: number;
}

export const DEFAULT_PRIOR_LDA: PriorLdaOptions = { priorWeight: 0.5, shrinkage: 0.05 };

/**
 * LDA on head input vectors with a population prior: the vectors are
 * standardized with the population's statistics, the wearer's pooled
 * within-class covariance is mixed with the population's,
 * S = (1 - w) S_wearer + w S_population, then shrunk towards a scaled
 * identity. Without a prior (`prior` undefined) the standardization is the
 * wearer's own and only the shrinkage applies: the classical per-person LDA.
 * Classes without examples never win.
 */
export function trainPriorLdaHead(
  x: Embeddings,
  labels: Int32Array,
  classes: number,
  input: HeadInput,
  prior: Pick<PopulationPrior, 'mean' | 'invStd' | 'covariance' | 'dim'> | undefined,
  opts: PriorLdaOptions = DEFAULT_PRIOR_LDA,
): LinearHeadData {
  const dim = x.dim;
  if (prior && prior.dim !== dim) throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `the prior is for ${prior.dim}-value vectors but the head reads ${dim}`);
  let mean: number[];
  let invStd: number[];
  if (prior) {
    mean = prior.mean;
    invStd = prior.invStd;
  } else {
    const m = new Float64Array(dim);
    const s = new Float64Array(dim);
    for (let i = 0; i < x.count; i++) for (let d = 0; d < dim; d++) m[d] += x.data[i * dim + d] / x.count;
    for (let i = 0; i < x.count; i++) for (let d = 0; d < dim; d++) s[d] += (x.data[i * dim + d] - m[d]) ** 2 / x.count;
    mean = Array.from(m);
    invStd = Array.from(s, (v) => 1 / Math.sqrt(v + 1e-8));
  }
  const z = standardize(x, mean, invStd);
  const mu = new Float64Array(classes * dim);
  const counts = new Float64Array(classes);
  for (let i = 0; i < z.count; i++) counts[labels[i]]++;
  const own = withinClassCovariance(z, labels, classes, mu);
  if (!own) throw new HeadstartError('NO_RECORDINGS', 'no calibration windows to fit the head on');
  const cov = new Float64Array(dim * dim);
  const w = prior ? opts.priorWeight : 0;
  for (let i = 0; i < cov.length; i++) cov[i] = (1 - w) * own[i] + (prior ? w * prior.covariance[i] : 0);
  shrinkTowardsIdentity(cov, dim, opts.shrinkage);

  const { weights: wts, bias } = discriminants(cov, mu, counts, dim, classes);
  return { kind: 'lda', classes, dim, input, mean: Array.from(mean), invStd: Array.from(invStd), weights: Array.from(wts), bias, classMeans: Array.from(mu, (v) => Number(v.toPrecision(7))) };
}

/**
 * Weight of the embedding's expert in the fused transfer head (the rich
 * time-domain expert has the rest). Chosen on the evaluation people's
 * training0 cycles (the within protocol: 0.2 to 0.35 score the same), never
 * on their later sessions; bench/RESULTS.md has the comparison.
 */
export const EMBEDDING_EXPERT_WEIGHT = 0.25;

/**
 * The transfer head as two experts pooled: on input vectors that join the
 * embedding (the first `split` values) with other features (the rest), an
 * LDA with the population prior on each part alone (the prior's block, as
 * trainPriorLdaHead fits it), their log-posteriors added with weights
 * `embeddingWeight` and 1 - `embeddingWeight`. Each LDA's scores are linear,
 * and adding log-posteriors only adds a per-window constant to that, so the
 * pooled head is one linear head over the joined vector: the experts'
 * weights scaled and stacked, their biases added, its softmax the
 * normalized product of the experts' posteriors. Two small covariances are
 * better conditioned than one over both parts, whose cross terms a short
 * calibration estimates poorly; the time-domain expert, which a short
 * calibration fits well, then leads.
 */
export function trainFusedPriorLdaHead(
  x: Embeddings,
  labels: Int32Array,
  classes: number,
  input: HeadInput,
  prior: Pick<PopulationPrior, 'mean' | 'invStd' | 'covariance' | 'dim'>,
  split: number,
  embeddingWeight: number = EMBEDDING_EXPERT_WEIGHT,
  opts: PriorLdaOptions = DEFAULT_PRIOR_LDA,
): LinearHeadData {
  const dim = x.dim;
  if (prior.dim !== dim) throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `the prior is for ${prior.dim}-value vectors but the head reads ${dim}`);
  if (!Number.isInteger(split) || split < 1 || split >= dim) throw new HeadstartError('INTERNAL', `a fused head splits its ${dim} inputs in two, not at ${split}`);
  const z = standardize(x, prior.mean, prior.invStd);
  const mu = new Float64Array(classes * dim);
  const counts = new Float64Array(classes);
  for (let i = 0; i < z.count; i++) counts[labels[i]]++;
  const weights = new Float64Array(dim * classes);
  const bias = new Array<number>(classes).fill(0);
  for (const [from, to, share] of [[0, split, embeddingWeight], [split, dim, 1 - embeddingWeight]] as const) {
    // Each expert sees only its own columns: the cross terms are never needed.
    const d = to - from;
    const part = new Float32Array(z.count * d);
    for (let i = 0; i < z.count; i++) part.set(z.data.subarray(i * dim + from, i * dim + to), i * d);
    const blockMeans = new Float64Array(classes * d);
    const own = withinClassCovariance({ count: z.count, dim: d, data: part }, labels, classes, blockMeans);
    if (!own) throw new HeadstartError('NO_RECORDINGS', 'no calibration windows to fit the head on');
    for (let c = 0; c < classes; c++) for (let a = 0; a < d; a++) mu[c * dim + from + a] = blockMeans[c * d + a]!;
    const cov = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) cov[a * d + b] = (1 - opts.priorWeight) * own[a * d + b]! + opts.priorWeight * prior.covariance[(from + a) * dim + from + b]!;
    }
    shrinkTowardsIdentity(cov, d, opts.shrinkage);
    const expert = discriminants(cov, blockMeans, counts, d, classes);
    for (let a = 0; a < d; a++) for (let c = 0; c < classes; c++) weights[(from + a) * classes + c] = share * expert.weights[a * classes + c]!;
    for (let c = 0; c < classes; c++) bias[c] += counts[c] === 0 ? 0 : share * expert.bias[c]!;
  }
  for (let c = 0; c < classes; c++) if (counts[c] === 0) bias[c] = -1e9;
  return { kind: 'lda', classes, dim, input, mean: Array.from(prior.mean), invStd: Array.from(prior.invStd), weights: Array.from(weights), bias, classMeans: Array.from(mu, (v) => Number(v.toPrecision(7))) };
}

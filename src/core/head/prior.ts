/**
 * Population knowledge for a new wearer's LDA: how gestures vary within one
 * person, learned from the pretraining people. A short calibration shows a
 * gesture held once, at one force, in one position of the band; the
 * pretraining people's within-class covariance says which directions of the
 * feature space vary anyway (force, fatigue, small shifts), so the wearer's
 * LDA does not mistake a stronger fist for another gesture.
 *
 * A prior lives in one head input space (head_input.ts), standardized by the
 * population's per-feature mean and standard deviation, so that covariances
 * of different people are comparable and the shrinkage towards the identity
 * treats every feature alike.
 */
import { HeadstartError } from '../errors.ts';
import type { Embeddings } from './embeddings.ts';
import { checkHeadInput, classicalPart, hasClassicalPart, type HeadInput } from './head_input.ts';

export interface PopulationPrior {
  input: HeadInput;
  dim: number;
  /** Per-feature standardization of the population: z = (x - mean) * invStd. */
  mean: number[];
  invStd: number[];
  /** Mean over people of each one's pooled within-class covariance of z, [dim][dim], symmetric. */
  covariance: number[];
  /** How many people it was computed from. */
  people: number;
}

/** One person's head input vectors and gesture labels. */
export interface PersonFeatures {
  features: Embeddings;
  labels: Int32Array;
}

/**
 * The prior from pretraining people: standardize every vector with the
 * statistics of all of them, then average the people's pooled within-class
 * covariances (each person centred on their own class means, so differences
 * between people do not count as within-class spread).
 */
export function computePopulationPrior(input: HeadInput, people: PersonFeatures[], classes: number): PopulationPrior {
  if (people.length === 0) throw new HeadstartError('NO_RECORDINGS', 'a population prior needs at least one person');
  const dim = people[0].features.dim;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  let n = 0;
  for (const p of people) {
    if (p.features.dim !== dim) throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `people's feature vectors differ in size (${dim} and ${p.features.dim})`);
    for (let i = 0; i < p.features.count; i++) for (let d = 0; d < dim; d++) mean[d] += p.features.data[i * dim + d];
    n += p.features.count;
  }
  for (let d = 0; d < dim; d++) mean[d] /= n;
  for (const p of people) {
    for (let i = 0; i < p.features.count; i++) {
      for (let d = 0; d < dim; d++) sq[d] += (p.features.data[i * dim + d] - mean[d]) ** 2;
    }
  }
  const invStd = Array.from(sq, (s) => 1 / Math.sqrt(s / n + 1e-12));
  const total = new Float64Array(dim * dim);
  let counted = 0;
  for (const p of people) {
    const z = standardize(p.features, Array.from(mean), invStd);
    const cov = withinClassCovariance(z, p.labels, classes);
    if (!cov) continue;
    for (let i = 0; i < total.length; i++) total[i] += cov[i];
    counted++;
  }
  if (counted === 0) throw new HeadstartError('NO_RECORDINGS', 'no pretraining person has two windows of any gesture');
  return { input, dim, mean: Array.from(mean), invStd, covariance: Array.from(total, (v) => v / counted), people: counted };
}

export function standardize(e: Embeddings, mean: ArrayLike<number>, invStd: ArrayLike<number>): Embeddings {
  const data = new Float32Array(e.data.length);
  for (let i = 0; i < e.count; i++) for (let d = 0; d < e.dim; d++) data[i * e.dim + d] = (e.data[i * e.dim + d] - mean[d]) * invStd[d];
  return { count: e.count, dim: e.dim, data };
}

/**
 * Pooled within-class covariance (divided by the number of vectors) and the
 * class means; undefined when no class has a vector.
 */
export function withinClassCovariance(z: Embeddings, labels: Int32Array, classes: number, means?: Float64Array): Float64Array | undefined {
  const dim = z.dim;
  const counts = new Float64Array(classes);
  const mu = means ?? new Float64Array(classes * dim);
  mu.fill(0);
  for (let i = 0; i < z.count; i++) {
    const c = labels[i];
    if (c < 0 || c >= classes) throw new HeadstartError('BAD_LABEL', `label ${c} is outside 0..${classes - 1}`);
    counts[c]++;
    for (let d = 0; d < dim; d++) mu[c * dim + d] += z.data[i * dim + d];
  }
  if (z.count === 0) return undefined;
  for (let c = 0; c < classes; c++) if (counts[c] > 0) for (let d = 0; d < dim; d++) mu[c * dim + d] /= counts[c];
  const cov = new Float64Array(dim * dim);
  const r = new Float64Array(dim);
  for (let i = 0; i < z.count; i++) {
    const c = labels[i];
    for (let d = 0; d < dim; d++) r[d] = z.data[i * dim + d] - mu[c * dim + d];
    for (let a = 0; a < dim; a++) {
      const ra = r[a];
      for (let b = 0; b <= a; b++) cov[a * dim + b] += ra * r[b];
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b <= a; b++) cov[b * dim + a] = cov[a * dim + b] /= z.count;
  return cov;
}

/** Checks a prior read from a model package. */
export function checkPopulationPrior(value: unknown, where: string): PopulationPrior {
  const v = value as Partial<PopulationPrior> | null;
  if (typeof v !== 'object' || v === null) throw new HeadstartError('BAD_PACKAGE', `${where}: a population prior must be an object`);
  const input = checkHeadInput(v.input, where);
  const dim = v.dim;
  if (!Number.isInteger(dim) || (dim as number) < 1) throw new HeadstartError('BAD_PACKAGE', `${where}: dim must be a positive whole number`);
  const d = dim as number;
  const finite = (a: unknown, n: number, name: string) => {
    if (!Array.isArray(a) || a.length !== n || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new HeadstartError('BAD_PACKAGE', `${where}: ${name} must be ${n} finite numbers`);
    }
  };
  finite(v.mean, d, 'mean');
  finite(v.invStd, d, 'invStd');
  finite(v.covariance, d * d, 'covariance');
  if (!Number.isInteger(v.people) || (v.people as number) < 1) throw new HeadstartError('BAD_PACKAGE', `${where}: people must be a positive whole number`);
  return { input, dim: d, mean: v.mean!, invStd: v.invStd!, covariance: v.covariance!, people: v.people! };
}

/**
 * The prior of the classical part alone of a prior whose input joins an
 * embedding with classical features of the window (`embedding` first, as
 * head_input.ts builds vectors): the same people's standardization and
 * within-class covariance restricted to those features, which is exactly
 * what computing it on them alone gives. The richer classical baseline's
 * prior (EMG: the rich time-domain set; EEG: band power and covariance),
 * from the package's transfer prior.
 */
export function classicalPartPrior(prior: PopulationPrior, embeddingSize: number): PopulationPrior {
  if (!hasClassicalPart(prior.input) || embeddingSize >= prior.dim) {
    throw new HeadstartError('INTERNAL', 'a classical-part prior comes from a prior of an embedding joined with classical features');
  }
  const from = embeddingSize;
  const dim = prior.dim - from;
  const covariance = new Array<number>(dim * dim);
  for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) covariance[a * dim + b] = prior.covariance[(from + a) * prior.dim + from + b]!;
  return { input: classicalPart(prior.input), dim, mean: prior.mean.slice(from), invStd: prior.invStd.slice(from), covariance, people: prior.people };
}

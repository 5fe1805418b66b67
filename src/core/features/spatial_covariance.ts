/**
 * Classical EEG features of one window, the same on the host and on the
 * device: how the channels vary together in each of a few frequency bands,
 * as the matrix logarithm of their covariance (log-Euclidean tangent
 * vectors). Band power says how strong each channel is; this says which
 * channels move together, which band power cannot (mental effort shifts
 * frontal and temporal coupling as well as power).
 *
 * Per channel the window's mean is removed and the rest transformed as is
 * (no taper: a covariance wants every sample at full weight), zero-padded to
 * the next power of two n. Per band, the covariance of the channels is the
 * real part of their cross-spectrum averaged over the band's bins (the band
 * bins of core/features/band_power.ts): by Parseval, the covariance of the
 * window filtered to that band. A ridge of RIDGE times the mean channel
 * power keeps it positive definite (a common average reference leaves it
 * singular). Its logarithm (symmetric eigendecomposition, log of each
 * eigenvalue) turns the curved space of covariances into a flat one where
 * a linear head works; the upper triangle is kept, off-diagonal values
 * times sqrt(2) so that a vector's length is the matrix's.
 *
 * The layout is band-major: per band, entries (0,0), (0,1), ..., (0,C-1),
 * (1,1), ... Nothing is allocated per window.
 */
import { HeadstartError } from '../errors.ts';
import { type Band, bandBins, channelSpectrum, type FftTables, fftSize, fftTables } from './band_power.ts';

/** The bands of the EEG covariance features: broadband (the package's own band-pass), theta, alpha and beta. */
export const COVARIANCE_BANDS: readonly Band[] = [
  [1, 45],
  [4, 8],
  [8, 13],
  [13, 30],
];

/** Ridge on the diagonal, relative to the mean channel power: keeps a rank-deficient covariance invertible. */
const RIDGE = 1e-3;

export function spatialCovarianceSize(channels: number, bands: readonly Band[] = COVARIANCE_BANDS): number {
  return ((channels * (channels + 1)) / 2) * bands.length;
}

export interface SpatialCovarianceScratch extends FftTables {
  length: number;
  channels: number;
  n: number;
  binFrom: Uint32Array;
  binTo: Uint32Array;
  /** Each channel's spectrum up to the highest band's last bin: [channel][bin], real and imaginary parts. */
  specRe: Float64Array;
  specIm: Float64Array;
  bins: number;
  /** One band's covariance, then its eigenvectors, and the eigenvalues (then their logarithms). */
  matrix: Float64Array;
  vectors: Float64Array;
  values: Float64Array;
}

export function spatialCovarianceScratch(length: number, rate: number, channels: number, bands: readonly Band[] = COVARIANCE_BANDS): SpatialCovarianceScratch {
  if (!Number.isInteger(length) || length < 2) throw new HeadstartError('BAD_OPTION', `covariance features need windows of at least 2 samples, not ${length}`, { setting: 'window' });
  if (!(Number.isFinite(rate) && rate > 0)) throw new HeadstartError('BAD_OPTION', `covariance features need a positive sample rate (got ${rate})`, { setting: 'rate' });
  if (!Number.isInteger(channels) || channels < 2) throw new HeadstartError('BAD_OPTION', `covariance features need at least 2 channels, not ${channels}`, { setting: 'channels' });
  const n = fftSize(length);
  const { binFrom, binTo } = bandBins(bands, length, rate, n);
  const bins = Math.max(...binTo);
  return {
    length,
    channels,
    n,
    ...fftTables(n),
    binFrom,
    binTo,
    specRe: new Float64Array(channels * bins),
    specIm: new Float64Array(channels * bins),
    bins,
    matrix: new Float64Array(channels * channels),
    vectors: new Float64Array(channels * channels),
    values: new Float64Array(channels),
  };
}

/**
 * Eigendecomposition of the symmetric matrix `a` ([n][n], destroyed) by
 * cyclic Jacobi rotations: eigenvalues into `values`, eigenvectors into the
 * columns of `v`. Jacobi is exact to rounding for the small matrices here
 * (8 or 16 channels) and needs no allocation.
 */
export function symmetricEigen(a: Float64Array, n: number, values: Float64Array, v: Float64Array): void {
  v.fill(0);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    let total = 0;
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        const x = a[p * n + q]! * a[p * n + q]!;
        total += x;
        if (p !== q) off += x;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
}

/**
 * Features of one window `w` ([length][channels], interleaved) into `out`
 * (spatialCovarianceSize(channels, bands) values), with a scratch made for
 * this window length, rate, channel count and band list.
 */
export function spatialCovarianceFeaturesInto(w: ArrayLike<number>, out: Float32Array | Float64Array, scratch: SpatialCovarianceScratch): void {
  const { length, channels: C, n, re, im, binFrom, binTo, specRe, specIm, bins, matrix, vectors, values } = scratch;
  if (w.length < length * C) throw new HeadstartError('INTERNAL', `a ${length}-sample window of ${C} channels has ${length * C} values, got ${w.length}`);
  for (let c = 0; c < C; c++) {
    channelSpectrum(w, C, c, length, n, undefined, scratch);
    for (let k = 0; k < bins; k++) {
      specRe[c * bins + k] = re[k]!;
      specIm[c * bins + k] = im[k]!;
    }
  }
  let at = 0;
  for (let b = 0; b < binFrom.length; b++) {
    const from = binFrom[b]!;
    const to = binTo[b]!;
    let trace = 0;
    for (let i = 0; i < C; i++) {
      for (let j = i; j < C; j++) {
        let cross = 0;
        for (let k = from; k < to; k++) cross += specRe[i * bins + k]! * specRe[j * bins + k]! + specIm[i * bins + k]! * specIm[j * bins + k]!;
        cross /= to - from;
        matrix[i * C + j] = cross;
        matrix[j * C + i] = cross;
      }
      trace += matrix[i * C + i]!;
    }
    // A flat window (every channel constant) still gets a finite logarithm.
    const ridge = RIDGE * (trace / C) + 1e-12;
    for (let i = 0; i < C; i++) matrix[i * C + i] += ridge;
    symmetricEigen(matrix, C, values, vectors);
    // The logarithm V log(L) V': each eigenvalue's log once, not once per entry.
    for (let k = 0; k < C; k++) values[k] = Math.log(Math.max(values[k]!, 1e-300));
    for (let i = 0; i < C; i++) {
      for (let j = i; j < C; j++) {
        let log = 0;
        for (let k = 0; k < C; k++) log += vectors[i * C + k]! * values[k]! * vectors[j * C + k]!;
        out[at++] = i === j ? log : Math.SQRT2 * log;
      }
    }
  }
}

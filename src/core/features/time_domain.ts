/**
 * Classical time-domain EMG features of one window, computed the same way on
 * the host (evaluation, priors) and on the device (the live head), from the
 * normalized window the extractor also sees.
 *
 * Two sets, per channel:
 * - `td4` (4 a channel): log mean absolute value, log waveform length, log
 *   RMS, log variance. The classical per-person baseline.
 * - `rich` (13 a channel): td4, then log Hjorth mobility and complexity,
 *   zero-crossing and slope-sign-change rates, the 4 coefficients of an AR(4)
 *   least-squares fit, and the correlation with the next electrode around
 *   the band.
 *
 * Logs make an amplitude change (contact, muscle size) an additive shift,
 * which a linear head absorbs; rates and correlations are amplitude-free.
 * The layout is feature-major: all channels' MAV, then all channels' WL, ...,
 * and the AR block channel-major (channel 0's four coefficients first).
 */
import { HeadstartError } from '../errors.ts';

export type TimeDomainSet = 'td4' | 'rich';

export const TIME_DOMAIN_SETS: readonly TimeDomainSet[] = ['td4', 'rich'];

const PER_CHANNEL: Record<TimeDomainSet, number> = { td4: 4, rich: 13 };

/** Keeps the logs finite on a flat channel. */
const LOG_FLOOR = 1e-3;
/** Keeps the Hjorth ratios and correlations finite on a flat channel. */
const VAR_FLOOR = 1e-6;
/** Ridge on the AR normal equations, so a flat or periodic channel still solves. */
const AR_RIDGE = 1e-3;
const AR_ORDER = 4;

export function timeDomainSize(set: TimeDomainSet, channels: number): number {
  return PER_CHANNEL[set] * channels;
}

export function checkTimeDomainSet(value: string): TimeDomainSet {
  if (!(TIME_DOMAIN_SETS as readonly string[]).includes(value)) {
    throw new HeadstartError('BAD_OPTION', `unknown time-domain feature set "${value}" (known: ${TIME_DOMAIN_SETS.join(', ')})`);
  }
  return value as TimeDomainSet;
}

/** Scratch for one window's features; reused from window to window so the live path does not allocate. */
export interface TimeDomainScratch {
  centred: Float64Array;
}

export function timeDomainScratch(length: number): TimeDomainScratch {
  return { centred: new Float64Array(length) };
}

/**
 * Features of one window `w` ([length][channels], interleaved) into `out`
 * (timeDomainSize(set, channels) values).
 */
export function timeDomainFeaturesInto(w: ArrayLike<number>, length: number, channels: number, set: TimeDomainSet, out: Float32Array | Float64Array, scratch: TimeDomainScratch): void {
  if (length < AR_ORDER + 3) throw new HeadstartError('BAD_OPTION', `time-domain features need windows of at least ${AR_ORDER + 3} samples, not ${length}`);
  const C = channels;
  const x = scratch.centred;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    let abs = 0;
    let sq = 0;
    let wl = 0;
    for (let t = 0; t < length; t++) {
      const v = w[t * C + c];
      sum += v;
      abs += Math.abs(v);
      sq += v * v;
      if (t > 0) wl += Math.abs(v - w[(t - 1) * C + c]);
    }
    const mean = sum / length;
    let v0 = 0;
    for (let t = 0; t < length; t++) {
      x[t] = w[t * C + c] - mean;
      v0 += x[t] * x[t];
    }
    v0 /= length;
    out[c] = Math.log(abs / length + LOG_FLOOR);
    out[C + c] = Math.log(wl + LOG_FLOOR);
    out[2 * C + c] = Math.log(Math.sqrt(sq / length) + LOG_FLOOR);
    out[3 * C + c] = Math.log(v0 + LOG_FLOOR);
    if (set === 'td4') continue;

    // Hjorth parameters from the variances of the first and second differences.
    const v1 = diffVariance(w, length, C, c, 1);
    const v2 = diffVariance(w, length, C, c, 2);
    const mobility = Math.sqrt((v1 + VAR_FLOOR) / (v0 + VAR_FLOOR));
    const complexity = Math.sqrt((v2 + VAR_FLOOR) / (v1 + VAR_FLOOR)) / mobility;
    out[4 * C + c] = Math.log(mobility);
    out[5 * C + c] = Math.log(complexity);

    let zc = 0;
    let ssc = 0;
    for (let t = 1; t < length; t++) {
      if (w[(t - 1) * C + c] * w[t * C + c] < 0) zc++;
      if (t < length - 1) {
        const d0 = w[t * C + c] - w[(t - 1) * C + c];
        const d1 = w[(t + 1) * C + c] - w[t * C + c];
        if (d0 * d1 < 0) ssc++;
      }
    }
    out[6 * C + c] = zc / (length - 1);
    out[7 * C + c] = ssc / (length - 2);
    arCoefficientsInto(x, length, out, 8 * C + c * AR_ORDER);
  }
  if (set === 'td4') return;
  // Correlation of each electrode with the next one around the band.
  for (let c = 0; c < C; c++) {
    const n = (c + 1) % C;
    let mc = 0;
    let mn = 0;
    for (let t = 0; t < length; t++) {
      mc += w[t * C + c];
      mn += w[t * C + n];
    }
    mc /= length;
    mn /= length;
    let cross = 0;
    let sc = 0;
    let sn = 0;
    for (let t = 0; t < length; t++) {
      const a = w[t * C + c] - mc;
      const b = w[t * C + n] - mn;
      cross += a * b;
      sc += a * a;
      sn += b * b;
    }
    out[12 * C + c] = cross / length / (Math.sqrt(sc / length + VAR_FLOOR) * Math.sqrt(sn / length + VAR_FLOOR));
  }
}

/** Population variance of the `order`-th difference (1 or 2) of channel c. */
function diffVariance(w: ArrayLike<number>, length: number, C: number, c: number, order: 1 | 2): number {
  const n = length - order;
  let sum = 0;
  let sq = 0;
  for (let t = order; t < length; t++) {
    const d = order === 1 ? w[t * C + c] - w[(t - 1) * C + c] : w[t * C + c] - 2 * w[(t - 1) * C + c] + w[(t - 2) * C + c];
    sum += d;
    sq += d * d;
  }
  const mean = sum / n;
  return Math.max(0, sq / n - mean * mean);
}

/**
 * AR(4) coefficients of a centred series by least squares: x[t] ~ sum_j
 * a_j x[t-1-j] for t >= 4, from the ridge-regularized normal equations,
 * solved by Gaussian elimination (4 x 4, symmetric positive definite).
 */
function arCoefficientsInto(x: Float64Array, length: number, out: Float32Array | Float64Array, at: number): void {
  const p = AR_ORDER;
  const a = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const b = [0, 0, 0, 0];
  for (let t = p; t < length; t++) {
    for (let i = 0; i < p; i++) {
      const xi = x[t - 1 - i];
      b[i] += xi * x[t];
      for (let j = 0; j <= i; j++) a[i * p + j] += xi * x[t - 1 - j];
    }
  }
  for (let i = 0; i < p; i++) {
    a[i * p + i] += AR_RIDGE;
    for (let j = 0; j < i; j++) a[j * p + i] = a[i * p + j];
  }
  for (let k = 0; k < p; k++) {
    const pivot = a[k * p + k];
    for (let i = k + 1; i < p; i++) {
      const f = a[i * p + k] / pivot;
      for (let j = k; j < p; j++) a[i * p + j] -= f * a[k * p + j];
      b[i] -= f * b[k];
    }
  }
  const coef = [0, 0, 0, 0];
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < p; j++) s -= a[i * p + j] * coef[j];
    coef[i] = s / a[i * p + i];
  }
  for (let i = 0; i < p; i++) out[at + i] = coef[i];
}

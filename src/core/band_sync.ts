/**
 * Sync after re-wearing: how far the band has turned since calibration, and
 * how much each electrode's contact has changed, estimated from a couple of
 * seconds of signal, then undone in front of the extractor.
 *
 * The reference is the channel covariance of a calibration recording: of one
 * gesture's holds (the wearer holds the same gesture to sync), or of each
 * gesture in turn (automatic sync from the first seconds of ordinary use,
 * SyncFromUse). If the band has turned by s electrodes, what electrode c records is
 * what electrode c + s recorded at calibration (core/band_rotation.ts), so
 * the observed covariance should be R(s) C R(s)^T up to per-electrode gains.
 * The estimate is the s on a fine grid that best explains the observation:
 * the shape of the level pattern around the band (up to one overall gain)
 * and the correlations between electrodes (free of any gains). Gains are
 * then fitted electrode by electrode on the observation turned back.
 */
import { rotateBandInto } from './band_rotation.ts';
import { HeadstartError } from './errors.ts';
import { concatSamples } from './signal.ts';

/** Covariance [channels][channels] of interleaved samples, each channel's mean removed. */
export function channelCovariance(samples: ArrayLike<number>, channels: number, from = 0, to = samples.length / channels): Float64Array {
  const n = to - from;
  if (!(n >= 2)) throw new HeadstartError('NOT_ENOUGH_DATA', `a channel covariance needs at least 2 samples, got ${n}`);
  const mean = new Float64Array(channels);
  for (let t = from; t < to; t++) for (let c = 0; c < channels; c++) mean[c] += samples[t * channels + c];
  for (let c = 0; c < channels; c++) mean[c] /= n;
  const cov = new Float64Array(channels * channels);
  for (let t = from; t < to; t++) {
    for (let a = 0; a < channels; a++) {
      const da = samples[t * channels + a] - mean[a];
      for (let b = 0; b <= a; b++) cov[a * channels + b] += da * (samples[t * channels + b] - mean[b]);
    }
  }
  for (let a = 0; a < channels; a++) for (let b = 0; b <= a; b++) cov[b * channels + a] = cov[a * channels + b] /= n;
  return cov;
}

/** R(s) C R(s)^T: the covariance the band would show turned by `shift` electrodes. */
export function rotateCovariance(cov: ArrayLike<number>, channels: number, shift: number): Float64Array {
  const n = Math.floor(shift);
  const f = shift - n;
  const base = ((n % channels) + channels) % channels;
  // Row c of R has (1 - f) at column (c + n) and f at (c + n + 1), mod channels.
  const a = (c: number) => (c + base) % channels;
  const b = (c: number) => (c + base + 1) % channels;
  const out = new Float64Array(channels * channels);
  for (let i = 0; i < channels; i++) {
    for (let j = 0; j < channels; j++) {
      const ai = a(i);
      const bi = b(i);
      const aj = a(j);
      const bj = b(j);
      out[i * channels + j] =
        (1 - f) * (1 - f) * cov[ai * channels + aj] + (1 - f) * f * cov[ai * channels + bj] + f * (1 - f) * cov[bi * channels + aj] + f * f * cov[bi * channels + bj];
    }
  }
  return out;
}

/** Weight of the correlation mismatch against the level-pattern mismatch. */
const CORRELATION_WEIGHT = 4;
const VARIANCE_FLOOR = 1e-12;

/** How badly a predicted covariance explains an observed one (lower is better): level pattern up to one overall gain, and correlations. */
function covarianceMismatch(predicted: ArrayLike<number>, observed: ArrayLike<number>, channels: number): number {
  const dp = new Float64Array(channels);
  const dobs = new Float64Array(channels);
  let meanDiff = 0;
  for (let c = 0; c < channels; c++) {
    dp[c] = Math.max(predicted[c * channels + c], VARIANCE_FLOOR);
    dobs[c] = Math.max(observed[c * channels + c], VARIANCE_FLOOR);
    meanDiff += Math.log(dobs[c]) - Math.log(dp[c]);
  }
  meanDiff /= channels;
  let level = 0;
  for (let c = 0; c < channels; c++) level += (Math.log(dobs[c]) - Math.log(dp[c]) - meanDiff) ** 2;
  let corr = 0;
  for (let i = 0; i < channels; i++) {
    for (let j = 0; j < channels; j++) {
      const cp = predicted[i * channels + j] / Math.sqrt(dp[i] * dp[j]);
      const co = observed[i * channels + j] / Math.sqrt(dobs[i] * dobs[j]);
      corr += (cp - co) ** 2;
    }
  }
  return level + CORRELATION_WEIGHT * corr;
}

/** How badly turning the reference by `shift` explains the observation (lower is better). */
export function syncMismatch(reference: ArrayLike<number>, observed: ArrayLike<number>, channels: number, shift: number): number {
  return covarianceMismatch(rotateCovariance(reference, channels, shift), observed, channels);
}

export interface BandCorrection {
  /** How far the band has turned since calibration, in electrodes (undone by turning the signal back). */
  shift: number;
  /** Per-electrode gain applied after the turn is undone, so each electrode's level matches calibration. */
  gains: number[];
}

export interface SyncEstimate extends BandCorrection {
  /** The mismatch at the chosen shift (lower is better), and at no shift for comparison. */
  mismatch: number;
  mismatchUnturned: number;
  /** A sync from use: how many different calibrated gestures the segments matched at the chosen turn. */
  gesturesMatched?: number;
  /** A sync from use that gave up (activity all like one gesture): shift 0, gains 1, nothing to correct. */
  undetermined?: boolean;
}

export interface SyncOptions {
  /** Largest turn considered either way, in electrodes (default: half the band). */
  range?: number;
  /** Grid step in electrodes (default 0.05). */
  step?: number;
  /** Gains are clamped into [1 / maxGain, maxGain] (default 3). */
  maxGain?: number;
}

/** The turns a sync tries, in electrodes, from -range to range. */
function turnGrid(channels: number, opts: SyncOptions): number[] {
  const range = opts.range ?? channels / 2;
  const step = opts.step ?? 0.05;
  const steps = Math.round(range / step);
  return Array.from({ length: 2 * steps + 1 }, (_, i) => (i - steps) * step);
}

/** Estimates the band's turn and per-electrode gains from an observed covariance, against a reference. */
export function estimateBandCorrection(reference: ArrayLike<number>, observed: ArrayLike<number>, channels: number, opts: SyncOptions = {}): SyncEstimate {
  if (reference.length !== channels * channels || observed.length !== channels * channels) {
    throw new HeadstartError('BOARD_MISMATCH', `a sync reference of ${Math.sqrt(reference.length)} channels cannot be compared with ${Math.sqrt(observed.length)} channels; sync with the board the profile was calibrated with`);
  }
  let best = 0;
  let bestScore = Infinity;
  for (const s of turnGrid(channels, opts)) {
    const m = syncMismatch(reference, observed, channels, s);
    if (m < bestScore - 1e-12) {
      bestScore = m;
      best = s;
    }
  }
  const gains = estimateGains(reference, observed, channels, best, opts.maxGain ?? 3);
  return { shift: best, gains, mismatch: bestScore, mismatchUnturned: syncMismatch(reference, observed, channels, 0) };
}

/**
 * Sync from ordinary use, without a prompt. The wearer does whatever they
 * do, so the observation is a mix of gestures in unknown proportions, and
 * its pooled covariance matches no pooled reference. Instead it is cut into
 * short segments; each active segment should be one of the calibrated
 * gestures turned by the same s. The estimate is the s on the grid for which
 * the sum, over segments, of the mismatch with the best-matching gesture is
 * lowest. Gains compare each segment, turned back, with its gesture.
 *
 * The sums are running ones: a segment's best mismatch under each turn of
 * the grid is added once, when it comes, so an estimate after each new
 * segment costs a pass over the grid, not over every segment again.
 */
class UseTurnScores {
  readonly #references: ArrayLike<number>[];
  readonly #channels: number;
  readonly #shifts: number[];
  /** Per turn of the grid, each reference turned: [shift][gesture]. */
  readonly #predicted: Float64Array[][];
  readonly #score: Float64Array;
  /** Per turn, a bit per gesture some segment matched best. */
  readonly #matchedMask: Uint32Array;
  /** Per segment, the gesture it matched best under each turn. */
  readonly #matched: Uint8Array[] = [];
  readonly #segments: ArrayLike<number>[] = [];

  constructor(references: ArrayLike<number>[], channels: number, opts: SyncOptions = {}) {
    if (references.length === 0) throw new HeadstartError('NOT_ENOUGH_DATA', 'a sync from use needs the calibration of at least one gesture');
    if (references.length > 32) throw new HeadstartError('BAD_PROFILE', `a sync from use compares with at most 32 gestures, not ${references.length}`);
    for (const c of references) checkCovarianceSize(c, channels);
    // Turn 0 first: a later turn has to do strictly better to be chosen.
    this.#shifts = [0, ...turnGrid(channels, opts).filter((shift) => shift !== 0)];
    this.#references = references;
    this.#channels = channels;
    this.#predicted = this.#shifts.map((shift) => references.map((r) => rotateCovariance(r, channels, shift)));
    this.#score = new Float64Array(this.#shifts.length);
    this.#matchedMask = new Uint32Array(this.#shifts.length);
  }

  get segments(): number {
    return this.#segments.length;
  }

  add(segment: ArrayLike<number>): void {
    checkCovarianceSize(segment, this.#channels);
    const matched = new Uint8Array(this.#shifts.length);
    this.#predicted.forEach((turned, i) => {
      let best = 0;
      let bestMismatch = Infinity;
      turned.forEach((p, g) => {
        const m = covarianceMismatch(p, segment, this.#channels);
        if (m < bestMismatch) {
          bestMismatch = m;
          best = g;
        }
      });
      this.#score[i] += bestMismatch;
      this.#matchedMask[i] |= 1 << best;
      matched[i] = best;
    });
    this.#matched.push(matched);
    this.#segments.push(segment);
  }

  estimate(maxGain = 3): SyncEstimate {
    const n = this.#segments.length;
    if (n === 0) throw new HeadstartError('INTERNAL', 'a sync from use has no segments to estimate from');
    let best = 0;
    for (let i = 1; i < this.#shifts.length; i++) if (this.#score[i]! < this.#score[best]! - 1e-12 * n) best = i;
    const C = this.#channels;
    // Gains: the matched gestures' levels pooled against the segments' pooled.
    const pooledReference = new Float64Array(C * C);
    const pooledObserved = new Float64Array(C * C);
    this.#segments.forEach((seg, j) => {
      const ref = this.#references[this.#matched[j]![best]!]!;
      for (let k = 0; k < C * C; k++) {
        pooledReference[k] += ref[k]!;
        pooledObserved[k] += seg[k]!;
      }
    });
    const shift = this.#shifts[best]!;
    let mask = this.#matchedMask[best]!;
    let gesturesMatched = 0;
    for (; mask !== 0; mask &= mask - 1) gesturesMatched++;
    return { shift, gains: estimateGains(pooledReference, pooledObserved, C, shift, maxGain), mismatch: this.#score[best]! / n, mismatchUnturned: this.#score[0]! / n, gesturesMatched };
  }
}

function checkCovarianceSize(c: ArrayLike<number>, channels: number): void {
  if (c.length !== channels * channels) {
    throw new HeadstartError('BOARD_MISMATCH', `a sync reference of ${Math.sqrt(c.length)} channels cannot be compared with ${channels} channels; sync with the board the profile was calibrated with`);
  }
}

/**
 * Whether an observed segment is activity worth comparing: its level above
 * the midpoint (in log level) between rest's and the median gesture's. Rest
 * carries almost no pattern around the band; without a rest reference every
 * segment counts.
 */
function activityThreshold(covariances: Record<string, ArrayLike<number>>, channels: number, rest = 'rest'): number {
  const restCov = covariances[rest];
  const active = Object.entries(covariances).filter(([id]) => id !== rest).map(([, c]) => logLevel(c, channels)).sort((a, b) => a - b);
  if (!restCov || active.length === 0) return -Infinity;
  const median = active.length % 2 === 1 ? active[(active.length - 1) / 2]! : (active[active.length / 2 - 1]! + active[active.length / 2]!) / 2;
  return (logLevel(restCov, channels) + median) / 2;
}

/** Length of the segments a sync from use cuts the observation into, in seconds. */
export const USE_SEGMENT_SECONDS = 0.5;

/**
 * A sync from use as samples arrive: cut into USE_SEGMENT_SECONDS segments,
 * the active ones kept; once they add up to `seconds`, and again at every
 * active segment after, the estimate (UseTurnScores). Activity that all
 * looks like one gesture does not pin the turn down (a gesture turned can
 * pass for another: measured, one person's 3 s of one gesture gave a turn of
 * -2.95 for an unturned band), so the estimate is taken only once the
 * segments match at least two calibrated gestures. After
 * USE_MAX_ACTIVE_SECONDS of activity without that, it gives up: undetermined,
 * nothing corrected. The same on the device (live) and in evaluate.
 */
export class SyncFromUse {
  readonly #scores: UseTurnScores;
  readonly #threshold: number;
  readonly #segmentSamples: number;
  readonly #segmentsNeeded: number;
  readonly #segmentsMax: number;
  readonly #gesturesNeeded: number;
  readonly #segment: Float32Array;
  #filled = 0;
  #read = 0;
  #result: SyncEstimate | undefined;

  /**
   * `references`: each calibrated gesture's channel covariance, by gesture id
   * (rest, if present, named 'rest'); `seconds`: activity before the first
   * estimate; `options.maxActiveSeconds` changes USE_MAX_ACTIVE_SECONDS.
   */
  constructor(
    references: Record<string, ArrayLike<number>>,
    readonly channels: number,
    rate: number,
    seconds: number,
    options: { maxActiveSeconds?: number } = {},
  ) {
    const gestures = Object.values(references);
    this.#scores = new UseTurnScores(gestures, channels);
    this.#threshold = activityThreshold(references, channels);
    this.#segmentSamples = Math.max(2, Math.round(USE_SEGMENT_SECONDS * rate));
    this.#segmentsNeeded = Math.max(1, Math.round(seconds / USE_SEGMENT_SECONDS));
    this.#segmentsMax = Math.max(this.#segmentsNeeded, Math.round((options.maxActiveSeconds ?? USE_MAX_ACTIVE_SECONDS) / USE_SEGMENT_SECONDS));
    this.#gesturesNeeded = Math.min(USE_GESTURES_NEEDED, gestures.length);
    this.#segment = new Float32Array(this.#segmentSamples * channels);
  }

  get done(): boolean {
    return this.#result !== undefined;
  }

  /** Samples (per channel) read so far, rest included; none after done. */
  get samplesRead(): number {
    return this.#read;
  }

  /** Adds interleaved samples; returns true once the turn is estimated or given up on (the rest of `samples` is not read). */
  push(samples: ArrayLike<number>): boolean {
    const C = this.channels;
    const frames = samples.length / C;
    for (let t = 0; t < frames && !this.done; t++) {
      for (let c = 0; c < C; c++) this.#segment[this.#filled * C + c] = samples[t * C + c]!;
      this.#filled++;
      this.#read++;
      if (this.#filled === this.#segmentSamples) {
        this.#filled = 0;
        const cov = channelCovariance(this.#segment, C);
        if (logLevel(cov, C) <= this.#threshold) continue;
        this.#scores.add(cov);
        if (this.#scores.segments < this.#segmentsNeeded) continue;
        const estimate = this.#scores.estimate();
        if ((estimate.gesturesMatched ?? 0) >= this.#gesturesNeeded) this.#result = estimate;
        else if (this.#scores.segments >= this.#segmentsMax) this.#result = { shift: 0, gains: new Array<number>(C).fill(1), mismatch: estimate.mismatch, mismatchUnturned: estimate.mismatchUnturned, gesturesMatched: estimate.gesturesMatched, undetermined: true };
      }
    }
    return this.done;
  }

  estimate(): SyncEstimate {
    if (!this.#result) throw new HeadstartError('INTERNAL', `a sync from use has ${this.#scores.segments} active segments and no estimate yet`);
    return this.#result;
  }
}

/** Distinct calibrated gestures the activity must match before a sync from use trusts its turn. */
export const USE_GESTURES_NEEDED = 2;
/** Activity after which a sync from use that has seen one gesture only gives up, in seconds. */
export const USE_MAX_ACTIVE_SECONDS = 30;

/**
 * Gains that bring each electrode's level, once the turn is undone, back to
 * the reference's: the observation turned back by -shift is compared channel
 * by channel with the reference.
 */
function estimateGains(reference: ArrayLike<number>, observed: ArrayLike<number>, channels: number, shift: number, maxGain: number): number[] {
  // The observation turned back as the correction will turn it: M O M^T.
  const m = unturnMatrix(channels, shift);
  const back = new Float64Array(channels * channels);
  for (let i = 0; i < channels; i++) {
    for (let j = 0; j < channels; j++) {
      let sum = 0;
      for (let a = 0; a < channels; a++) for (let b = 0; b < channels; b++) sum += m[i * channels + a] * observed[a * channels + b] * m[j * channels + b];
      back[i * channels + j] = sum;
    }
  }
  const gains: number[] = [];
  for (let c = 0; c < channels; c++) {
    const g = Math.sqrt(Math.max(reference[c * channels + c], VARIANCE_FLOOR) / Math.max(back[c * channels + c], VARIANCE_FLOOR));
    gains.push(Math.min(maxGain, Math.max(1 / maxGain, g)));
  }
  return gains;
}

/**
 * Regularization of the inverse turn. A fractional turn averages
 * neighbouring electrodes, which loses the finest spatial detail around the
 * band (at half an electrode, the pattern alternating from one electrode to
 * the next entirely); the inverse restores what is left and damps what is
 * not, instead of amplifying noise.
 */
const UNTURN_RIDGE = 0.05;

/** The turn as a matrix: what electrode c records is sum_j R[c][j] x_j ([channels][channels]). */
export function turnMatrix(channels: number, shift: number): Float64Array {
  const n = Math.floor(shift);
  const f = shift - n;
  const base = ((n % channels) + channels) % channels;
  const r = new Float64Array(channels * channels);
  for (let c = 0; c < channels; c++) {
    r[c * channels + ((c + base) % channels)] += 1 - f;
    r[c * channels + ((c + base + 1) % channels)] += f;
  }
  return r;
}

/**
 * The matrix that undoes a turn, (R^T R + e I)^-1 R^T: exactly R's inverse
 * (a permutation, up to 1 / (1 + e)) for whole electrodes, a regularized one
 * between them.
 */
export function unturnMatrix(channels: number, shift: number): Float64Array {
  const C = channels;
  const r = turnMatrix(C, shift);
  if (Number.isInteger(shift)) {
    // R^T exactly: no ridge needed for a permutation.
    const t = new Float64Array(C * C);
    for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) t[j * C + i] = r[i * C + j];
    return t;
  }
  // A = R^T R + e I, B = R^T; solve A M = B by Gauss-Jordan (A is symmetric positive definite).
  const a = new Float64Array(C * C);
  const m = new Float64Array(C * C);
  for (let i = 0; i < C; i++) {
    for (let j = 0; j < C; j++) {
      let sum = 0;
      for (let k = 0; k < C; k++) sum += r[k * C + i] * r[k * C + j];
      a[i * C + j] = sum + (i === j ? UNTURN_RIDGE : 0);
      m[i * C + j] = r[j * C + i];
    }
  }
  for (let p = 0; p < C; p++) {
    const pivot = a[p * C + p];
    for (let j = 0; j < C; j++) {
      a[p * C + j] /= pivot;
      m[p * C + j] /= pivot;
    }
    for (let i = 0; i < C; i++) {
      if (i === p) continue;
      const f = a[i * C + p];
      if (f === 0) continue;
      for (let j = 0; j < C; j++) {
        a[i * C + j] -= f * a[p * C + j];
        m[i * C + j] -= f * m[p * C + j];
      }
    }
  }
  return m;
}

/** A correction ready to apply: the unturn matrix computed once. */
export interface CorrectionPlan {
  channels: number;
  /** [channels][channels]: corrected = M observed (deviations from the offsets). */
  matrix: Float64Array;
  gains: number[];
  identity: boolean;
}

export function correctionPlan(correction: BandCorrection, channels: number): CorrectionPlan {
  return { channels, matrix: unturnMatrix(channels, correction.shift), gains: correction.gains, identity: correction.shift === 0 };
}

/**
 * Undoes a correction on raw interleaved samples, in place: the turn first
 * (M applied to each sample's deviations from `offsets[c]`, the package
 * normalization's offset: the electrode's resting level), then each
 * channel's deviation scaled by its gain. Pointwise in time, so a recording
 * corrected whole equals its windows corrected one by one.
 */
export function applyBandCorrection(samples: Float32Array, plan: CorrectionPlan, offsets: ArrayLike<number>, scratch: Float64Array = new Float64Array(plan.channels)): void {
  const C = plan.channels;
  const m = plan.matrix;
  for (let t = 0; t < samples.length; t += C) {
    if (!plan.identity) {
      for (let i = 0; i < C; i++) {
        let sum = 0;
        for (let j = 0; j < C; j++) sum += m[i * C + j] * (samples[t + j] - offsets[j]);
        scratch[i] = sum;
      }
      for (let c = 0; c < C; c++) samples[t + c] = offsets[c] + plan.gains[c] * scratch[c];
    } else {
      for (let c = 0; c < C; c++) samples[t + c] = offsets[c] + plan.gains[c] * (samples[t + c] - offsets[c]);
    }
  }
}

export function checkBandCorrection(value: unknown, channels: number, where: string): BandCorrection {
  const v = value as Partial<BandCorrection> | null;
  if (typeof v !== 'object' || v === null || typeof v.shift !== 'number' || !Number.isFinite(v.shift)) throw new HeadstartError('BAD_PROFILE', `${where}: a band correction needs a finite shift`);
  if (!Array.isArray(v.gains) || v.gains.length !== channels || !v.gains.every((g) => typeof g === 'number' && Number.isFinite(g) && g > 0)) {
    throw new HeadstartError('BAD_PROFILE', `${where}: a band correction needs ${channels} positive gains`);
  }
  return { shift: v.shift, gains: v.gains };
}

/** Mean log variance over the channels: a covariance's overall level. */
function logLevel(cov: ArrayLike<number>, channels: number): number {
  let sum = 0;
  for (let c = 0; c < channels; c++) sum += Math.log(Math.max(cov[c * channels + c], VARIANCE_FLOOR));
  return sum / channels;
}

/**
 * The gesture a sync asks for by default: of the gestures but `rest`, the
 * one whose level stands out most from rest's (the clearest pattern to
 * compare, and the easiest to hold the same way again).
 */
export function defaultSyncGesture(covariances: Record<string, ArrayLike<number>>, channels: number, rest = 'rest'): string {
  const ids = Object.keys(covariances);
  if (ids.length === 0) throw new HeadstartError('INTERNAL', 'no gesture to sync with');
  const restLevel = covariances[rest] ? logLevel(covariances[rest]!, channels) : 0;
  const pool = ids.filter((id) => id !== rest);
  return (pool.length > 0 ? pool : ids).reduce((a, b) => (logLevel(covariances[b]!, channels) - restLevel > logLevel(covariances[a]!, channels) - restLevel ? b : a));
}

/**
 * The turns a calibration prepares heads for, in electrodes: a turn between
 * electrodes averages neighbours, which loses detail no correction can give
 * back, so a sync chooses the head fitted on calibration windows turned the
 * same way (the nearest of these) and corrects only what is left.
 */
export const SYNC_HEAD_SHIFTS: readonly number[] = [-1, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1];

/**
 * The turns a turn-tolerant head is also trained on (electrodes, a subset
 * of SYNC_HEAD_SHIFTS, so calibration embeds nothing more for it): one head
 * fitted on the calibration as recorded and turned by each of these, for a
 * band that may be on turned and has not been synced (`run
 * --tolerate-turn`, and an automatic sync before it has estimated). It
 * trades a little accuracy on an unturned band for much more on a turned
 * one. Chosen on the within protocol (the evaluation people's later
 * training0 cycles), never their test sessions: at k = 2, turns to half an
 * electrode cost 0.15 point unturned against 0.33 for +-0.5 alone and 3.6
 * for turns to one electrode (bench/RESULTS.md).
 */
export const TOLERANT_HEAD_TURNS: readonly number[] = [-0.5, -0.25, 0.25, 0.5];

/**
 * Whether a package's sensors are worn as a band that can be put back on
 * turned (EMG electrodes around the forearm): calibration then prepares
 * heads for turns.
 */
export function wornAsBand(manifest: { modality: string; channels: number }): boolean {
  return manifest.modality === 'emg' && manifest.channels >= 3;
}

/**
 * Turns smaller than this (electrodes) are left alone: they are within what
 * the estimate itself varies by on an unturned band (bench/sync.ts).
 */
export const SYNC_DEADBAND = 0.125;

/**
 * The prepared turn to use for `shift` (0: the calibration's own head), and
 * what a correction still has to undo: the prepared turn that leaves the
 * residual nearest a whole number of electrodes (a whole-electrode
 * correction is an exact permutation, a fractional one loses detail), the
 * smaller residual on a tie. Within the prepared range that is the nearest.
 * Below SYNC_DEADBAND, nothing.
 */
export function nearestSyncShift(shift: number, prepared: readonly number[] = SYNC_HEAD_SHIFTS): { head: number; residual: number } {
  if (Math.abs(shift) < SYNC_DEADBAND) return { head: 0, residual: 0 };
  const fractional = (r: number) => Math.abs(r - Math.round(r));
  let head = 0;
  for (const s of prepared) {
    const a = fractional(shift - s);
    const b = fractional(shift - head);
    if (a < b - 1e-9 || (Math.abs(a - b) <= 1e-9 && Math.abs(shift - s) < Math.abs(shift - head) - 1e-9)) head = s;
  }
  return { head, residual: shift - head };
}

/** The turns (electrodes) an automatic sync's self-check replays a calibration at. */
export const AUTO_SYNC_CHECK_TURNS: readonly number[] = [0, 0.5, -0.5, 1, -1];

/** How far (electrodes) an automatic sync's estimate may be off before it counts as a miss: the prepared heads' step. */
export const AUTO_SYNC_MISS = 0.25;

/** Repetitions a self-check replays, the last ones (each against all the others): two flag the same calibrations as all of them, at half the work. */
const AUTO_SYNC_CHECK_FOLDS = 2;

/** How an automatic sync did on its own calibration: trials, and those whose turn was off by more than a quarter electrode. */
export interface AutoSyncCheck {
  trials: number;
  misses: number;
}

/**
 * Whether an automatic sync (SyncFromUse) can be trusted for a
 * calibration, checked on the calibration alone: each of the last
 * AUTO_SYNC_CHECK_FOLDS repetitions in turn is replayed as use, turned by
 * each of AUTO_SYNC_CHECK_TURNS, against the references of the other
 * repetitions (with a single repetition, the second half of every hold
 * against the first halves). A trial misses when the
 * estimate is more than a quarter electrode off (one that gave up counts as
 * no turn). On the Myo data (bench/sync_estimate.ts) the sync reads the
 * later recordings of calibrations that pass with no miss right in 99 % of
 * trials; the ones it flags include every calibration of the person for
 * whom it always fails. `holds`: trimmed hold samples with their gesture id and
 * repetition, in calibration order.
 */
export function checkSyncFromUse(holds: readonly { gesture: string; rep: number; samples: Float32Array }[], channels: number, rate: number, seconds: number): AutoSyncCheck {
  /** Each gesture's covariance over the given stretches of its holds. */
  const covariancesOf = (parts: readonly { gesture: string; samples: Float32Array }[]) => {
    const byGesture: Record<string, Float32Array[]> = {};
    for (const p of parts) (byGesture[p.gesture] ??= []).push(p.samples);
    return Object.fromEntries(Object.entries(byGesture).map(([id, s]) => [id, channelCovariance(concatSamples(s), channels)]));
  };
  const folds: { references: Record<string, Float64Array>; use: Float32Array }[] = [];
  const reps = [...new Set(holds.map((h) => h.rep))].sort((a, b) => a - b);
  if (reps.length === 1) {
    const halves = holds.map((h) => {
      const half = Math.floor(h.samples.length / channels / 2) * channels;
      return { gesture: h.gesture, first: h.samples.subarray(0, half), second: h.samples.subarray(half) };
    });
    folds.push({ references: covariancesOf(halves.map((h) => ({ gesture: h.gesture, samples: h.first }))), use: concatSamples(halves.map((h) => h.second)) });
  } else {
    for (const held of reps.slice(-AUTO_SYNC_CHECK_FOLDS)) {
      folds.push({ references: covariancesOf(holds.filter((h) => h.rep !== held)), use: concatSamples(holds.filter((h) => h.rep === held).map((h) => h.samples)) });
    }
  }
  let trials = 0;
  let misses = 0;
  const turned = new Float32Array(folds.reduce((n, f) => Math.max(n, f.use.length), 0));
  for (const { references, use } of folds) {
    for (const turn of AUTO_SYNC_CHECK_TURNS) {
      const view = turned.subarray(0, use.length);
      rotateBandInto(use, view, use.length / channels, channels, turn);
      const sync = new SyncFromUse(references, channels, rate, seconds);
      sync.push(view);
      trials++;
      const shift = sync.done ? sync.estimate().shift : 0;
      if (Math.abs(shift - turn) > AUTO_SYNC_MISS) misses++;
    }
  }
  return { trials, misses };
}

/**
 * Unsupervised adaptation of a linear head while it is used: the signal
 * drifts over hours (skin, sweat, electrode contact), which moves every
 * gesture's features the same way. Windows the head is confident about are
 * compared with their predicted class's mean (from calibration), and the
 * average difference, a common shift, is taken out of the head's
 * standardization: z = (x - mean) * invStd - shift. Only the head's `mean`
 * changes, so an adapted head is an ordinary head, saved like any other.
 *
 * Safeguards: only confident windows count; the shift moves slowly
 * (exponential average) and is bounded per feature; every class pulls on it
 * equally; and when the head's confidence over recent windows falls clearly
 * below what it was before adapting, the shift is dropped and adaptation
 * starts over. Memory and work per window are fixed (one vector of the
 * head's size, one number per class).
 *
 * Why classes pull equally: self-training follows its own mistakes. When a
 * few classes win most of the confident windows (a band put back on
 * turned, where some gestures pass for others; minutes of one EEG state),
 * their windows' differences, which are not common to every class, would
 * drag the shift towards them, so that still more windows fall to them.
 * Each counted window's pull is weighted by the inverse of its class's
 * recent share of the counted windows (at most CLASS_WEIGHT_CAP), so a class
 * that wins often pulls no more in all than one that wins rarely. Without
 * that, adapting on a band turned by half an electrode cost 8-16 points.
 */
import { HeadstartError } from '../errors.ts';
import type { LinearHeadData } from './head.ts';

export interface AdaptOptions {
  /** Least winning probability for a window to count. */
  minConfidence: number;
  /** Weight of each counted window in the exponential average of the shift. */
  rate: number;
  /** Largest shift per feature, in standardized units (within-class standard deviations are about 1). */
  maxShift: number;
  /** Windows whose mean confidence is the reference, before the shift is trusted. */
  warmup: number;
  /** Drop the shift when recent mean confidence falls this far below the reference. */
  confidenceDrop: number;
}

/** Weight of each window in the recent-confidence average the guard watches (about the last 50 windows). */
const RECENT_RATE = 0.02;

/** Weight of each counted window in its class's recent share (about the last 100 counted windows). */
const SHARE_RATE = 0.01;

/** Largest weight of one window's pull: a class seen rarely does not get an outsized say. */
const CLASS_WEIGHT_CAP = 3;

export const DEFAULT_ADAPT: AdaptOptions = { minConfidence: 0.9, rate: 0.01, maxShift: 1.5, warmup: 200, confidenceDrop: 0.05 };

export interface AdaptState {
  /** Current shift, standardized units, one per head input value. */
  shift: number[];
  /** Windows that moved the shift. */
  updates: number;
  /** Times the shift was dropped by the confidence guard. */
  resets: number;
  /** Each class's recent share of the counted windows (absent in states saved before classes were balanced: even shares). */
  classShare?: number[];
}

export class HeadAdapter {
  readonly #head: LinearHeadData;
  readonly #baseMean: Float64Array;
  readonly #means: ArrayLike<number>;
  readonly #opts: AdaptOptions;
  readonly #shift: Float64Array;
  readonly #share: Float64Array;
  #updates = 0;
  #resets = 0;
  #seen = 0;
  #reference = 0;
  #recent = 0;

  /** `head` is adapted in place (its `mean`); give a copy to keep the original. */
  constructor(head: LinearHeadData, opts: AdaptOptions = DEFAULT_ADAPT, state?: AdaptState) {
    if (!head.classMeans || head.classMeans.length !== head.classes * head.dim) {
      throw new HeadstartError('BAD_PROFILE', 'this head does not record its class means (calibrated before adaptation existed, or not an LDA head): calibrate again to adapt');
    }
    this.#head = head;
    this.#means = head.classMeans;
    this.#opts = opts;
    this.#shift = new Float64Array(head.dim);
    this.#share = new Float64Array(head.classes).fill(1 / head.classes);
    this.#baseMean = Float64Array.from(head.mean);
    if (state) {
      state.shift.forEach((v, d) => (this.#shift[d] = v));
      if (state.classShare?.length === head.classes) state.classShare.forEach((v, c) => (this.#share[c] = v));
      this.#updates = state.updates;
      this.#resets = state.resets;
      // The head given is already adapted by `state`: its base is before the shift.
      for (let d = 0; d < head.dim; d++) this.#baseMean[d] = head.mean[d]! - this.#shift[d]! / head.invStd[d]!;
    }
  }

  /**
   * After the head scored input vector `x` ([dim]) as `label` with
   * `confidence`: moves the shift towards this window's difference from its
   * class mean when it counts. Returns whether it did.
   */
  observe(x: ArrayLike<number>, label: number, confidence: number): boolean {
    const o = this.#opts;
    this.#seen++;
    if (this.#seen <= o.warmup) this.#reference += (confidence - this.#reference) / this.#seen;
    this.#recent = this.#seen === 1 ? confidence : this.#recent + RECENT_RATE * (confidence - this.#recent);
    if (this.#seen > o.warmup && this.#recent < this.#reference - o.confidenceDrop && this.#updates > 0) {
      this.#shift.fill(0);
      this.#resets++;
      this.#recent = this.#reference;
      this.#apply();
      return false;
    }
    if (confidence < o.minConfidence || label < 0 || label >= this.#head.classes) return false;
    const h = this.#head;
    const dim = h.dim;
    for (let c = 0; c < h.classes; c++) this.#share[c] += SHARE_RATE * ((c === label ? 1 : 0) - this.#share[c]!);
    const weight = Math.min(CLASS_WEIGHT_CAP, 1 / (h.classes * this.#share[label]!));
    for (let d = 0; d < dim; d++) {
      // The window in the head's current space, and its distance from its class's calibration mean.
      const z = (x[d]! - h.mean[d]!) * h.invStd[d]!;
      const residual = z - this.#means[label * dim + d]!;
      const next = this.#shift[d]! + o.rate * weight * residual;
      this.#shift[d] = Math.max(-o.maxShift, Math.min(o.maxShift, next));
    }
    this.#updates++;
    this.#apply();
    return true;
  }

  #apply(): void {
    const h = this.#head;
    for (let d = 0; d < h.dim; d++) h.mean[d] = this.#baseMean[d]! + this.#shift[d]! / h.invStd[d]!;
  }

  state(): AdaptState {
    return { shift: Array.from(this.#shift, (v) => Number(v.toPrecision(7))), updates: this.#updates, resets: this.#resets, classShare: Array.from(this.#share, (v) => Number(v.toPrecision(7))) };
  }
}

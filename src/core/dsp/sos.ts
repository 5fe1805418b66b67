/**
 * Cascades of second-order IIR sections (biquads), the form every filter
 * of src/core/dsp is designed in: stable in float64 at any order, and cheap
 * (five multiplies and four adds a section a sample).
 *
 * Coefficients are packed five per section, [b0, b1, b2, a1, a2] with
 * a0 = 1: H(z) = prod (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2).
 */
import { HeadstartError } from '../errors.ts';

/** Packed sections, five coefficients each (see the module comment). */
export type Sections = Float64Array;

export const COEFFICIENTS_PER_SECTION = 5;

export function sectionCount(sections: Sections): number {
  return sections.length / COEFFICIENTS_PER_SECTION;
}

/** |H| of the cascade at `freq` Hz for a signal sampled at `rate` Hz. */
export function sectionsGain(sections: Sections, freq: number, rate: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const [c1, s1, c2, s2] = [Math.cos(w), Math.sin(w), Math.cos(2 * w), Math.sin(2 * w)];
  let gain = 1;
  for (let k = 0; k < sections.length; k += COEFFICIENTS_PER_SECTION) {
    const [b0, b1, b2, a1, a2] = sections.subarray(k, k + COEFFICIENTS_PER_SECTION);
    // e^{-jw} = c1 - j s1, e^{-2jw} = c2 - j s2.
    const numRe = b0 + b1 * c1 + b2 * c2;
    const numIm = -(b1 * s1 + b2 * s2);
    const denRe = 1 + a1 * c1 + a2 * c2;
    const denIm = -(a1 * s1 + a2 * s2);
    gain *= Math.hypot(numRe, numIm) / Math.hypot(denRe, denIm);
  }
  return gain;
}

/** The gain of a cascade at DC (z = 1). */
export function sectionsDcGain(sections: Sections): number {
  let gain = 1;
  for (let k = 0; k < sections.length; k += COEFFICIENTS_PER_SECTION) {
    const [b0, b1, b2, a1, a2] = sections.subarray(k, k + COEFFICIENTS_PER_SECTION);
    gain *= (b0 + b1 + b2) / (1 + a1 + a2);
  }
  return gain;
}

/**
 * Filters interleaved multi-channel samples through a cascade, keeping
 * each channel's state between calls, so that a signal filtered in chunks
 * of any size comes out exactly as filtered whole. Transposed direct form
 * II in float64. The first sample after creation or `reset` sets the state
 * as if the signal had held that value forever (a DC offset of 60 mV
 * does not ring through a band-pass as a step would).
 */
export class SosFilter {
  readonly channels: number;
  readonly sections: Sections;
  /** Per channel, per section: the two delay values. */
  readonly #state: Float64Array;
  #primed = false;

  constructor(sections: Sections, channels: number) {
    if (!Number.isInteger(channels) || channels < 1) throw new HeadstartError('INTERNAL', `channel count must be a positive whole number (got ${channels})`);
    if (sections.length === 0 || sections.length % COEFFICIENTS_PER_SECTION !== 0) {
      throw new HeadstartError('INTERNAL', `filter coefficients come five per section (got ${sections.length})`);
    }
    this.channels = channels;
    this.sections = sections;
    this.#state = new Float64Array(channels * sectionCount(sections) * 2);
  }

  /** Forgets the signal (after a gap): the next sample starts afresh. */
  reset(): void {
    this.#primed = false;
  }

  /** Sets every section's state to the steady state of a constant input equal to the first sample. */
  #prime(input: ArrayLike<number>): void {
    const sec = this.sections;
    const n = sectionCount(sec);
    for (let c = 0; c < this.channels; c++) {
      let x = input[c];
      for (let s = 0; s < n; s++) {
        const k = s * COEFFICIENTS_PER_SECTION;
        const [b0, b1, b2, a1, a2] = [sec[k], sec[k + 1], sec[k + 2], sec[k + 3], sec[k + 4]];
        const y = (x * (b0 + b1 + b2)) / (1 + a1 + a2);
        const at = (c * n + s) * 2;
        this.#state[at] = y - b0 * x;
        this.#state[at + 1] = b2 * x - a2 * y;
        x = y;
      }
    }
    this.#primed = true;
  }

  /**
   * Filters `input` (interleaved, a whole number of samples) into `output`
   * (may be the same array) and returns it.
   */
  process(input: Float32Array, output: Float32Array = input): Float32Array {
    const channels = this.channels;
    if (input.length % channels !== 0 || output.length < input.length) {
      throw new HeadstartError('INTERNAL', `filter input of ${input.length} values is not a whole number of ${channels}-channel samples (or the output is shorter)`);
    }
    if (input.length === 0) return output;
    if (!this.#primed) this.#prime(input);
    const sec = this.sections;
    const n = sectionCount(sec);
    const state = this.#state;
    for (let i = 0; i < input.length; i += channels) {
      for (let c = 0; c < channels; c++) {
        let x = input[i + c];
        let at = c * n * 2;
        for (let k = 0; k < sec.length; k += COEFFICIENTS_PER_SECTION, at += 2) {
          const y = sec[k] * x + state[at];
          state[at] = sec[k + 1] * x - sec[k + 3] * y + state[at + 1];
          state[at + 1] = sec[k + 2] * x - sec[k + 4] * y;
          x = y;
        }
        output[i + c] = x;
      }
    }
    return output;
  }
}

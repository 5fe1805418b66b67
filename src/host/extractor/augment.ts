/**
 * Augmentations that mimic what changes between armband wearings: the band
 * sits rotated by an electrode or so (circular channel shift), contact and
 * muscle size change the amplitude (per-channel gain), and there is noise.
 */
import type { Rng } from '../../core/rng.ts';

export interface AugmentOptions {
  /** Probability of rotating a window by +-1 channel. */
  rotateProbability: number;
  /** Per-channel gain drawn from [1 - s, 1 + s]. */
  gainSpread: number;
  /** Std of added Gaussian noise, in normalized units. */
  noiseStd: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { rotateProbability: 0.3, gainSpread: 0.25, noiseStd: 0.05 };

/** Augments one window [length][channels] from `src` into `dst` (which may not alias `src`). */
export function augmentWindow(src: Float32Array, dst: Float32Array, length: number, channels: number, opts: AugmentOptions, rng: Rng, gains: Float32Array): void {
  let shift = 0;
  if (rng.next() < opts.rotateProbability) shift = rng.next() < 0.5 ? 1 : channels - 1;
  for (let c = 0; c < channels; c++) gains[c] = 1 + (2 * rng.next() - 1) * opts.gainSpread;
  for (let t = 0; t < length; t++) {
    const row = t * channels;
    for (let c = 0; c < channels; c++) {
      const noise = opts.noiseStd > 0 ? opts.noiseStd * rng.normal() : 0;
      dst[row + ((c + shift) % channels)] = src[row + c] * gains[c] + noise;
    }
  }
}

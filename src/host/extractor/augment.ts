/**
 * Augmentations that mimic what changes between armband wearings: the band
 * sits rotated by a fraction of an electrode or more (circular channel shift
 * with interpolation between neighbours, see core/band_rotation.ts), contact
 * and muscle size change the amplitude (per-channel gain), and there is
 * noise.
 */
import { rotateBandInto } from '../../core/band_rotation.ts';
import type { Rng } from '../../core/rng.ts';

export interface AugmentOptions {
  /** Probability of rotating a window. */
  rotateProbability: number;
  /** Largest rotation, in electrodes (either way). */
  rotateMax: number;
  /** Rotate by whole electrodes only (+-1 .. +-rotateMax); otherwise uniformly in [-rotateMax, rotateMax]. */
  rotateWhole: boolean;
  /** Per-channel gain drawn from [1 - s, 1 + s]. */
  gainSpread: number;
  /** Std of added Gaussian noise, in normalized units. */
  noiseStd: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { rotateProbability: 0.3, rotateMax: 1, rotateWhole: true, gainSpread: 0.25, noiseStd: 0.05 };

/** Scratch for augmentWindow, one per training loop. */
export interface AugmentScratch {
  gains: Float32Array;
  rotated: Float32Array;
}

export function augmentScratch(length: number, channels: number): AugmentScratch {
  return { gains: new Float32Array(channels), rotated: new Float32Array(length * channels) };
}

function drawShift(opts: AugmentOptions, rng: Rng): number {
  if (opts.rotateMax <= 0 || rng.next() >= opts.rotateProbability) return 0;
  if (opts.rotateWhole) {
    const steps = 1 + Math.floor(rng.next() * Math.max(1, Math.floor(opts.rotateMax)));
    return rng.next() < 0.5 ? steps : -steps;
  }
  return (2 * rng.next() - 1) * opts.rotateMax;
}

/** Augments one window [length][channels] from `src` into `dst` (which may not alias `src`). */
export function augmentWindow(src: Float32Array, dst: Float32Array, length: number, channels: number, opts: AugmentOptions, rng: Rng, scratch: AugmentScratch): void {
  const shift = drawShift(opts, rng);
  let from: Float32Array = src;
  if (shift !== 0) {
    rotateBandInto(src, scratch.rotated, length, channels, shift);
    from = scratch.rotated;
  }
  const gains = scratch.gains;
  for (let c = 0; c < channels; c++) gains[c] = 1 + (2 * rng.next() - 1) * opts.gainSpread;
  for (let t = 0; t < length; t++) {
    const row = t * channels;
    for (let c = 0; c < channels; c++) {
      const noise = opts.noiseStd > 0 ? opts.noiseStd * rng.normal() : 0;
      dst[row + c] = from[row + c] * gains[c] + noise;
    }
  }
}

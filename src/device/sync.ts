/**
 * Sync on the device: a couple of seconds of the board's samples, compared
 * with the profile's sync reference (core/band_sync.ts), give the band's
 * turn and per-electrode gains since calibration; the live pipeline then
 * undoes them in front of the extractor.
 *
 * - `gesture` sync: the wearer holds the named gesture (the profile's
 *   default: the one that stands out most from rest) for the sync's length.
 * - `auto` sync: no prompt; the first seconds of ordinary use (pooled over
 *   whatever the wearer does) are compared with the calibration's pooled
 *   active holds.
 */
import { channelCovariance, estimateBandCorrection, type SyncEstimate } from '../core/band_sync.ts';
import { HeadstartError } from '../core/errors.ts';
import type { SamplesFrame } from '../core/protocol/frames.ts';
import type { SyncReference } from './profiles/profile.ts';

export type SyncMode = { kind: 'gesture'; gesture: string } | { kind: 'auto' };

export const DEFAULT_SYNC_SECONDS = 2;

/** The reference covariance a sync compares with, or a clear error when the profile cannot sync that way. */
export function syncTarget(reference: SyncReference | undefined, mode: SyncMode, profileName: string): number[] {
  if (!reference) {
    throw new HeadstartError('BAD_PROFILE', `profile '${profileName}' has no sync reference (it was calibrated before sync existed): calibrate again to sync`);
  }
  if (mode.kind === 'auto') return reference.activity;
  const cov = reference.gestures[mode.gesture];
  if (!cov) throw new HeadstartError('UNKNOWN_GESTURE', `the profile has no recording of '${mode.gesture}' to sync with (it has: ${Object.keys(reference.gestures).join(', ')})`);
  return cov;
}

/** Collects raw board samples until there are enough for a sync, then estimates the correction. */
export class SyncCollector {
  readonly #buffer: Float32Array;
  #filled = 0;

  constructor(
    readonly channels: number,
    readonly samplesNeeded: number,
  ) {
    if (!Number.isInteger(samplesNeeded) || samplesNeeded < 2) throw new HeadstartError('BAD_OPTION', `a sync needs at least 2 samples, not ${samplesNeeded}`);
    this.#buffer = new Float32Array(samplesNeeded * channels);
  }

  get done(): boolean {
    return this.#filled >= this.samplesNeeded;
  }

  /** Adds a frame's samples; returns true once there are enough. */
  push(frame: SamplesFrame): boolean {
    if (this.done || frame.channels !== this.channels) return this.done;
    const source: ArrayLike<number> = frame.samples;
    const frames = source.length / this.channels;
    const take = Math.min(frames, this.samplesNeeded - this.#filled);
    for (let i = 0; i < take * this.channels; i++) this.#buffer[this.#filled * this.channels + i] = source[i]!;
    this.#filled += take;
    return this.done;
  }

  estimate(reference: ArrayLike<number>): SyncEstimate {
    if (!this.done) throw new HeadstartError('INTERNAL', `a sync estimate needs ${this.samplesNeeded} samples, has ${this.#filled}`);
    return estimateBandCorrection(reference, channelCovariance(this.#buffer, this.channels), this.channels);
  }
}

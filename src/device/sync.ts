/**
 * Sync on the device: a couple of seconds of the board's samples, compared
 * with the profile's sync reference (core/band_sync.ts), give the band's
 * turn and per-electrode gains since calibration; the live pipeline then
 * undoes them in front of the extractor.
 *
 * - `gesture` sync: the wearer holds the named gesture (the profile's
 *   default: the one that stands out most from rest) for the sync's length.
 * - `auto` sync: no prompt; ordinary use is cut into half-second segments,
 *   and once the active ones add up to the sync's length each is matched
 *   with the calibrated gesture it looks most like, turned.
 */
import { channelCovariance, estimateBandCorrection, SyncFromUse, type SyncEstimate } from '../core/band_sync.ts';
import { HeadstartError } from '../core/errors.ts';
import type { SamplesFrame } from '../core/protocol/frames.ts';
import type { SyncReference } from './profiles/profile.ts';

export type SyncMode = { kind: 'gesture'; gesture: string } | { kind: 'auto' };

/** Seconds a gesture sync reads. */
export const DEFAULT_SYNC_SECONDS = 2;
/** Seconds of activity an automatic sync waits for (rest between them is read and skipped). */
export const DEFAULT_AUTO_SYNC_SECONDS = 3;

/** Collects board samples until there are enough for a sync, then estimates the correction. */
export interface SyncCollector {
  readonly done: boolean;
  /** Board samples (per channel) read so far, skipped rest included. */
  readonly samplesRead: number;
  /** Adds a frame's samples; returns true once there are enough. */
  push(frame: SamplesFrame): boolean;
  estimate(): SyncEstimate;
}

/** The collector for a sync of `mode`, or a clear error when the profile cannot sync that way. */
export function syncCollector(reference: SyncReference | undefined, mode: SyncMode, profileName: string, rate: number, seconds: number): SyncCollector {
  if (!(seconds > 0)) throw new HeadstartError('BAD_OPTION', `a sync needs a positive length, not ${seconds} s`);
  if (mode.kind === 'auto') return new UseCollector(requireReference(reference, profileName), rate, seconds);
  return new HoldCollector(checkSyncGesture(reference, mode.gesture, profileName), requireReference(reference, profileName).channels, Math.max(2, Math.round(seconds * rate)));
}

function requireReference(reference: SyncReference | undefined, profileName: string): SyncReference {
  if (!reference) {
    throw new HeadstartError('BAD_PROFILE', `profile '${profileName}' has no sync reference (it was calibrated before sync existed): calibrate again to sync`);
  }
  return reference;
}

/** The gesture's reference covariance, or a clear error (no reference; a gesture the profile has no recording of). */
export function checkSyncGesture(reference: SyncReference | undefined, gesture: string, profileName: string): number[] {
  const { gestures } = requireReference(reference, profileName);
  const cov = gestures[gesture];
  if (!cov) throw new HeadstartError('UNKNOWN_GESTURE', `the profile has no recording of '${gesture}' to sync with (it has: ${Object.keys(gestures).join(', ')})`);
  return cov;
}

/** Gesture sync: the first `samplesNeeded` samples, held as one gesture. */
class HoldCollector implements SyncCollector {
  readonly #buffer: Float32Array;
  #filled = 0;

  constructor(
    readonly target: number[],
    readonly channels: number,
    readonly samplesNeeded: number,
  ) {
    this.#buffer = new Float32Array(samplesNeeded * channels);
  }

  get done(): boolean {
    return this.#filled >= this.samplesNeeded;
  }

  get samplesRead(): number {
    return this.#filled;
  }

  push(frame: SamplesFrame): boolean {
    if (this.done || frame.channels !== this.channels) return this.done;
    const source: ArrayLike<number> = frame.samples;
    const frames = source.length / this.channels;
    const take = Math.min(frames, this.samplesNeeded - this.#filled);
    for (let i = 0; i < take * this.channels; i++) this.#buffer[this.#filled * this.channels + i] = source[i]!;
    this.#filled += take;
    return this.done;
  }

  estimate(): SyncEstimate {
    if (!this.done) throw new HeadstartError('INTERNAL', `a sync estimate needs ${this.samplesNeeded} samples, has ${this.#filled}`);
    return estimateBandCorrection(this.target, channelCovariance(this.#buffer, this.channels), this.channels);
  }
}

/** Automatic sync: the board's samples to core's SyncFromUse, which keeps the active segments. */
class UseCollector implements SyncCollector {
  readonly #use: SyncFromUse;

  constructor(reference: SyncReference, rate: number, seconds: number) {
    this.#use = new SyncFromUse(reference.gestures, reference.channels, rate, seconds);
  }

  get done(): boolean {
    return this.#use.done;
  }

  get samplesRead(): number {
    return this.#use.samplesRead;
  }

  push(frame: SamplesFrame): boolean {
    if (frame.channels !== this.#use.channels) return this.done;
    return this.#use.push(frame.samples);
  }

  estimate(): SyncEstimate {
    return this.#use.estimate();
  }
}

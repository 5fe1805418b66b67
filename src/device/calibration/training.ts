/**
 * After recording: the accepted holds of the journal(s), trimmed of their
 * transitions, cut into windows, and handed to a head trainer that reports
 * leave-one-repetition-out accuracy. The trainer is a function so the same
 * session works with any model package and runtime (and with a stand-in in
 * tests): `(windows, classes) -> head + cross-validation`.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { HeadData } from '../../core/head/head.ts';
import type { Recording } from '../../core/signal.ts';
import { type WindowSet, windowRecordings } from '../../core/window_set.ts';
import { type ChannelNormalization, windowCount, type WindowSpec } from '../../core/windowing.ts';
import type { ProfileCv } from '../profiles/profile.ts';
import { Resampler } from '../pipeline/resampler.ts';
import type { AcceptedHold } from './journal.ts';
import type { PlanTimings } from './plan.ts';

/** A head and its cross-validation (leave-one-repetition-out; held-out blocks with one repetition). */
export interface TrainedHead {
  head: HeadData;
  cv: ProfileCv;
}

export type HeadTrainer = (set: WindowSet, classes: string[]) => Promise<TrainedHead>;

/** What the calibration needs of a model package. */
export interface CalibrationModel {
  /** Names the package in the profile and messages. */
  name: string;
  /** Where the package was found, when it is a folder (a default for \`headstart run\`). */
  dir?: string;
  /** sha256 of the extractor whose embeddings the head is trained on. */
  extractorSha256: string;
  channels: number;
  rate: number;
  window: WindowSpec;
  /** Applied to raw samples before windows are embedded. */
  normalization?: ChannelNormalization;
  trainHead: HeadTrainer;
}

/** A stretch of journal samples: an accepted hold with its samples. */
export interface HoldSamples extends AcceptedHold {
  /** Interleaved samples of the whole hold (untrimmed). */
  samples: Float32Array;
  /** The journal it came from. */
  source: string;
}

export function holdSamples(journalSamples: Float32Array, channels: number, holds: AcceptedHold[], source: string): HoldSamples[] {
  return holds.map((h) => ({ ...h, samples: journalSamples.slice(h.start * channels, h.end * channels), source }));
}

/** Interleaved samples resampled from one rate to another (a fresh filter: a hold is a signal of its own). */
function resampled(samples: Float32Array, channels: number, from: number, to: number): Float32Array {
  const resampler = new Resampler(channels, from, to);
  const out = new Float32Array(Math.ceil(((samples.length / channels) * resampler.up) / resampler.down + 1) * channels);
  let n = 0;
  for (let i = 0; i < samples.length; i += channels) {
    resampler.pushSample(samples, i, (sample) => {
      out.set(sample, n * channels);
      n++;
    });
  }
  return out.subarray(0, n * channels);
}

/**
 * Refuses, before anything is recorded, a plan whose holds leave less than
 * one window of the model once trimmed (and resampled to the model's rate):
 * such a session could be recorded whole and still train nothing.
 */
export function checkHoldsFitWindow(plan: PlanTimings & { timeScale: number }, rate: number, model: Pick<CalibrationModel, 'name' | 'window' | 'rate'>): void {
  const kept = Math.max(0, plan.hold - plan.trimStart - plan.trimEnd);
  const atModelRate = rate === model.rate ? kept : Math.floor((kept * model.rate) / rate);
  const needed = model.window.length;
  if (atModelRate >= needed) return;
  // Every duration scales with the time scale, so the smallest one that fits is proportional.
  const least = kept > 0 ? `; the smallest time scale that fits is about ${((plan.timeScale * needed) / Math.max(atModelRate, 1e-9)).toPrecision(2)}` : '';
  throw new HeadstartError(
    'HOLDS_TOO_SHORT',
    `each hold lasts ${plan.hold} samples (${(plan.hold / rate).toFixed(3)} s at time scale ${plan.timeScale}), ${kept} once its start and end are trimmed, but one window of the model package '${model.name}' needs ${needed} samples at ${model.rate} Hz (${(needed / model.rate).toFixed(2)} s); lengthen the protocol's holdSeconds or its time scale${least}`,
    { setting: 'timeScale' },
  );
}

/**
 * The holds trimmed of their transitions (in board samples), resampled to
 * the model's rate when the board is faster, and cut into windows labelled
 * by gesture and repetition.
 */
export function holdWindows(holds: HoldSamples[], channels: number, rate: number, timings: Pick<PlanTimings, 'trimStart' | 'trimEnd'>, model: Pick<CalibrationModel, 'window' | 'normalization' | 'rate'>): WindowSet {
  const recordings: Recording[] = [];
  for (const h of holds) {
    const length = h.samples.length / channels;
    const from = Math.min(timings.trimStart, length);
    const to = Math.max(from, length - timings.trimEnd);
    const kept = h.samples.subarray(from * channels, to * channels);
    const samples = rate === model.rate ? kept : resampled(kept, channels, rate, model.rate);
    recordings.push({ source: `${h.source} [${h.start}..${h.end})`, channels, rate: model.rate, samples, label: h.gesture, rep: h.rep });
  }
  const usable = recordings.filter((r) => windowCount(r.samples.length / channels, model.window) > 0);
  if (usable.length === 0) {
    throw new HeadstartError('HOLDS_TOO_SHORT', `no hold is long enough for one ${model.window.length}-sample window after trimming; lengthen the protocol's holdSeconds or its time scale`, { setting: 'timeScale' });
  }
  return windowRecordings(usable, model.window, model.normalization);
}

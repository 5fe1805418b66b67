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
import type { FilterSpec } from '../../core/dsp/filters.ts';
import { type Preprocessing, preprocessedSpan, preprocessSamples, Preprocessor } from '../../core/dsp/preprocess.ts';
import type { RecordingMarker } from '../../core/recording_format.ts';
import type { AcceptedHold } from './journal.ts';
import type { PlanTimings } from './plan.ts';

/** A head and its cross-validation (leave-one-repetition-out; held-out blocks with one repetition). */
export interface TrainedHead {
  head: HeadData;
  cv: ProfileCv;
  /** Heads fitted the same way on the calibration windows turned around the band, for a sync to choose from. */
  syncHeads?: { shift: number; head: HeadData }[];
  /** One head fitted on the calibration as recorded and turned by each of TOLERANT_HEAD_TURNS (core/band_sync.ts). */
  tolerantHead?: HeadData;
  /**
   * The classical baseline fitted on the same windows: LDA on the classical
   * features the wearer's head reads beside the embedding, with their block
   * of the package's prior (the strongest classical column of evaluate). Not
   * saved in the profile: what the demo scores beside the wearer's head.
   */
  baseline?: HeadData;
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
  /** EMG or EEG: an EEG state need not be larger than rest, so that check is left out. Default 'emg'. */
  modality?: 'emg' | 'eeg';
  channels: number;
  rate: number;
  window: WindowSpec;
  /** The package's filters, run at `rate` on the journal before windows are cut (none: as recorded). */
  filters?: FilterSpec[];
  /** Applied to raw samples before windows are embedded. */
  normalization?: ChannelNormalization;
  trainHead: HeadTrainer;
}

/** A stretch of journal samples: an accepted hold with its samples. */
export interface HoldSamples extends AcceptedHold {
  /** Interleaved samples of the whole hold (untrimmed), as the board sent them. */
  samples: Float32Array;
  /**
   * The hold as the model sees it: the journal put through the package's
   * preprocessing from its start (or from the last break in the signal),
   * at the model's rate, untrimmed; one piece per stretch of the hold
   * between breaks (a live run starts afresh after a gap too).
   */
  modelPieces: Float32Array[];
  /** The journal it came from. */
  source: string;
}

/** What the journal's signal went through before windows: the board's rate and the package's chain. */
export interface JournalChain {
  /** The board's rate (the journal's). */
  rate: number;
  preprocessing: Preprocessing;
  /**
   * Samples (journal indices) where the signal starts afresh: after a gap on
   * the link, or where an interrupted session resumed. The chain restarts
   * there, as the live pipeline's does.
   */
  breaks: number[];
}

/** Where the signal of a journal starts afresh, from its markers. */
export function journalBreaks(markers: RecordingMarker[]): number[] {
  return [...new Set(markers.filter((m) => m.kind === 'gap' || m.kind === 'resume').map((m) => m.at))].sort((a, b) => a - b);
}

/**
 * The accepted holds of one journal with their raw samples and their
 * samples through the package's chain, run over each stretch of the
 * journal from its first sample (so a band-pass has settled by the time a
 * hold starts, as it has in a live run).
 */
export function holdSamples(journalSamples: Float32Array, channels: number, holds: AcceptedHold[], source: string, chain: JournalChain): HoldSamples[] {
  const total = journalSamples.length / channels;
  const edges = [0, ...chain.breaks.filter((b) => b > 0 && b < total), total];
  const stretches = edges.slice(0, -1).map((from, i) => ({ from, to: edges[i + 1]! }));
  const processed = new Map<number, Float32Array>();
  const inStretch = (k: number): Float32Array => {
    let out = processed.get(k);
    if (!out) {
      const { from, to } = stretches[k]!;
      out = preprocessSamples(journalSamples.subarray(from * channels, to * channels), channels, chain.rate, chain.preprocessing);
      processed.set(k, out);
    }
    return out;
  };
  const delay = new Preprocessor(channels, chain.rate, chain.preprocessing).delayInputSamples;
  return holds.map((h) => {
    const modelPieces: Float32Array[] = [];
    stretches.forEach((st, k) => {
      const from = Math.max(h.start, st.from);
      const to = Math.min(h.end, st.to);
      if (to <= from) return;
      const out = inStretch(k);
      const span = preprocessedSpan(from - st.from, to - st.from, chain.rate, chain.preprocessing.rate, delay);
      const end = Math.min(span.end, out.length / channels);
      if (end > span.start) modelPieces.push(out.subarray(span.start * channels, end * channels));
    });
    return { ...h, samples: journalSamples.slice(h.start * channels, h.end * channels), modelPieces, source };
  });
}

/**
 * Refuses, before anything is recorded, a plan whose holds leave less than
 * one window of the model once trimmed (and resampled to the model's rate):
 * such a session could be recorded whole and still train nothing.
 */
export function checkHoldsFitWindow(plan: PlanTimings & { timeScale: number }, rate: number, model: Pick<CalibrationModel, 'name' | 'window' | 'rate'>): void {
  const kept = Math.max(0, plan.hold - plan.trimStart - plan.trimEnd);
  // As holdWindows trims: the hold at the model's rate, less the trims scaled to it.
  const toModel = (n: number): number => (n * model.rate) / rate;
  const atModelRate = Math.max(0, Math.floor(toModel(plan.hold)) - Math.ceil(toModel(plan.trimStart)) - Math.ceil(toModel(plan.trimEnd)));
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
 * The holds trimmed of their transitions (trims in board samples, scaled
 * to the model's rate), cut into windows labelled by gesture and
 * repetition. The samples are the preprocessed ones (modelPieces).
 */
export function holdWindows(holds: HoldSamples[], channels: number, rate: number, timings: Pick<PlanTimings, 'trimStart' | 'trimEnd'>, model: Pick<CalibrationModel, 'window' | 'normalization' | 'rate'>): WindowSet {
  const trimStart = Math.ceil((timings.trimStart * model.rate) / rate);
  const trimEnd = Math.ceil((timings.trimEnd * model.rate) / rate);
  const recordings: Recording[] = [];
  for (const h of holds) {
    const total = h.modelPieces.reduce((n, p) => n + p.length / channels, 0);
    // Trim the hold as a whole: the first trimStart and last trimEnd model samples, across pieces.
    let at = 0;
    for (const piece of h.modelPieces) {
      const length = piece.length / channels;
      const from = Math.min(length, Math.max(0, trimStart - at));
      const to = Math.max(from, Math.min(length, total - trimEnd - at));
      at += length;
      if (to > from) recordings.push({ source: `${h.source} [${h.start}..${h.end})`, channels, rate: model.rate, samples: piece.subarray(from * channels, to * channels), label: h.gesture, rep: h.rep });
    }
  }
  const usable = recordings.filter((r) => windowCount(r.samples.length / channels, model.window) > 0);
  if (usable.length === 0) {
    throw new HeadstartError('HOLDS_TOO_SHORT', `no hold is long enough for one ${model.window.length}-sample window after trimming; lengthen the protocol's holdSeconds or its time scale`, { setting: 'timeScale' });
  }
  return windowRecordings(usable, model.window, model.normalization);
}

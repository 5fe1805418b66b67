/**
 * The personalization benchmark (the standard protocol on the Myo data):
 * for each evaluation person and each k, train only the head on the first k
 * cycles of their calibration recording and score every window of their
 * later recordings; k = 0 is the population head with no calibration. Beside
 * it, a model of the same architecture trained from scratch on the same k
 * cycles shows what transfer gains (or loses).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Embeddings } from '../../core/head/embeddings.ts';
import { selectRows } from '../../core/head/embeddings.ts';
import { type HeadData, headInputOf, type HeadMethod, headScores, type LinearHeadData, predictClasses, scoreInputInto } from '../../core/head/head.ts';
import { type AdaptOptions, HeadAdapter } from '../../core/head/adapt.ts';
import { buildHeadInputs, CLASSICAL_INPUT, CLASSICAL_RICH_INPUT } from '../../core/head/head_input.ts';
import { trainPriorLdaHead } from '../../core/head/lda.ts';
import { autoHeadMethods, fitCalibrationHead } from '../../tfjs/select_head.ts';
import type { PackagePriors } from '../../io/model_package.ts';
import type { Preprocessing } from '../../core/dsp/preprocess.ts';
import { concatSamples, type Recording } from '../../core/signal.ts';
import { rotateBand } from '../../core/band_rotation.ts';
import { applyBandCorrection, channelCovariance, correctionPlan, nearestSyncShift, defaultSyncGesture, estimateBandCorrection } from '../../core/band_sync.ts';
import { HeadstartError } from '../../core/errors.ts';
import { type WindowSet, windowRecordings, selectWindows } from '../../core/window_set.ts';
import { type ChannelNormalization, windowCount, type WindowSpec } from '../../core/windowing.ts';
import type { AugmentOptions } from '../extractor/augment.ts';
import { DEFAULT_TRAIN, type ExtractorConfig } from '../extractor/config.ts';
import { classifierAccuracy, trainExtractor } from '../extractor/train.ts';

export interface PersonData {
  name: string;
  calibration: Recording[];
  test: Recording[];
}

export type HeadChoiceMode = 'auto' | HeadMethod;

export interface EvaluationSetup {
  cycles: number[];
  head: HeadChoiceMode;
  classes: number;
  window: WindowSpec;
  normalization: ChannelNormalization;
  /** The package's population head, for k = 0; absent when the data's classes are not the package's. */
  populationHead?: HeadData;
  /** The package's priors: the transfer head's, and the classical baseline's. */
  priors?: PackagePriors;
  /** The package's chain (packagePreprocessing), applied to each recording from its start before windows are cut. */
  preprocessing?: Preprocessing;
  embed: (set: WindowSet) => Promise<Embeddings> | Embeddings;
  /** From-scratch comparison: training steps per (person, k); 0 = skip it. */
  scratchSteps: number;
  extractorConfig: ExtractorConfig;
  seed: number;
  /** Windows left out of training beside a held-out block when k = 1 (calibrate's setting). */
  guard?: number;
  /** Score the calibration recording's later cycles instead of the test recordings. */
  within?: boolean;
  /** Simulated band rotation of the recordings scored / calibrated on, in electrodes (core/band_rotation.ts). */
  shiftTest?: number;
  shiftCalib?: number;
  /**
   * Simulate a sync before scoring (device/sync.ts): `gesture` takes
   * `seconds` of the reference gesture's first test recording (not scored),
   * `auto` the first `seconds` of the test recordings in order (not scored);
   * the estimated turn and gains are undone on every scored recording.
   */
  sync?: { mode: 'gesture' | 'auto'; seconds: number; gesture?: string; classNames: string[]; gains?: boolean };
  /** Also score with unsupervised adaptation (core/head/adapt.ts): the test windows streamed in time order, each scored before it adapts the head. */
  adapt?: AdaptOptions;
  /** Also report accuracy on the windows the head is at least this confident about, and the share rejected. */
  reject?: number;
}

/** Per-window accuracy with the head adapting as it goes (prequential: each window scored before it counts). */
function adaptedAccuracy(head: HeadData, et: Embeddings, test: WindowSet, opts: AdaptOptions): { accuracy: number; updates: number; resets: number } {
  if (head.kind === 'ncm' || !head.classMeans) return { accuracy: accuracy(predictClasses(head, et, test), test.y), updates: 0, resets: 0 };
  const copy: LinearHeadData = { ...head, mean: [...head.mean] };
  const adapter = new HeadAdapter(copy, opts);
  const x = buildHeadInputs(headInputOf(head), et, test);
  const row = new Float32Array(head.dim);
  const out = new Float32Array(head.classes);
  let correct = 0;
  for (let i = 0; i < x.count; i++) {
    const v = x.data.subarray(i * x.dim, (i + 1) * x.dim);
    scoreInputInto(copy, v, row, out);
    let best = 0;
    for (let c = 1; c < head.classes; c++) if (out[c]! > out[best]!) best = c;
    if (best === test.y[i]) correct++;
    adapter.observe(v, best, out[best]!);
  }
  const state = adapter.state();
  return { accuracy: x.count === 0 ? 0 : correct / x.count, updates: state.updates, resets: state.resets };
}

/** Accuracy on the windows whose winning probability reaches `threshold`, and the share of windows below it. */
function rejectionFigures(head: HeadData, et: Embeddings, test: WindowSet, threshold: number): { acceptedAccuracy: number; rejected: number } {
  const scores = headScores(head, et, test);
  let accepted = 0;
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    let best = 0;
    for (let c = 1; c < head.classes; c++) if (scores[i * head.classes + c]! > scores[i * head.classes + best]!) best = c;
    if (scores[i * head.classes + best]! < threshold) continue;
    accepted++;
    if (best === test.y[i]) correct++;
  }
  return { acceptedAccuracy: accepted === 0 ? 0 : correct / accepted, rejected: test.count === 0 ? 0 : 1 - accepted / test.count };
}

/** Samples dropped at each end of a calibration recording for the sync reference, as a protocol's trim does. */
const SYNC_TRIM_SECONDS = 0.5;

export interface SyncOutcome {
  gesture?: string;
  shift: number;
  gains: number[];
  /** The prepared head's turn chosen (core/band_sync.ts SYNC_HEAD_SHIFTS; 0: the calibration's own). */
  headShift: number;
}

/**
 * The sync simulation: the reference from the first k cycles of the
 * calibration, the observation cut out of the test recordings, and the
 * scored test recordings corrected (without the observed stretch).
 */
function simulateSync(calibration: Recording[], test: Recording[], cycles: Set<number>, sync: NonNullable<EvaluationSetup['sync']>, normalization: ChannelNormalization): { recordings: Recording[]; outcome: SyncOutcome } {
  const channels = calibration[0]!.channels;
  const rate = calibration[0]!.rate;
  const trim = Math.round(SYNC_TRIM_SECONDS * rate);
  const byGesture: Record<string, Float32Array[]> = {};
  for (const r of calibration) {
    if (r.label === undefined || !cycles.has(r.rep ?? -1)) continue;
    const n = r.samples.length / channels;
    if (n <= 2 * trim + 2) continue;
    (byGesture[sync.classNames[r.label]!] ??= []).push(r.samples.subarray(trim * channels, (n - trim) * channels));
  }
  const covariances: Record<string, Float64Array> = {};
  for (const [id, parts] of Object.entries(byGesture)) covariances[id] = channelCovariance(concatSamples(parts), channels);
  const need = Math.round(sync.seconds * rate);
  let observed: Float64Array;
  let reference: Float64Array;
  let kept: Recording[];
  let gesture: string | undefined;
  if (sync.mode === 'gesture') {
    gesture = sync.gesture ?? defaultSyncGesture(covariances, channels);
    reference = covariances[gesture] ?? (() => { throw new HeadstartError('UNKNOWN_GESTURE', `no calibration recording of '${gesture}' to sync with`); })();
    const label = sync.classNames.indexOf(gesture);
    const at = test.findIndex((r) => r.label === label && r.samples.length / channels >= trim + need);
    if (at < 0) throw new HeadstartError('NOT_ENOUGH_DATA', `no test recording of '${gesture}' holds ${sync.seconds} s to sync with`);
    const r = test[at]!;
    observed = channelCovariance(r.samples, channels, trim, trim + need);
    // The stretch used for the sync is not scored: the recording is split around it.
    kept = test.flatMap((t, i) =>
      i !== at ? [t] : [{ ...t, samples: t.samples.subarray(0, trim * channels) }, { ...t, samples: t.samples.subarray((trim + need) * channels) }],
    );
  } else {
    const activeIds = Object.keys(covariances).filter((id) => id !== 'rest');
    reference = channelCovariance(concatSamples(activeIds.flatMap((id) => byGesture[id]!)), channels);
    const stream = concatSamples(test.map((t) => t.samples));
    if (stream.length / channels < need) throw new HeadstartError('NOT_ENOUGH_DATA', `the test recordings hold less than ${sync.seconds} s to sync with`);
    observed = channelCovariance(stream, channels, 0, need);
    // The first `need` samples of the stream are not scored.
    let skip = need;
    kept = [];
    for (const t of test) {
      const n = t.samples.length / channels;
      if (skip >= n) {
        skip -= n;
        continue;
      }
      kept.push(skip > 0 ? { ...t, samples: t.samples.subarray(skip * channels) } : t);
      skip = 0;
    }
  }
  const est = estimateBandCorrection(reference, observed, channels);
  // As calibrate prepares heads for turned bands: the nearest prepared turn's head, the rest corrected.
  const { head: headShift, residual } = nearestSyncShift(est.shift);
  const plan = correctionPlan({ shift: residual, gains: sync.gains ? est.gains : est.gains.map(() => 1) }, channels);
  const recordings = kept.map((t) => {
    const samples = Float32Array.from(t.samples);
    applyBandCorrection(samples, plan, normalization.offset);
    return { ...t, samples };
  });
  return { recordings, outcome: { ...(gesture ? { gesture } : {}), shift: est.shift, gains: est.gains, headShift } };
}

export interface PersonResult {
  person: string;
  k: number;
  accuracy: number;
  head: HeadMethod | 'population';
  scratchAccuracy?: number;
  /**
   * The classical per-person baseline on the same windows: shrinkage LDA on
   * log MAV, WL, RMS and variance per channel, alone and with the
   * pretraining people's within-class covariance as prior (when the package
   * has priors); and `classicalRich`, shrinkage LDA on the rich time-domain
   * set the wearer's head also reads (13 features a channel), without the
   * embedding: what the extractor has to add to. Absent at k = 0.
   */
  baselines?: { classical: number; classicalPrior?: number; classicalRich?: number };
  /** The calibration's own held-out estimate (what calibrate would print), when it could hold anything out. */
  estimate?: number;
  /** What a simulated sync estimated. */
  sync?: SyncOutcome;
  /** With adaptation: accuracy of the same head adapting over the test windows in time order. */
  adapted?: { accuracy: number; updates: number; resets: number };
  /** With a rejection threshold: accuracy on the accepted windows and the share rejected. */
  rejection?: { acceptedAccuracy: number; rejected: number };
  calibrationWindows: number;
  testWindows: number;
}

function accuracy(pred: Int32Array, truth: Int32Array): number {
  let c = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) c++;
  return pred.length === 0 ? 0 : c / pred.length;
}

/** The first k distinct repetitions present in the calibration windows. */
function firstCycles(set: WindowSet, k: number): Set<number> {
  return new Set([...new Set(set.rep)].sort((a, b) => a - b).slice(0, k));
}

/** A person's recordings with a simulated rotation of the band (electrodes; 0 = as recorded). */
function rotated(recordings: Recording[], shift: number): Recording[] {
  return shift === 0 ? recordings : recordings.map((r) => ({ ...r, samples: rotateBand(r.samples, r.channels, shift) }));
}

/**
 * The from-scratch comparison: the package's architecture trained only on
 * one person's calibration windows, `scratchSteps` batches of 64 (the
 * population classifier; dispose it after use), augmented as pretraining
 * augments (`augment`: default DEFAULT_TRAIN's).
 */
export async function trainScratch(setup: Pick<EvaluationSetup, 'scratchSteps' | 'extractorConfig' | 'classes' | 'seed'>, own: WindowSet, augment: AugmentOptions | null = DEFAULT_TRAIN.augment): Promise<tf.LayersModel> {
  const batchSize = 64;
  const epochFraction = Math.min(1, (setup.scratchSteps * batchSize) / own.count);
  const epochs = Math.max(1, Math.round((setup.scratchSteps * batchSize) / (own.count * epochFraction)));
  const scratch = await trainExtractor(setup.extractorConfig, setup.classes, own, undefined, {
    ...DEFAULT_TRAIN,
    epochs,
    batchSize,
    epochFraction,
    seed: setup.seed,
    subjectHeads: false,
    augment,
  });
  return scratch.classifier;
}

export async function evaluatePerson(p: PersonData, setup: EvaluationSetup, onStep?: (text: string) => void): Promise<PersonResult[]> {
  const calib = windowRecordings(rotated(p.calibration, setup.shiftCalib ?? 0), setup.window, setup.normalization, setup.preprocessing);
  const ec = await setup.embed(calib);
  // Within: the calibration recording's later cycles are scored, not the test recordings.
  const separate = setup.within ? undefined : windowRecordings(rotated(p.test, setup.shiftTest ?? 0), setup.window, setup.normalization, setup.preprocessing);
  const withinShifted = setup.within && (setup.shiftTest ?? 0) !== 0 ? windowRecordings(rotated(p.calibration, setup.shiftTest ?? 0), setup.window, setup.normalization, setup.preprocessing) : undefined;
  const separateEmbeddings = separate ? await setup.embed(separate) : undefined;
  const withinEmbeddings = withinShifted ? await setup.embed(withinShifted) : ec;
  const results: PersonResult[] = [];
  // The classical baseline reads only the windows (no extractor), with its own prior.
  const classicalCalib = buildHeadInputs(CLASSICAL_INPUT, ec, calib);
  const richCalib = buildHeadInputs(CLASSICAL_RICH_INPUT, ec, calib);
  const allCycles = [...new Set(calib.rep)].length;
  for (const k of setup.cycles) {
    onStep?.(`${p.name} k=${k}`);
    const cycles = firstCycles(calib, k);
    let test: WindowSet;
    let et: Embeddings;
    let syncOutcome: SyncOutcome | undefined;
    if (setup.sync && k > 0) {
      // Within: the later cycles of the calibration recording are the "test recordings" synced on.
      const scoredRecordings = setup.within ? p.calibration.filter((r) => !cycles.has(r.rep ?? -1)) : p.test;
      if (scoredRecordings.length === 0) continue;
      const synced = simulateSync(rotated(p.calibration, setup.shiftCalib ?? 0), rotated(scoredRecordings, setup.shiftTest ?? 0), cycles, setup.sync, setup.normalization);
      syncOutcome = synced.outcome;
      test = windowRecordings(synced.recordings.filter((r) => windowCount(r.samples.length / r.channels, setup.window) > 0), setup.window, setup.normalization, setup.preprocessing);
      et = await setup.embed(test);
    } else if (separate && separateEmbeddings) {
      test = separate;
      et = separateEmbeddings;
    } else {
      if (k >= allCycles) continue;
      const source = withinShifted ?? calib;
      const testIdx: number[] = [];
      for (let i = 0; i < source.count; i++) if (!cycles.has(source.rep[i])) testIdx.push(i);
      test = selectWindows(source, (i) => !cycles.has(source.rep[i]));
      et = selectRows(withinEmbeddings, testIdx);
    }
    if (k === 0) {
      if (!setup.populationHead) continue;
      results.push({ person: p.name, k, accuracy: accuracy(predictClasses(setup.populationHead, et), test.y), head: 'population', calibrationWindows: 0, testWindows: test.count });
      continue;
    }
    // A sync that chose a prepared head for a turned band: that head is fitted on the calibration turned the same way.
    let calibK = calib;
    let ecK = ec;
    if (syncOutcome && syncOutcome.headShift !== 0) {
      calibK = windowRecordings(rotated(p.calibration, (setup.shiftCalib ?? 0) + syncOutcome.headShift), setup.window, setup.normalization, setup.preprocessing);
      ecK = await setup.embed(calibK);
    }
    const idx: number[] = [];
    for (let i = 0; i < calibK.count; i++) if (cycles.has(calibK.rep[i])) idx.push(i);
    const set = { embeddings: selectRows(ecK, idx), windows: selectWindows(calibK, (i) => cycles.has(calibK.rep[i])), labels: Int32Array.from(idx, (i) => calibK.y[i]), classes: setup.classes };
    const reps = Int32Array.from(idx, (i) => calibK.rep[i]);
    const fit = { ...(setup.priors ? { prior: setup.priors.transfer } : {}) };
    // As calibrate fits it, with its held-out estimate of later accuracy.
    const methods = setup.head !== 'auto' ? [setup.head] : autoHeadMethods(k);
    const fitted = fitCalibrationHead(set, reps, { ...fit, methods, guard: setup.guard ?? 0 });
    const method: HeadMethod = fitted.cv.chosen;
    const head: HeadData = fitted.head;
    const estimate = fitted.cv.accuracy[method];
    const xc = selectRows(calibK === calib ? classicalCalib : buildHeadInputs(CLASSICAL_INPUT, ecK, calibK), idx);
    const classical = trainPriorLdaHead(xc, set.labels, setup.classes, CLASSICAL_INPUT, undefined);
    const xr = selectRows(calibK === calib ? richCalib : buildHeadInputs(CLASSICAL_RICH_INPUT, ecK, calibK), idx);
    const rich = trainPriorLdaHead(xr, set.labels, setup.classes, CLASSICAL_RICH_INPUT, undefined);
    const baselines: NonNullable<PersonResult['baselines']> = { classical: accuracy(predictClasses(classical, et, test), test.y), classicalRich: accuracy(predictClasses(rich, et, test), test.y) };
    if (setup.priors) {
      const withPrior = trainPriorLdaHead(xc, set.labels, setup.classes, CLASSICAL_INPUT, setup.priors.classical);
      baselines.classicalPrior = accuracy(predictClasses(withPrior, et, test), test.y);
    }
    const adapted = setup.adapt ? adaptedAccuracy(head, et, test, setup.adapt) : undefined;
    const rejection = setup.reject !== undefined && head.kind !== 'ncm' ? rejectionFigures(head, et, test, setup.reject) : undefined;
    const r: PersonResult = {
      person: p.name,
      k,
      ...(adapted ? { adapted } : {}),
      ...(rejection ? { rejection } : {}),
      accuracy: accuracy(predictClasses(head, et, test), test.y),
      head: method,
      ...(estimate === undefined ? {} : { estimate }),
      ...(syncOutcome ? { sync: syncOutcome } : {}),
      baselines,
      calibrationWindows: idx.length,
      testWindows: test.count,
    };
    if (setup.scratchSteps > 0) {
      const scratch = await trainScratch(setup, set.windows);
      r.scratchAccuracy = classifierAccuracy(scratch, test);
      scratch.dispose();
    }
    results.push(r);
  }
  return results;
}

export interface BaselineSummary {
  mean: number;
  sd: number;
  min: number;
}

export interface Summary {
  k: number;
  people: number;
  mean: number;
  sd: number;
  min: number;
  /** The classical baselines on the same windows (k >= 1). */
  baselines?: { classical: BaselineSummary; classicalPrior?: BaselineSummary; classicalRich?: BaselineSummary };
  /** Transfer mean minus the best baseline mean, in accuracy (the headline). */
  overBestBaseline?: number;
  /** Which baseline column had the best mean. */
  bestBaseline?: 'classical' | 'classicalPrior' | 'classicalRich';
  /** People for whom transfer scored below the best baseline. */
  belowBestBaseline?: string[];
  /** Mean accuracy with unsupervised adaptation, and of rejection (accepted accuracy, share rejected). */
  adaptedMean?: number;
  rejection?: { acceptedAccuracy: number; rejected: number };
  /** Mean absolute difference between the calibration's estimate and the later accuracy, over the people with an estimate. */
  estimateError?: { meanAbs: number; meanSigned: number; people: number };
  scratchMean?: number;
  scratchSd?: number;
  scratchMin?: number;
}

function stats(values: number[]): { mean: number; sd: number; min: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd, min: Math.min(...values) };
}

export function summarize(results: PersonResult[]): Summary[] {
  const ks = [...new Set(results.map((r) => r.k))].sort((a, b) => a - b);
  return ks.map((k) => {
    const rows = results.filter((r) => r.k === k);
    const s = stats(rows.map((r) => r.accuracy));
    const out: Summary = { k, people: rows.length, ...s };
    if (rows.every((r) => r.adapted)) out.adaptedMean = rows.reduce((a, r) => a + r.adapted!.accuracy, 0) / rows.length;
    if (rows.every((r) => r.rejection)) {
      out.rejection = {
        acceptedAccuracy: rows.reduce((a, r) => a + r.rejection!.acceptedAccuracy, 0) / rows.length,
        rejected: rows.reduce((a, r) => a + r.rejection!.rejected, 0) / rows.length,
      };
    }
    const estimated = rows.filter((r) => r.estimate !== undefined);
    if (estimated.length > 0) {
      const d = estimated.map((r) => r.estimate! - r.accuracy);
      out.estimateError = { meanAbs: d.reduce((a, b) => a + Math.abs(b), 0) / d.length, meanSigned: d.reduce((a, b) => a + b, 0) / d.length, people: d.length };
    }
    if (rows.every((r) => r.baselines)) {
      const classical = stats(rows.map((r) => r.baselines!.classical));
      const priorRows = rows.map((r) => r.baselines!.classicalPrior).filter((v): v is number => v !== undefined);
      const richRows = rows.map((r) => r.baselines!.classicalRich).filter((v): v is number => v !== undefined);
      out.baselines = { classical, ...(priorRows.length === rows.length ? { classicalPrior: stats(priorRows) } : {}), ...(richRows.length === rows.length ? { classicalRich: stats(richRows) } : {}) };
      const columns = (['classical', 'classicalPrior', 'classicalRich'] as const).filter((c) => out.baselines![c] !== undefined);
      const best = columns.reduce((a, c) => (out.baselines![c]!.mean > out.baselines![a]!.mean ? c : a));
      out.overBestBaseline = s.mean - out.baselines[best]!.mean;
      out.bestBaseline = best;
      out.belowBestBaseline = rows.filter((r) => r.accuracy < r.baselines![best]!).map((r) => r.person);
    }
    const scratch = rows.map((r) => r.scratchAccuracy).filter((v): v is number => v !== undefined);
    if (scratch.length === rows.length && scratch.length > 0) {
      const t = stats(scratch);
      out.scratchMean = t.mean;
      out.scratchSd = t.sd;
      out.scratchMin = t.min;
    }
    return out;
  });
}

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
import { concatRows, selectRows } from '../../core/head/embeddings.ts';
import { type HeadData, headInputOf, type HeadMethod, headScores, type LinearHeadData, predictClasses, scoreInputInto } from '../../core/head/head.ts';
import { type AdaptOptions, HeadAdapter } from '../../core/head/adapt.ts';
import { buildHeadInputs, CLASSICAL_INPUT, CLASSICAL_RICH_INPUT, joinsEmbeddingAndRich } from '../../core/head/head_input.ts';
import { trainPriorLdaHead } from '../../core/head/lda.ts';
import { type PopulationPrior, classicalPartPrior } from '../../core/head/prior.ts';
import { AUTO_HEAD_METHODS, fitCalibrationHead, fitHead } from '../../tfjs/select_head.ts';
import type { PackagePriors } from '../../io/model_package.ts';
import type { Preprocessing } from '../../core/dsp/preprocess.ts';
import { concatSamples, type Recording } from '../../core/signal.ts';
import { rotateBand } from '../../core/band_rotation.ts';
import { applyBandCorrection, type AutoSyncCheck, channelCovariance, checkSyncFromUse, correctionPlan, defaultSyncGesture, estimateBandCorrection, nearestSyncShift, SyncFromUse, type SyncEstimate } from '../../core/band_sync.ts';
import { HeadstartError } from '../../core/errors.ts';
import { concatWindowSets, type WindowSet, windowRecordings, selectWindows } from '../../core/window_set.ts';
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
   * `auto` reads the test recordings in order until they have given `seconds`
   * of activity (core/band_sync.ts SyncFromUse; what it read is scored as run
   * scores it, uncorrected with the calibration's own heads);
   * the estimated turn and gains are undone on every scored recording.
   */
  sync?: { mode: 'gesture' | 'auto'; seconds: number; gesture?: string; classNames: string[]; gains?: boolean };
  /** Also score with unsupervised adaptation (core/head/adapt.ts): the test windows streamed in time order, each scored before it adapts the head. */
  adapt?: AdaptOptions;
  /** Also report accuracy on the windows the head is at least this confident about, and the share rejected. */
  reject?: number;
  /**
   * The turns a turn-tolerant head is also fitted on (core/band_sync.ts
   * TOLERANT_HEAD_TURNS, for a package worn as a band; absent: no such
   * head): scored with `tolerateTurn`, and by an automatic sync before it
   * has estimated, as run uses it. The classical columns get the same
   * turned copies.
   */
  tolerantTurns?: readonly number[];
  /** Score the turn-tolerant head, as run --tolerate-turn recognizes (with a sync: until it estimates). */
  tolerateTurn?: boolean;
}

/**
 * Each window's class with the head adapting as it goes (prequential: each
 * window is predicted before it counts), the windows taken in their order.
 * A head that cannot adapt (no class means) predicts as it is.
 */
export function adaptedPredictions(head: HeadData, et: Embeddings, test: WindowSet, opts: AdaptOptions, inputs?: Embeddings): { pred: Int32Array; updates: number; resets: number } {
  if (head.kind === 'ncm' || !head.classMeans) return { pred: predictClasses(head, et, test), updates: 0, resets: 0 };
  const copy: LinearHeadData = { ...head, mean: [...head.mean] };
  const adapter = new HeadAdapter(copy, opts);
  // `inputs`: the head's input vectors of these windows, when the caller has them built already.
  const x = inputs ?? buildHeadInputs(headInputOf(head), et, test);
  const row = new Float32Array(head.dim);
  const out = new Float32Array(head.classes);
  const pred = new Int32Array(x.count);
  for (let i = 0; i < x.count; i++) {
    const v = x.data.subarray(i * x.dim, (i + 1) * x.dim);
    scoreInputInto(copy, v, row, out);
    let best = 0;
    for (let c = 1; c < head.classes; c++) if (out[c]! > out[best]!) best = c;
    pred[i] = best;
    adapter.observe(v, best, out[best]!);
  }
  const state = adapter.state();
  return { pred, updates: state.updates, resets: state.resets };
}

/** Per-window accuracy with the head adapting as it goes. */
function adaptedAccuracy(head: HeadData, et: Embeddings, test: WindowSet, opts: AdaptOptions): { accuracy: number; updates: number; resets: number } {
  const { pred, updates, resets } = adaptedPredictions(head, et, test, opts);
  return { accuracy: accuracy(pred, test.y), updates, resets };
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
  /** An automatic sync that gave up: nothing corrected. */
  undetermined?: boolean;
  /** The automatic sync's self-check on the calibration (core/band_sync.ts checkSyncFromUse), as calibrate records it. */
  autoCheck?: AutoSyncCheck;
  /** The self-check failed: as run does, the estimate is not applied (nothing corrected, the unsynced head goes on). */
  untrusted?: boolean;
}

/**
 * The sync simulation: the reference from the first k cycles of the
 * calibration, the observation cut out of the test recordings, and the
 * scored test recordings corrected (without the observed stretch).
 */
function simulateSync(calibration: Recording[], test: Recording[], cycles: Set<number>, sync: NonNullable<EvaluationSetup['sync']>, normalization: ChannelNormalization): { recordings: Recording[]; before: Recording[]; outcome: SyncOutcome } {
  const channels = calibration[0]!.channels;
  const rate = calibration[0]!.rate;
  const trim = Math.round(SYNC_TRIM_SECONDS * rate);
  const byGesture: Record<string, Float32Array[]> = {};
  const holds: { gesture: string; rep: number; samples: Float32Array }[] = [];
  for (const r of calibration) {
    if (r.label === undefined || !cycles.has(r.rep ?? -1)) continue;
    const n = r.samples.length / channels;
    if (n <= 2 * trim + 2) continue;
    const samples = r.samples.subarray(trim * channels, (n - trim) * channels);
    (byGesture[sync.classNames[r.label]!] ??= []).push(samples);
    holds.push({ gesture: sync.classNames[r.label]!, rep: r.rep ?? 0, samples });
  }
  const covariances: Record<string, Float64Array> = {};
  for (const [id, parts] of Object.entries(byGesture)) covariances[id] = channelCovariance(concatSamples(parts), channels);
  const need = Math.round(sync.seconds * rate);
  let estimate: SyncEstimate;
  let kept: Recording[];
  // Automatic sync only: what it read before estimating, scored uncorrected.
  const before: Recording[] = [];
  let gesture: string | undefined;
  let autoCheck: AutoSyncCheck | undefined;
  if (sync.mode === 'gesture') {
    gesture = sync.gesture ?? defaultSyncGesture(covariances, channels);
    const reference = covariances[gesture] ?? (() => { throw new HeadstartError('UNKNOWN_GESTURE', `no calibration recording of '${gesture}' to sync with`); })();
    const label = sync.classNames.indexOf(gesture);
    const at = test.findIndex((r) => r.label === label && r.samples.length / channels >= trim + need);
    if (at < 0) throw new HeadstartError('NOT_ENOUGH_DATA', `no test recording of '${gesture}' holds ${sync.seconds} s to sync with`);
    const r = test[at]!;
    estimate = estimateBandCorrection(reference, channelCovariance(r.samples, channels, trim, trim + need), channels);
    // The stretch used for the sync is not scored: the recording is split around it.
    kept = test.flatMap((t, i) =>
      i !== at ? [t] : [{ ...t, samples: t.samples.subarray(0, trim * channels) }, { ...t, samples: t.samples.subarray((trim + need) * channels) }],
    );
  } else {
    // The test recordings in order, as ordinary use, until the sync has its activity; what it read is not scored.
    autoCheck = checkSyncFromUse(holds, channels, rate, sync.seconds);
    const use = new SyncFromUse(covariances, channels, rate, sync.seconds);
    for (const t of test) if (use.push(t.samples)) break;
    if (!use.done) throw new HeadstartError('NOT_ENOUGH_DATA', `the test recordings hold less than ${sync.seconds} s of activity to sync with`);
    estimate = use.estimate();
    let skip = use.samplesRead;
    kept = [];
    for (const t of test) {
      const n = t.samples.length / channels;
      if (skip >= n) {
        before.push(t);
        skip -= n;
        continue;
      }
      if (skip > 0) before.push({ ...t, samples: t.samples.subarray(0, skip * channels) });
      kept.push(skip > 0 ? { ...t, samples: t.samples.subarray(skip * channels) } : t);
      skip = 0;
    }
  }
  // As run does (device/live_session.ts): an automatic sync that failed its self-check is not applied.
  if (autoCheck && autoCheck.misses > 0) {
    return { recordings: kept, before, outcome: { shift: estimate.shift, gains: estimate.gains, headShift: 0, autoCheck, untrusted: true, ...(estimate.undetermined ? { undetermined: true } : {}) } };
  }
  // As calibrate prepares heads for turned bands: the nearest prepared turn's head, the rest corrected.
  const { head: headShift, residual } = nearestSyncShift(estimate.shift);
  const gains = sync.gains ? estimate.gains : estimate.gains.map(() => 1);
  // Nothing to undo: the recordings stay exactly as they are, as the live session leaves its windows.
  const outcome: SyncOutcome = { ...(gesture ? { gesture } : {}), shift: estimate.shift, gains: estimate.gains, headShift, ...(estimate.undetermined ? { undetermined: true } : {}), ...(autoCheck ? { autoCheck } : {}) };
  if (residual === 0 && gains.every((g) => g === 1)) return { recordings: kept, before, outcome };
  const plan = correctionPlan({ shift: residual, gains }, channels);
  const recordings = kept.map((t) => {
    const samples = Float32Array.from(t.samples);
    applyBandCorrection(samples, plan, normalization.offset);
    return { ...t, samples };
  });
  return { recordings, before, outcome };
}

/** Accuracy of each classical per-person column (see PersonResult.baselines). */
export interface Baselines {
  classical: number;
  classicalPrior?: number;
  classicalRich?: number;
  classicalRichPrior?: number;
}

export type BaselineColumn = keyof Baselines;
export const BASELINE_COLUMNS: readonly BaselineColumn[] = ['classical', 'classicalPrior', 'classicalRich', 'classicalRichPrior'];

/** Each classical column a protocol fitted, scored by `score`: the same columns for the plain and the adapted figures. */
export function scoreColumns<T>(heads: { classical: T } & Partial<Record<BaselineColumn, T>>, score: (head: T) => number): Baselines {
  const out: Baselines = { classical: score(heads.classical) };
  for (const c of BASELINE_COLUMNS.slice(1)) {
    const head = heads[c];
    if (head !== undefined) out[c] = score(head);
  }
  return out;
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
   * embedding: what the extractor has to add to; `classicalRichPrior`, the
   * same with the pretraining people's covariance of those features as prior
   * (the transfer prior's time-domain block). Absent at k = 0.
   */
  baselines?: Baselines;
  /** The calibration's own held-out estimate (what calibrate would print), when it could hold anything out. */
  estimate?: number;
  /** What a simulated sync estimated. */
  sync?: SyncOutcome;
  /**
   * With adaptation: accuracy of the same head adapting over the test
   * windows in time order; `baselines`, each classical column's LDA adapted
   * by the same code on the same windows (what transfer must beat there too).
   */
  adapted?: { accuracy: number; updates: number; resets: number; baselines?: Baselines };
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

/** A person's heads for one k, as calibrate fits them, and the classical baselines on the same calibration windows. */
interface FittedHeads {
  head: HeadData;
  method: HeadMethod;
  /** The calibration's own held-out estimate of later accuracy. */
  estimate?: number;
  classical: HeadData;
  rich: HeadData;
  withPrior?: HeadData;
  richWithPrior?: HeadData;
  /** The calibration windows of the first k cycles (what scratch trains on). */
  windows: WindowSet;
  calibrationWindows: number;
}

const richPriors = new WeakMap<PopulationPrior, PopulationPrior | null>();

/**
 * The rich set's prior: the transfer prior's time-domain block, where the
 * transfer head reads exactly that set (none otherwise). Taken once per
 * package prior, not once per person and k.
 */
function richPriorOf(transfer: PopulationPrior, embeddingSize: number): PopulationPrior | undefined {
  let block = richPriors.get(transfer);
  if (block === undefined) {
    block = joinsEmbeddingAndRich(transfer.input) ? classicalPartPrior(transfer, embeddingSize) : null;
    richPriors.set(transfer, block);
  }
  return block ?? undefined;
}

function fitForEvaluation(
  calibration: WindowSet,
  embeddings: Embeddings,
  cycles: Set<number>,
  k: number,
  setup: EvaluationSetup,
  inputs?: { classical: Embeddings; rich: Embeddings },
  /** Fit this method, with no cross-validation (a head beside the calibration's own, as calibrate fits its sync heads). */
  method?: HeadMethod,
): FittedHeads {
  const idx: number[] = [];
  for (let i = 0; i < calibration.count; i++) if (cycles.has(calibration.rep[i])) idx.push(i);
  const set = { embeddings: selectRows(embeddings, idx), windows: selectWindows(calibration, (i) => cycles.has(calibration.rep[i])), labels: Int32Array.from(idx, (i) => calibration.y[i]), classes: setup.classes };
  const reps = Int32Array.from(idx, (i) => calibration.rep[i]);
  const fit = { ...(setup.priors ? { prior: setup.priors.transfer } : {}) };
  const methods = setup.head !== 'auto' ? [setup.head] : AUTO_HEAD_METHODS;
  const calibrated = method === undefined ? fitCalibrationHead(set, reps, { ...fit, methods, guard: setup.guard ?? 0 }) : undefined;
  const chosen: HeadMethod = calibrated?.cv.chosen ?? method!;
  const xc = selectRows(inputs?.classical ?? buildHeadInputs(CLASSICAL_INPUT, embeddings, calibration), idx);
  const xr = selectRows(inputs?.rich ?? buildHeadInputs(CLASSICAL_RICH_INPUT, embeddings, calibration), idx);
  const estimate = calibrated?.cv.accuracy[chosen];
  const richPrior = setup.priors ? richPriorOf(setup.priors.transfer, embeddings.dim) : undefined;
  return {
    head: calibrated?.head ?? fitHead(chosen, set, fit),
    method: chosen,
    ...(estimate === undefined ? {} : { estimate }),
    classical: trainPriorLdaHead(xc, set.labels, setup.classes, CLASSICAL_INPUT, undefined),
    rich: trainPriorLdaHead(xr, set.labels, setup.classes, CLASSICAL_RICH_INPUT, undefined),
    ...(setup.priors ? { withPrior: trainPriorLdaHead(xc, set.labels, setup.classes, CLASSICAL_INPUT, setup.priors.classical) } : {}),
    ...(richPrior ? { richWithPrior: trainPriorLdaHead(xr, set.labels, setup.classes, CLASSICAL_RICH_INPUT, richPrior) } : {}),
    windows: set.windows,
    calibrationWindows: idx.length,
  };
}

/** Test windows scored with one set of heads: all of them, or one side of a sync. */
interface ScoredPart {
  fitted: FittedHeads;
  test: WindowSet;
  et: Embeddings;
}

/** Per-window accuracy over parts, from each part's accuracy and window count (`correct`: the part's accuracy). */
function pooledAccuracy(parts: { correct: number; windows: number }[]): number {
  const n = parts.reduce((a, q) => a + q.windows, 0);
  return n === 0 ? 0 : parts.reduce((a, q) => a + q.correct * q.windows, 0) / n;
}

function pooledAdapted(parts: { accuracy: number; updates: number; resets: number; windows: number }[]): { accuracy: number; updates: number; resets: number } {
  return {
    accuracy: pooledAccuracy(parts.map((q) => ({ correct: q.accuracy, windows: q.windows }))),
    updates: parts.reduce((a, q) => a + q.updates, 0),
    resets: parts.reduce((a, q) => a + q.resets, 0),
  };
}

function pooledRejection(parts: { acceptedAccuracy: number; rejected: number; windows: number }[]): { acceptedAccuracy: number; rejected: number } {
  const n = parts.reduce((a, q) => a + q.windows, 0);
  const accepted = parts.reduce((a, q) => a + (1 - q.rejected) * q.windows, 0);
  const correct = parts.reduce((a, q) => a + q.acceptedAccuracy * (1 - q.rejected) * q.windows, 0);
  return { acceptedAccuracy: accepted === 0 ? 0 : correct / accepted, rejected: n === 0 ? 0 : 1 - accepted / n };
}

export async function evaluatePerson(p: PersonData, setup: EvaluationSetup, onStep?: (text: string) => void): Promise<PersonResult[]> {
  // The calibration turned around the band by `turn` more than it is, windowed and embedded once per turn:
  // the turn-tolerant head and the sync's prepared heads read the same turns.
  const turnedCalibration = new Map<number, { windows: WindowSet; embeddings: Embeddings }>();
  const calibrationTurned = async (turn: number) => {
    let turned = turnedCalibration.get(turn);
    if (!turned) {
      const windows = windowRecordings(rotated(p.calibration, (setup.shiftCalib ?? 0) + turn), setup.window, setup.normalization, setup.preprocessing);
      turned = { windows, embeddings: await setup.embed(windows) };
      turnedCalibration.set(turn, turned);
    }
    return turned;
  };
  const { windows: calib, embeddings: ec } = await calibrationTurned(0);
  // The calibration as recorded and turned by each tolerated turn, pooled: what the turn-tolerant head is fitted on.
  let tolerantCalib: { windows: WindowSet; embeddings: Embeddings } | undefined;
  if (setup.tolerantTurns && (setup.tolerateTurn || setup.sync?.mode === 'auto')) {
    const parts = [await calibrationTurned(0)];
    for (const turn of setup.tolerantTurns) parts.push(await calibrationTurned(turn));
    tolerantCalib = { windows: concatWindowSets(parts.map((q) => q.windows)), embeddings: concatRows(parts.map((q) => q.embeddings)) };
  }
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
    let before: { test: WindowSet; et: Embeddings } | undefined;
    if (setup.sync && k > 0) {
      // Within: the later cycles of the calibration recording are the "test recordings" synced on.
      const scoredRecordings = setup.within ? p.calibration.filter((r) => !cycles.has(r.rep ?? -1)) : p.test;
      if (scoredRecordings.length === 0) continue;
      const synced = simulateSync(rotated(p.calibration, setup.shiftCalib ?? 0), rotated(scoredRecordings, setup.shiftTest ?? 0), cycles, setup.sync, setup.normalization);
      syncOutcome = synced.outcome;
      const windowed = (recordings: Recording[]) => windowRecordings(recordings.filter((r) => windowCount(r.samples.length / r.channels, setup.window) > 0), setup.window, setup.normalization, setup.preprocessing);
      test = windowed(synced.recordings);
      et = await setup.embed(test);
      const read = synced.before.length > 0 ? windowed(synced.before) : undefined;
      if (read && read.count > 0) before = { test: read, et: await setup.embed(read) };
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
    const own = fitForEvaluation(calib, ec, cycles, k, setup, { classical: classicalCalib, rich: richCalib });
    // As calibrate fits it: the method chosen on the calibration as recorded, no estimate of its own.
    const tolerant = tolerantCalib ? fitForEvaluation(tolerantCalib.windows, tolerantCalib.embeddings, cycles, k, setup, undefined, own.method) : undefined;
    // What recognizes before a sync has estimated (and after one that gave up or is not trusted), as run chooses it.
    const unsynced = tolerant ?? own;
    // A sync that chose a prepared head for a turned band: that head is fitted on the calibration turned the same way.
    let synced = syncOutcome ? (syncOutcome.undetermined || syncOutcome.untrusted ? unsynced : own) : unsynced;
    if (syncOutcome && syncOutcome.headShift !== 0) {
      const turned = await calibrationTurned(syncOutcome.headShift);
      synced = fitForEvaluation(turned.windows, turned.embeddings, cycles, k, setup);
    }
    // What an automatic sync read before it estimated is scored as run scores it: uncorrected, with the calibration's own heads.
    const parts: ScoredPart[] = [{ fitted: synced, test, et }];
    if (before) parts.unshift({ fitted: unsynced, ...before });
    const scored = (headOf: (f: FittedHeads) => HeadData) => pooledAccuracy(parts.map((q) => ({ correct: accuracy(predictClasses(headOf(q.fitted), q.et, q.test), q.test.y), windows: q.test.count })));
    type HeadOf = (f: FittedHeads) => HeadData;
    const columns: { classical: HeadOf } & Partial<Record<BaselineColumn, HeadOf>> = {
      classical: (f) => f.classical,
      classicalRich: (f) => f.rich,
      ...(own.withPrior ? { classicalPrior: (f: FittedHeads) => f.withPrior! } : {}),
      ...(own.richWithPrior ? { classicalRichPrior: (f: FittedHeads) => f.richWithPrior! } : {}),
    };
    const baselines = scoreColumns(columns, scored);
    let adapted: PersonResult['adapted'];
    if (setup.adapt) {
      const adaptedOf = (headOf: HeadOf) => pooledAdapted(parts.map((q) => ({ ...adaptedAccuracy(headOf(q.fitted), q.et, q.test, setup.adapt!), windows: q.test.count })));
      adapted = { ...adaptedOf((f) => f.head), baselines: scoreColumns(columns, (headOf) => adaptedOf(headOf).accuracy) };
    }
    const rejection = setup.reject !== undefined && own.head.kind !== 'ncm' ? pooledRejection(parts.map((q) => ({ ...rejectionFigures(q.fitted.head, q.et, q.test, setup.reject!), windows: q.test.count }))) : undefined;
    const testWindows = parts.reduce((n, q) => n + q.test.count, 0);
    const r: PersonResult = {
      person: p.name,
      k,
      ...(adapted ? { adapted } : {}),
      ...(rejection ? { rejection } : {}),
      accuracy: scored((f) => f.head),
      head: synced.method,
      ...(own.estimate === undefined ? {} : { estimate: own.estimate }),
      ...(syncOutcome ? { sync: syncOutcome } : {}),
      baselines,
      calibrationWindows: own.calibrationWindows,
      testWindows,
    };
    if (setup.scratchSteps > 0) {
      const figures: { correct: number; windows: number }[] = [];
      for (const q of parts) {
        const scratch = await trainScratch(setup, q.fitted.windows);
        figures.push({ correct: classifierAccuracy(scratch, q.test), windows: q.test.count });
        scratch.dispose();
      }
      r.scratchAccuracy = pooledAccuracy(figures);
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
  baselines?: { classical: BaselineSummary; classicalPrior?: BaselineSummary; classicalRich?: BaselineSummary; classicalRichPrior?: BaselineSummary };
  /** Transfer mean minus the best baseline mean, in accuracy (the headline). */
  overBestBaseline?: number;
  /** Which baseline column had the best mean. */
  bestBaseline?: BaselineColumn;
  /** People for whom transfer scored below the best baseline. */
  belowBestBaseline?: string[];
  /** Mean accuracy with unsupervised adaptation, and of rejection (accepted accuracy, share rejected). */
  adaptedMean?: number;
  /** With adaptation: each classical column's mean adapted the same way, and adapted transfer minus the best of them. */
  adaptedBaselines?: Partial<Record<BaselineColumn, number>>;
  adaptedOverBestBaseline?: number;
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
    if (rows.every((r) => r.adapted)) {
      out.adaptedMean = rows.reduce((a, r) => a + r.adapted!.accuracy, 0) / rows.length;
      const means: Partial<Record<BaselineColumn, number>> = {};
      for (const c of BASELINE_COLUMNS) {
        const values = rows.map((r) => r.adapted!.baselines?.[c]).filter((v): v is number => v !== undefined);
        if (values.length === rows.length) means[c] = values.reduce((a, b) => a + b, 0) / values.length;
      }
      const present = Object.values(means);
      if (present.length > 0) {
        out.adaptedBaselines = means;
        out.adaptedOverBestBaseline = out.adaptedMean - Math.max(...present);
      }
    }
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
      out.baselines = { classical };
      for (const c of BASELINE_COLUMNS.slice(1)) {
        const values = rows.map((r) => r.baselines![c]).filter((v): v is number => v !== undefined);
        if (values.length === rows.length) out.baselines[c] = stats(values);
      }
      const columns = BASELINE_COLUMNS.filter((c) => out.baselines![c] !== undefined);
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

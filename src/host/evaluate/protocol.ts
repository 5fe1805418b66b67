/**
 * The personalization benchmark (the standard protocol on the Myo data):
 * for each evaluation person and each k, train only the head on the first k
 * cycles of their calibration recording and score every window of their
 * later recordings; k = 0 is the population head with no calibration. Beside
 * it, a model of the same architecture trained from scratch on the same k
 * cycles shows what transfer gains (or loses).
 */
import type { Embeddings } from '../../core/head/embeddings.ts';
import { selectRows } from '../../core/head/embeddings.ts';
import { type HeadData, type HeadMethod, predictClasses } from '../../core/head/head.ts';
import { buildHeadInputs, CLASSICAL_INPUT } from '../../core/head/head_input.ts';
import { trainPriorLdaHead } from '../../core/head/lda.ts';
import { fitCalibrationHead } from '../../tfjs/select_head.ts';
import type { PackagePriors } from '../../io/model_package.ts';
import type { Recording } from '../../core/signal.ts';
import { rotateBand } from '../../core/band_rotation.ts';
import { type WindowSet, windowRecordings, selectWindows } from '../../core/window_set.ts';
import type { ChannelNormalization, WindowSpec } from '../../core/windowing.ts';
import { DEFAULT_TRAIN, type ExtractorConfig } from '../extractor/config.ts';
import { classifierAccuracy, trainExtractor } from '../extractor/train.ts';

export interface PersonData {
  name: string;
  calibration: Recording[];
  test: Recording[];
}

export type HeadChoiceMode = 'auto' | HeadMethod;

/** What `auto` tries where held-out repetitions can tell (k >= 2); at k = 1 it takes the transfer head (bench/RESULTS.md: chosen on calibration recordings only). */
export const AUTO_METHODS: readonly HeadMethod[] = ['transfer', 'lda'];

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
   * has priors). Absent at k = 0.
   */
  baselines?: { classical: number; classicalPrior?: number };
  /** The calibration's own held-out estimate (what calibrate would print), when it could hold anything out. */
  estimate?: number;
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

export async function evaluatePerson(p: PersonData, setup: EvaluationSetup, onStep?: (text: string) => void): Promise<PersonResult[]> {
  const calib = windowRecordings(rotated(p.calibration, setup.shiftCalib ?? 0), setup.window, setup.normalization);
  const ec = await setup.embed(calib);
  // Within: the calibration recording's later cycles are scored, not the test recordings.
  const separate = setup.within ? undefined : windowRecordings(rotated(p.test, setup.shiftTest ?? 0), setup.window, setup.normalization);
  const withinShifted = setup.within && (setup.shiftTest ?? 0) !== 0 ? windowRecordings(rotated(p.calibration, setup.shiftTest ?? 0), setup.window, setup.normalization) : undefined;
  const separateEmbeddings = separate ? await setup.embed(separate) : undefined;
  const withinEmbeddings = withinShifted ? await setup.embed(withinShifted) : ec;
  const results: PersonResult[] = [];
  // The classical baseline reads only the windows (no extractor), with its own prior.
  const classicalCalib = buildHeadInputs(CLASSICAL_INPUT, ec, calib);
  const allCycles = [...new Set(calib.rep)].length;
  for (const k of setup.cycles) {
    onStep?.(`${p.name} k=${k}`);
    const cycles = firstCycles(calib, k);
    let test: WindowSet;
    let et: Embeddings;
    if (separate && separateEmbeddings) {
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
    const idx: number[] = [];
    for (let i = 0; i < calib.count; i++) if (cycles.has(calib.rep[i])) idx.push(i);
    const set = { embeddings: selectRows(ec, idx), windows: selectWindows(calib, (i) => cycles.has(calib.rep[i])), labels: Int32Array.from(idx, (i) => calib.y[i]), classes: setup.classes };
    const reps = Int32Array.from(idx, (i) => calib.rep[i]);
    const fit = { ...(setup.priors ? { prior: setup.priors.transfer } : {}) };
    // As calibrate fits it, with its held-out estimate of later accuracy.
    const methods = setup.head !== 'auto' ? [setup.head] : k === 1 ? ['transfer' as const] : AUTO_METHODS;
    const fitted = fitCalibrationHead(set, reps, { ...fit, methods, guard: setup.guard ?? 0 });
    const method: HeadMethod = fitted.cv.chosen;
    const head: HeadData = fitted.head;
    const estimate = fitted.cv.accuracy[method];
    const xc = selectRows(classicalCalib, idx);
    const classical = trainPriorLdaHead(xc, set.labels, setup.classes, CLASSICAL_INPUT, undefined);
    const baselines: NonNullable<PersonResult['baselines']> = { classical: accuracy(predictClasses(classical, et, test), test.y) };
    if (setup.priors) {
      const withPrior = trainPriorLdaHead(xc, set.labels, setup.classes, CLASSICAL_INPUT, setup.priors.classical);
      baselines.classicalPrior = accuracy(predictClasses(withPrior, et, test), test.y);
    }
    const r: PersonResult = {
      person: p.name,
      k,
      accuracy: accuracy(predictClasses(head, et, test), test.y),
      head: method,
      ...(estimate === undefined ? {} : { estimate }),
      baselines,
      calibrationWindows: idx.length,
      testWindows: test.count,
    };
    if (setup.scratchSteps > 0) {
      const own = set.windows;
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
      });
      r.scratchAccuracy = classifierAccuracy(scratch.classifier, test);
      scratch.classifier.dispose();
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
  baselines?: { classical: BaselineSummary; classicalPrior?: BaselineSummary };
  /** Transfer mean minus the best baseline mean, in accuracy (the headline). */
  overBestBaseline?: number;
  /** People for whom transfer scored below the best baseline. */
  belowBestBaseline?: string[];
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
    const estimated = rows.filter((r) => r.estimate !== undefined);
    if (estimated.length > 0) {
      const d = estimated.map((r) => r.estimate! - r.accuracy);
      out.estimateError = { meanAbs: d.reduce((a, b) => a + Math.abs(b), 0) / d.length, meanSigned: d.reduce((a, b) => a + b, 0) / d.length, people: d.length };
    }
    if (rows.every((r) => r.baselines)) {
      const classical = stats(rows.map((r) => r.baselines!.classical));
      const priorRows = rows.map((r) => r.baselines!.classicalPrior).filter((v): v is number => v !== undefined);
      out.baselines = { classical, ...(priorRows.length === rows.length ? { classicalPrior: stats(priorRows) } : {}) };
      const bestMean = Math.max(classical.mean, out.baselines.classicalPrior?.mean ?? -Infinity);
      out.overBestBaseline = s.mean - bestMean;
      const best = out.baselines.classicalPrior && out.baselines.classicalPrior.mean > classical.mean ? 'classicalPrior' : 'classical';
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

/**
 * The personalization benchmark when a wearer holds each state once, for
 * minutes (EEG: rest, mental arithmetic; ../shared/README.md): each whole
 * recording goes through the package's chain from its first sample, as a
 * live stream would; then, for each C, the first C seconds of every
 * recording calibrate the head and every later window that does not overlap
 * them is scored, as balanced accuracy. C = 0 is the population head with no
 * calibration, scored on every window.
 *
 * Beside the transfer head, on the same windows: the classical baseline (the
 * package's classical recipe, EEG log band power, by shrinkage LDA) alone and
 * with the pretraining people's prior, and the same network trained from
 * scratch on the calibration windows alone; where the transfer head reads
 * more classical features than that recipe (EEG: band power and the
 * channels' covariance), also those features without the embedding, alone
 * and with their block of the transfer prior (the `rich` columns). At C = 0 the classical column is
 * the classical population LDA the package ships. With `adapt`, each of
 * those heads also adapts without labels over the later windows, taken
 * recording by recording in time order, as run --adapt would.
 */
import type { Embeddings } from '../../core/head/embeddings.ts';
import { selectRows } from '../../core/head/embeddings.ts';
import { type HeadData, predictClasses, predictInputs } from '../../core/head/head.ts';
import { buildHeadInputs, hasClassicalPart, type HeadInput, sameHeadInput } from '../../core/head/head_input.ts';
import { classicalPartPrior, type PopulationPrior } from '../../core/head/prior.ts';
import { trainPriorLdaHead } from '../../core/head/lda.ts';
import type { Preprocessing } from '../../core/dsp/preprocess.ts';
import { HeadstartError } from '../../core/errors.ts';
import { balancedAccuracy, splitAtSeconds } from '../../core/seconds_split.ts';
import type { Recording } from '../../core/signal.ts';
import { selectWindows, type WindowSet, windowRecordings } from '../../core/window_set.ts';
import type { ChannelNormalization, WindowSpec } from '../../core/windowing.ts';
import type { PackagePriors } from '../../io/model_package.ts';
import { fitCalibrationHead } from '../../tfjs/select_head.ts';
import type { AugmentOptions } from '../extractor/augment.ts';
import type { ExtractorConfig } from '../extractor/config.ts';
import { classifierPredictions } from '../extractor/train.ts';
import type { AdaptOptions } from '../../core/head/adapt.ts';
import { adaptedPredictions, type BaselineColumn, type PersonResult, scoreColumns, trainScratch } from './protocol.ts';

/** One person: whole recordings, one state (label) each. */
export interface SecondsPerson {
  name: string;
  recordings: Recording[];
}

export interface SecondsSetup {
  /** The values of C, in seconds; 0 = the population head, no calibration. */
  calibSeconds: number[];
  classes: number;
  window: WindowSpec;
  normalization: ChannelNormalization;
  /** The package's chain, run over each whole recording from its first sample. */
  preprocessing: Preprocessing;
  /** The package's population head, for C = 0; absent when the data's classes are not the package's. */
  populationHead?: HeadData;
  priors?: PackagePriors;
  /** What the classical baseline reads (the package's classical recipe). */
  classicalInput: HeadInput;
  embed: (set: WindowSet) => Promise<Embeddings> | Embeddings;
  /** From-scratch comparison: training steps per (person, C); 0 = skip it. */
  scratchSteps: number;
  extractorConfig: ExtractorConfig;
  /** How the from-scratch model's windows are augmented (as pretraining augmented). */
  scratchAugment: AugmentOptions | null;
  seed: number;
  /** Windows left out of training beside a held-out block in the calibration's own estimate. */
  guard: number;
  /** Also score with unsupervised adaptation: the later windows streamed in time order, each scored before it adapts the head (and each classical head, the same way). */
  adapt?: AdaptOptions;
}

/** The classes 0..classes-1 that no window among `rows` is labelled with. */
function absentClasses(rows: readonly number[], y: Int32Array, classes: number): number[] {
  const seen = new Uint8Array(classes);
  for (const i of rows) seen[y[i]!] = 1;
  return Array.from({ length: classes }, (_, c) => c).filter((c) => seen[c] === 0);
}

export async function evaluatePersonBySeconds(p: SecondsPerson, setup: SecondsSetup, onStep?: (text: string) => void): Promise<PersonResult[]> {
  const { classes } = setup;
  const all = windowRecordings(p.recordings, setup.window, setup.normalization, setup.preprocessing);
  const e = await setup.embed(all);
  const classicalAll = buildHeadInputs(setup.classicalInput, e, all);
  // The richer classical column: what the transfer head reads beside the embedding, without it, where that is more
  // than the classical recipe (EEG: band power and covariance), alone and with its block of the transfer prior.
  const transferPrior = setup.priors?.transfer;
  const richPrior = transferPrior && hasClassicalPart(transferPrior.input) ? classicalPartPrior(transferPrior, e.dim) : undefined;
  const rich = richPrior && !sameHeadInput(richPrior.input, setup.classicalInput) ? { input: richPrior.input, all: buildHeadInputs(richPrior.input, e, all), prior: richPrior } : undefined;
  const results: PersonResult[] = [];
  for (const seconds of setup.calibSeconds) {
    onStep?.(`${p.name} C=${seconds} s`);
    if (seconds === 0) {
      if (!setup.populationHead) continue;
      const r: PersonResult = {
        person: p.name,
        k: 0,
        accuracy: balancedAccuracy(predictClasses(setup.populationHead, e, all), all.y, classes),
        head: 'population',
        calibrationWindows: 0,
        testWindows: all.count,
      };
      const classical = setup.priors?.classicalPopulation;
      if (classical) r.baselines = { classical: balancedAccuracy(predictInputs(classical, classicalAll), all.y, classes) };
      results.push(r);
      continue;
    }
    const split = splitAtSeconds(all, seconds);
    const calibY = Int32Array.from(split.calibration, (i) => all.y[i]!);
    const missing = absentClasses(split.calibration, all.y, classes);
    if (missing.length > 0) {
      throw new HeadstartError('NOT_ENOUGH_DATA', `${p.name}: the first ${seconds} s of a recording hold no whole ${setup.window.length}-sample window of class ${missing.join(', ')}; give a longer --calib-seconds`);
    }
    // A class with nothing left to score would drop out of the balanced accuracy unnoticed (or leave nothing to score).
    const unscored = absentClasses(split.test, all.y, classes);
    if (unscored.length > 0) {
      throw new HeadstartError('NOT_ENOUGH_DATA', `${p.name}: no window of class ${unscored.join(', ')} starts after the first ${seconds} s of its recording, so nothing of it is left to score; give a shorter --calib-seconds`);
    }
    const inCalibration = new Uint8Array(all.count);
    for (const i of split.calibration) inCalibration[i] = 1;
    const calibration = selectWindows(all, (i) => inCalibration[i] === 1);
    const isTest = new Uint8Array(all.count);
    for (const i of split.test) isTest[i] = 1;
    const test = selectWindows(all, (i) => isTest[i] === 1);
    const et = selectRows(e, split.test);
    const set = { embeddings: selectRows(e, split.calibration), windows: calibration, labels: calibY, classes };
    // One stretch per state: held-out blocks of each state's windows estimate the later accuracy, as calibrate does.
    const fitted = fitCalibrationHead(set, new Int32Array(calibY.length), { ...(setup.priors ? { prior: setup.priors.transfer } : {}), methods: ['transfer'], guard: setup.guard });
    const estimate = fitted.cv.accuracy.transfer;
    // Each classical column: its head, and its input vectors of the scored windows.
    type Column = { head: HeadData; test: Embeddings };
    const fitColumn = (input: HeadInput, inputs: Embeddings, prior: PopulationPrior | undefined): Column => ({
      head: trainPriorLdaHead(selectRows(inputs, split.calibration), calibY, classes, input, prior),
      test: selectRows(inputs, split.test),
    });
    const columns: { classical: Column } & Partial<Record<BaselineColumn, Column>> = {
      classical: fitColumn(setup.classicalInput, classicalAll, undefined),
      ...(setup.priors ? { classicalPrior: fitColumn(setup.classicalInput, classicalAll, setup.priors.classical) } : {}),
      ...(rich ? { classicalRich: fitColumn(rich.input, rich.all, undefined), classicalRichPrior: fitColumn(rich.input, rich.all, rich.prior) } : {}),
    };
    const baselines = scoreColumns(columns, (c) => balancedAccuracy(predictInputs(c.head, c.test), test.y, classes));
    let adapted: PersonResult['adapted'];
    if (setup.adapt) {
      const adaptedOf = (head: HeadData, inputs?: Embeddings) => {
        const a = adaptedPredictions(head, et, test, setup.adapt!, inputs);
        return { accuracy: balancedAccuracy(a.pred, test.y, classes), updates: a.updates, resets: a.resets };
      };
      adapted = { ...adaptedOf(fitted.head), baselines: scoreColumns(columns, (c) => adaptedOf(c.head, c.test).accuracy) };
    }
    const r: PersonResult = {
      person: p.name,
      k: seconds,
      accuracy: balancedAccuracy(predictClasses(fitted.head, et, test), test.y, classes),
      head: fitted.cv.chosen,
      ...(estimate === undefined ? {} : { estimate }),
      baselines,
      ...(adapted ? { adapted } : {}),
      calibrationWindows: calibration.count,
      testWindows: test.count,
    };
    if (setup.scratchSteps > 0) {
      const scratch = await trainScratch(setup, calibration, setup.scratchAugment);
      r.scratchAccuracy = balancedAccuracy(classifierPredictions(scratch, test), test.y, classes);
      scratch.dispose();
    }
    results.push(r);
  }
  return results;
}

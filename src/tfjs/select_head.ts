/**
 * Fitting a wearer's head on calibration windows, and choosing how, by
 * held-out accuracy: train on every fold but one (a repetition, or a block
 * of windows when there is a single repetition), score the one left out,
 * for each fold in turn.
 *
 * Methods:
 * - `transfer`: LDA on the embedding joined with time-domain features of
 *   the window (the package prior's input recipe), with the pretraining
 *   people's within-class covariance as prior (core/head/lda.ts
 *   trainPriorLdaHead). Without a prior (a package exported before priors),
 *   the same input with the wearer's covariance alone.
 * - `lda`, `softmax`, `ncm`: on the unit-length embedding alone.
 */
import { HeadstartError } from '../core/errors.ts';
import { type Embeddings, selectRows } from '../core/head/embeddings.ts';
import { type HeadData, type HeadMethod, predictClasses } from '../core/head/head.ts';
import { buildHeadInputs, type HeadInput, TRANSFER_INPUT, usesWindow, type WindowsView } from '../core/head/head_input.ts';
import { DEFAULT_LDA, DEFAULT_PRIOR_LDA, type PriorLdaOptions, trainLdaHead, trainPriorLdaHead } from '../core/head/lda.ts';
import type { PopulationPrior } from '../core/head/prior.ts';
import { DEFAULT_SOFTMAX_HEAD, type SoftmaxHeadOptions, trainNcmHead, trainSoftmaxHead } from './head_training.ts';

export type { HeadMethod } from '../core/head/head.ts';

export const HEAD_METHODS: readonly HeadMethod[] = ['transfer', 'lda', 'softmax', 'ncm'];

export function checkHeadMethod(value: string): HeadMethod {
  if (!(HEAD_METHODS as readonly string[]).includes(value)) throw new HeadstartError('BAD_HEAD', `unknown head "${value}" (known: ${HEAD_METHODS.join(', ')})`);
  return value as HeadMethod;
}

/** One wearer's calibration windows: embeddings, the normalized windows they came from, labels, folds. */
export interface CalibrationSet {
  embeddings: Embeddings;
  /** Needed by the transfer method (time-domain features); may be omitted otherwise. */
  windows?: WindowsView;
  labels: Int32Array;
  classes: number;
}

export interface HeadFitOptions {
  /** The package's transfer prior (its input recipe is the transfer head's). */
  prior?: PopulationPrior;
  priorLda?: PriorLdaOptions;
  softmax?: SoftmaxHeadOptions;
}

/** Head input vectors of the transfer method, built once per calibration and reused across folds. */
function transferInputs(set: CalibrationSet, opts: HeadFitOptions): Embeddings {
  const input: HeadInput = opts.prior?.input ?? TRANSFER_INPUT;
  if (usesWindow(input) && !set.windows) throw new HeadstartError('HEAD_NEEDS_WINDOW', 'the transfer head reads the windows as well as their embeddings; pass them');
  return buildHeadInputs(input, set.embeddings, set.windows);
}

function subsetWindows(w: WindowsView | undefined, idx: readonly number[]): WindowsView | undefined {
  if (!w) return undefined;
  const size = w.length * w.channels;
  const x = new Float32Array(idx.length * size);
  idx.forEach((src, dst) => x.set(w.x.subarray(src * size, (src + 1) * size), dst * size));
  return { count: idx.length, length: w.length, channels: w.channels, x };
}

/**
 * Fits one head on the rows `idx` of a calibration set (all rows when
 * omitted). `inputs` are the transfer method's prebuilt input vectors.
 */
export function fitHead(method: HeadMethod, set: CalibrationSet, opts: HeadFitOptions = {}, idx?: readonly number[], inputs?: Embeddings): HeadData {
  const rows = idx ?? Array.from({ length: set.embeddings.count }, (_, i) => i);
  const labels = Int32Array.from(rows, (i) => set.labels[i]);
  if (method === 'transfer') {
    const x = selectRows(inputs ?? transferInputs(set, opts), rows);
    const input = opts.prior?.input ?? TRANSFER_INPUT;
    return trainPriorLdaHead(x, labels, set.classes, input, opts.prior, opts.priorLda ?? DEFAULT_PRIOR_LDA);
  }
  const e = selectRows(set.embeddings, rows);
  if (method === 'softmax') return trainSoftmaxHead(e, labels, set.classes, opts.softmax ?? DEFAULT_SOFTMAX_HEAD).head;
  if (method === 'lda') return trainLdaHead(e, labels, set.classes, DEFAULT_LDA);
  return trainNcmHead(e, labels, set.classes);
}

/** Predicted classes of rows `idx` of a calibration set by a head. */
function predictRows(head: HeadData, set: CalibrationSet, idx: readonly number[]): Int32Array {
  return predictClasses(head, selectRows(set.embeddings, idx), subsetWindows(set.windows, idx));
}

export interface HeadChoice {
  head: HeadData;
  method: HeadMethod;
  /** Held-out accuracy per method (absent with a single fold). */
  cvAccuracy: Partial<Record<HeadMethod, number>>;
  /** Per-class held-out accuracy of the chosen method. */
  cvPerClass?: number[];
  /** Confusion counts [true][predicted] of the chosen method's cross-validation. */
  cvConfusion?: number[][];
}

/**
 * Held-out accuracy of each method over `folds` (one fold id per row), then
 * the best method refitted on every row; the first method wins ties. With a
 * single fold there is nothing to hold out and the first method is used.
 */
export function chooseHead(set: CalibrationSet, folds: Int32Array, methods: readonly HeadMethod[], opts: HeadFitOptions = {}): HeadChoice {
  if (methods.length === 0) throw new HeadstartError('BAD_HEAD', 'give at least one head method to choose from');
  const inputs = methods.includes('transfer') ? transferInputs(set, opts) : undefined;
  const distinct = [...new Set(folds)].sort((a, b) => a - b);
  if (distinct.length < 2) return { head: fitHead(methods[0], set, opts, undefined, inputs), method: methods[0], cvAccuracy: {} };
  const { classes } = set;
  const cvAccuracy: Partial<Record<HeadMethod, number>> = {};
  const confusions: Partial<Record<HeadMethod, number[][]>> = {};
  for (const method of methods) {
    const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    let correct = 0;
    for (const held of distinct) {
      const trainIdx: number[] = [];
      const testIdx: number[] = [];
      folds.forEach((f, i) => (f === held ? testIdx : trainIdx).push(i));
      const head = fitHead(method, set, opts, trainIdx, inputs);
      const pred = predictRows(head, set, testIdx);
      testIdx.forEach((i, j) => {
        confusion[set.labels[i]][pred[j]]++;
        if (pred[j] === set.labels[i]) correct++;
      });
    }
    cvAccuracy[method] = correct / set.embeddings.count;
    confusions[method] = confusion;
  }
  const best = methods.reduce((a, b) => ((cvAccuracy[b] ?? 0) > (cvAccuracy[a] ?? 0) ? b : a));
  const confusion = confusions[best]!;
  return {
    head: fitHead(best, set, opts, undefined, inputs),
    method: best,
    cvAccuracy,
    cvConfusion: confusion,
    cvPerClass: confusion.map((row, c) => row[c] / Math.max(1, row.reduce((s, v) => s + v, 0))),
  };
}

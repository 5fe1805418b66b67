/**
 * On-device head training for a profile: the host's head trainers
 * (src/core/head) on cached embeddings, the head kind chosen by held-out
 * accuracy. With several repetitions of the gestures, each repetition is
 * held out in turn (leave-one-repetition-out). With a single repetition
 * (one calibration cycle) each gesture's windows are cut, in time order,
 * into contiguous blocks that are held out in turn instead; windows next to
 * a block edge share samples with the neighbouring block, so this figure is
 * slightly optimistic, but it ranks the head kinds the same way.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { HeadMethod } from '../../core/head/head.ts';
import { type CalibrationSet, chooseHead, fitHead, type HeadFitOptions } from '../../tfjs/select_head.ts';
import type { ProfileCv } from './profile.ts';
import type { HeadData } from '../../core/head/head.ts';

/** What `auto` tries: the transfer head, and the embedding-only LDA where held-out folds can tell them apart. */
export const AUTO_METHODS: readonly HeadMethod[] = ['transfer', 'lda'];
/** Blocks per gesture when there is a single repetition. */
export const DEFAULT_BLOCKS = 3;

export interface TrainProfileHeadOptions extends HeadFitOptions {
  /** Head methods to choose from, the first winning ties (default AUTO_METHODS). */
  methods?: readonly HeadMethod[];
  /** Held-out blocks per gesture when there is only one repetition (default 3). */
  blocks?: number;
}

export interface ProfileHeadResult {
  head: HeadData;
  cv: ProfileCv;
}

/** Fold of each window when there is one repetition: its position among its gesture's windows, in `blocks` contiguous blocks. */
export function blockFolds(labels: Int32Array, classes: number, blocks: number): Int32Array | undefined {
  const counts = new Int32Array(classes);
  for (const y of labels) counts[y]++;
  if (counts.some((n) => n > 0 && n < blocks)) return undefined;
  const seen = new Int32Array(classes);
  return Int32Array.from(labels, (y) => Math.floor((seen[y]++ * blocks) / counts[y]));
}

export function trainProfileHead(set: CalibrationSet, reps: Int32Array, options: TrainProfileHeadOptions = {}): ProfileHeadResult {
  const methods = [...(options.methods ?? AUTO_METHODS)];
  const { embeddings: e, labels, classes } = set;
  if (methods.length === 0) throw new HeadstartError('NO_HEAD_KINDS', 'give at least one head method to train');
  if (labels.length !== e.count || reps.length !== e.count) {
    throw new HeadstartError('LABEL_COUNT_MISMATCH', `${e.count} embeddings but ${labels.length} labels and ${reps.length} repetition numbers`);
  }
  if (e.count === 0) throw new HeadstartError('NO_WINDOWS', 'no calibration windows to train a head on; record the gestures first');
  const distinct = new Set(reps).size;
  let folds: Int32Array | undefined = reps;
  let method: ProfileCv['method'] = 'repetitions';
  if (distinct < 2) {
    folds = blockFolds(labels, classes, options.blocks ?? DEFAULT_BLOCKS);
    method = 'blocks';
  }
  if (folds === undefined || methods.length === 1) {
    const head = fitHead(methods[0]!, set, options);
    return { head, cv: { method: 'none', folds: 0, accuracy: {}, chosen: methods[0]! } };
  }
  const choice = chooseHead(set, folds, methods, options);
  return {
    head: choice.head,
    cv: {
      method,
      folds: new Set(folds).size,
      accuracy: choice.cvAccuracy,
      chosen: choice.method,
      ...(choice.cvPerClass ? { perClass: choice.cvPerClass } : {}),
      ...(choice.cvConfusion ? { confusion: choice.cvConfusion } : {}),
    },
  };
}

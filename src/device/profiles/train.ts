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
import type { Embeddings } from '../../core/head/embeddings.ts';
import type { HeadData } from '../../core/head/head.ts';
import { chooseHead, type HeadKind, trainHead } from '../../tfjs/select_head.ts';
import { DEFAULT_SOFTMAX_HEAD, type SoftmaxHeadOptions } from '../../tfjs/head_training.ts';
import type { ProfileCv } from './profile.ts';

export const HEAD_KINDS: readonly HeadKind[] = ['lda', 'softmax', 'ncm'];
/** Blocks per gesture when there is a single repetition. */
export const DEFAULT_BLOCKS = 3;

export interface TrainProfileHeadOptions {
  /** Head kinds to choose from, the first winning ties (default lda, softmax, ncm). */
  kinds?: readonly HeadKind[];
  /** Held-out blocks per gesture when there is only one repetition (default 3). */
  blocks?: number;
  softmax?: SoftmaxHeadOptions;
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

export function trainProfileHead(e: Embeddings, labels: Int32Array, reps: Int32Array, classes: number, options: TrainProfileHeadOptions = {}): ProfileHeadResult {
  const kinds = [...(options.kinds ?? HEAD_KINDS)];
  if (kinds.length === 0) throw new HeadstartError('INTERNAL', 'give at least one head kind to train');
  if (labels.length !== e.count || reps.length !== e.count) {
    throw new HeadstartError('INTERNAL', `${e.count} embeddings but ${labels.length} labels and ${reps.length} repetition numbers`);
  }
  if (e.count === 0) throw new HeadstartError('NOT_ENOUGH_DATA', 'no calibration windows to train a head on; record the gestures first');
  const softmax = options.softmax ?? DEFAULT_SOFTMAX_HEAD;
  const distinct = new Set(reps).size;
  let folds: Int32Array | undefined = reps;
  let method: ProfileCv['method'] = 'repetitions';
  if (distinct < 2) {
    folds = blockFolds(labels, classes, options.blocks ?? DEFAULT_BLOCKS);
    method = 'blocks';
  }
  if (folds === undefined || kinds.length === 1) {
    const head = trainHead(kinds[0]!, e, labels, classes, softmax);
    return { head, cv: { method: 'none', folds: 0, accuracy: {}, chosen: head.kind } };
  }
  const choice = chooseHead(e, labels, folds, classes, kinds, softmax);
  return {
    head: choice.head,
    cv: {
      method,
      folds: new Set(folds).size,
      accuracy: choice.cvAccuracy,
      chosen: choice.head.kind,
      ...(choice.cvPerClass ? { perClass: choice.cvPerClass } : {}),
      ...(choice.cvConfusion ? { confusion: choice.cvConfusion } : {}),
    },
  };
}

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
import type { HeadData, HeadMethod } from '../../core/head/head.ts';
import { AUTO_HEAD_METHODS, type CalibrationSet, fitCalibrationHead, type HeadFitOptions } from '../../tfjs/select_head.ts';
import type { ProfileCv } from './profile.ts';

export { blockFolds, DEFAULT_BLOCKS } from '../../tfjs/select_head.ts';

export interface TrainProfileHeadOptions extends HeadFitOptions {
  /** Head methods to choose from, the first winning ties (default: AUTO_HEAD_METHODS). */
  methods?: readonly HeadMethod[];
  /** Held-out blocks per gesture when there is only one repetition (default 3). */
  blocks?: number;
  /** Windows left out of training beside a held-out block (one repetition only). */
  guard?: number;
}

export interface ProfileHeadResult {
  head: HeadData;
  cv: ProfileCv;
}

export function trainProfileHead(set: CalibrationSet, reps: Int32Array, options: TrainProfileHeadOptions = {}): ProfileHeadResult {
  return fitCalibrationHead(set, reps, { ...options, methods: options.methods ?? AUTO_HEAD_METHODS });
}

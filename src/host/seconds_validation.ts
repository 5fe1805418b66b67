/**
 * What pretraining is for when people hold each state once (EEG), measured
 * on held-out people as `evaluate --calib-seconds` measures it: for each
 * person and each C, a head on the wearer's recipe (without the prior, which
 * export computes later) fitted on the first C seconds of each recording and
 * scored on the later windows, as balanced accuracy. The mean over people
 * and C picks the epoch that is kept.
 */
import type * as tf from '@tensorflow/tfjs';
import { HeadstartError } from '../core/errors.ts';
import { selectRows } from '../core/head/embeddings.ts';
import { predictInputs } from '../core/head/head.ts';
import { buildHeadInputs, type HeadInput } from '../core/head/head_input.ts';
import { trainPriorLdaHead } from '../core/head/lda.ts';
import { balancedAccuracy, splitAtSeconds } from '../core/seconds_split.ts';
import { selectWindows, type WindowSet } from '../core/window_set.ts';
import { embedWindows } from './evaluate/embed.ts';

/** The calibration lengths the score averages over (the benchmark's). */
export const VALIDATION_SECONDS: readonly number[] = [10, 20, 30];

/**
 * Whether every person with windows in a set has two or more repetitions to calibrate on one and score the
 * others. A set selected from a larger one keeps the larger one's list of people, most of them with no windows
 * here: they do not count.
 */
export function hasRepetitions(set: WindowSet): boolean {
  const reps = set.subjects.map(() => new Set<number>());
  const present = new Uint8Array(set.subjects.length);
  for (let i = 0; i < set.count; i++) {
    const s = set.subject[i]!;
    present[s] = 1;
    if (set.rep[i]! >= 0) reps[s]!.add(set.rep[i]!);
  }
  const people = reps.filter((_, s) => present[s] === 1);
  return people.length > 0 && people.every((r) => r.size >= 2);
}

export function secondsCalibratedAccuracy(extractor: tf.LayersModel, val: WindowSet, classes: number, input: HeadInput, seconds: readonly number[] = VALIDATION_SECONDS): number {
  const x = buildHeadInputs(input, embedWindows(extractor, val), val);
  const scores: number[] = [];
  for (let s = 0; s < val.subjects.length; s++) {
    const rows: number[] = [];
    for (let i = 0; i < val.count; i++) if (val.subject[i] === s) rows.push(i);
    const person = selectWindows(val, (i) => val.subject[i] === s);
    const px = selectRows(x, rows);
    for (const c of seconds) {
      const split = splitAtSeconds(person, c);
      const y = Int32Array.from(split.calibration, (i) => person.y[i]!);
      if (split.test.length === 0 || new Set(y).size < classes) continue;
      const head = trainPriorLdaHead(selectRows(px, split.calibration), y, classes, input, undefined);
      const test = selectRows(px, split.test);
      const pred = predictInputs(head, test);
      scores.push(balancedAccuracy(pred, Int32Array.from(split.test, (i) => person.y[i]!), classes));
    }
  }
  // A score of nothing would keep whichever epoch came first, silently.
  if (scores.length === 0) {
    throw new HeadstartError('NOT_ENOUGH_DATA', `the held-out people cannot be scored: none has two repetitions, nor a recording of every state longer than ${seconds[0]} s and a window, to calibrate on its start and score the rest; hold out other people`, { setting: 'valPeople' });
  }
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

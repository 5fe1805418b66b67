/**
 * Calibrating on the first seconds of each recording: the EEG protocol
 * (../shared/README.md), where a wearer holds each state once, for minutes,
 * and there are no repetitions to leave out. The first C seconds of every
 * recording calibrate; every later window that does not overlap them is
 * scored, as balanced accuracy (the mean of the per-class recalls), because
 * the states' recordings differ in length (eegmat's rest is three times its
 * arithmetic).
 */
import { HeadstartError } from './errors.ts';
import type { WindowSet } from './window_set.ts';

export interface SecondsSplit {
  /** Windows lying wholly within the first `seconds` of their recording. */
  calibration: number[];
  /** Windows starting at or after `seconds`: none of their samples is in the calibration part. */
  test: number[];
}

/** Splits a window set (cut from whole recordings, `start` counted from each one's first sample) at `seconds` into every recording. */
export function splitAtSeconds(set: Pick<WindowSet, 'count' | 'start' | 'length' | 'rate'>, seconds: number): SecondsSplit {
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new HeadstartError('INTERNAL', `calibration seconds must be a number >= 0 (got ${seconds})`);
  const cut = seconds * set.rate;
  const calibration: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < set.count; i++) {
    const start = set.start[i]!;
    if (start + set.length <= cut + 1e-9) calibration.push(i);
    else if (start >= cut - 1e-9) test.push(i);
  }
  return { calibration, test };
}

/** Mean over the classes present in `truth` of the share of their windows predicted right. */
export function balancedAccuracy(pred: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number {
  const right = new Float64Array(classes);
  const total = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    const c = truth[i]!;
    total[c]++;
    if (pred[i] === c) right[c]++;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    if (total[c] === 0) continue;
    sum += right[c]! / total[c]!;
    present++;
  }
  return present === 0 ? 0 : sum / present;
}

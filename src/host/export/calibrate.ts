/**
 * Activation ranges for post-training quantization, measured by running the
 * folded float extractor on representative windows: per stage, the min and
 * max seen, or (with a percentile) the range that keeps that share of the
 * values and clips rare outliers, which then cost less resolution for all
 * the others.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { FoldedExtractor } from './fold.ts';
import type { ValueRange } from './quantize.ts';
import { forwardFolded, type StageName, stageNames } from './float_forward.ts';

export interface CalibrationOptions {
  /** Keep this percentile of each stage's values (e.g. 99.99) at both ends; absent = full min/max. */
  percentile?: number;
}

export interface StageRange {
  stage: StageName;
  /** The range quantization uses (before it is widened to include 0). */
  min: number;
  max: number;
  /** The extremes seen, for the report. */
  observedMin: number;
  observedMax: number;
  /** How many values the range was measured on. */
  values: number;
}

export function checkPercentile(p: number): void {
  if (!Number.isFinite(p) || p <= 50 || p > 100) {
    throw new HeadstartError('BAD_OPTION', `the percentile must be a number above 50 and at most 100, e.g. 99.99 (got ${p})`);
  }
}

/** The value at percentile p of sorted values (nearest rank). */
function atPercentile(sorted: Float32Array, p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * The range of each input channel over windows laid out
 * [count][windowLength][channels], for per-channel input scales; with a
 * percentile, each channel keeps that share of its own values.
 */
export function inputChannelRanges(windows: Float32Array, channels: number, opts: CalibrationOptions = {}): ValueRange[] {
  if (windows.length < channels) throw new HeadstartError('NOT_ENOUGH_DATA', 'calibration needs at least one window of representative data');
  if (opts.percentile !== undefined) checkPercentile(opts.percentile);
  const perChannel = windows.length / channels;
  return Array.from({ length: channels }, (_, c): ValueRange => {
    const values = new Float32Array(perChannel);
    for (let i = 0; i < perChannel; i++) values[i] = windows[i * channels + c];
    values.sort();
    const p = opts.percentile ?? 100;
    const range = { min: atPercentile(values, 100 - p), max: atPercentile(values, p) };
    if (!Number.isFinite(range.min) || !Number.isFinite(range.max)) {
      throw new HeadstartError('NOT_FINITE', `input channel ${c} holds non-finite values in the representative windows; the data is broken`);
    }
    return range;
  });
}

/**
 * Ranges of every stage (see stageNames) over `count` windows laid out
 * [count][windowLength][channels], normalized as the device will feed them.
 */
export function calibrateRanges(f: FoldedExtractor, windows: Float32Array, count: number, opts: CalibrationOptions = {}): StageRange[] {
  if (count < 1) throw new HeadstartError('NOT_ENOUGH_DATA', 'calibration needs at least one window of representative data');
  if (opts.percentile !== undefined) checkPercentile(opts.percentile);
  const names = stageNames(f);
  const lo = new Array<number>(names.length).fill(Infinity);
  const hi = new Array<number>(names.length).fill(-Infinity);
  const sizes = new Array<number>(names.length).fill(0);
  const kept: Float32Array[][] = names.map(() => []);
  const size = f.windowLength * f.channels;
  for (let w = 0; w < count; w++) {
    forwardFolded(f, windows.subarray(w * size, (w + 1) * size), (stage, values) => {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v < lo[stage]) lo[stage] = v;
        if (v > hi[stage]) hi[stage] = v;
      }
      sizes[stage] += values.length;
      if (opts.percentile !== undefined) kept[stage].push(values.slice());
    });
  }
  return names.map((stage, s) => {
    let min = lo[s];
    let max = hi[s];
    if (opts.percentile !== undefined && opts.percentile < 100) {
      const all = new Float32Array(sizes[s]);
      let at = 0;
      for (const chunk of kept[s]) {
        all.set(chunk, at);
        at += chunk.length;
      }
      all.sort();
      min = atPercentile(all, 100 - opts.percentile);
      max = atPercentile(all, opts.percentile);
    }
    if (!Number.isFinite(min) || !Number.isFinite(max)) {
      throw new HeadstartError('NOT_FINITE', `stage ${stage} produced non-finite values on the representative windows; the float extractor or the data is broken`);
    }
    return { stage, min, max, observedMin: lo[s], observedMax: hi[s], values: sizes[s] };
  });
}

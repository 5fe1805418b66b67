/**
 * Windowing and normalization as pure functions over typed arrays.
 *
 * A window batch is a Float32Array of `count * length * channels` values,
 * laid out [window][time][channel]: exactly the NWC layout the extractor's
 * input takes, so a batch goes to tfjs or TFLite without a copy.
 */
import { HeadstartError } from './errors.ts';

export interface WindowSpec {
  /** Samples per window. */
  length: number;
  /** Samples between the starts of consecutive windows. */
  hop: number;
}

export function checkWindowSpec(spec: WindowSpec): void {
  if (!Number.isInteger(spec.length) || spec.length < 1 || !Number.isInteger(spec.hop) || spec.hop < 1) {
    throw new HeadstartError('INTERNAL', `window length and hop must be positive whole numbers of samples (got length ${spec.length}, hop ${spec.hop})`);
  }
}

/** Number of whole windows in `samples` samples (per channel); a trailing partial window is dropped. */
export function windowCount(samples: number, spec: WindowSpec): number {
  checkWindowSpec(spec);
  if (!Number.isInteger(samples) || samples < 0) {
    throw new HeadstartError('INTERNAL', `a sample count must be a whole number >= 0 (got ${samples})`);
  }
  return samples < spec.length ? 0 : Math.floor((samples - spec.length) / spec.hop) + 1;
}

/** Throws unless `values` holds a whole number of `channels`-channel samples. */
export function checkInterleaved(values: Float32Array, channels: number): void {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new HeadstartError('INTERNAL', `channel count must be a positive whole number (got ${channels})`);
  }
  if (values.length % channels !== 0) {
    throw new HeadstartError('INTERNAL', `${values.length} values are not a whole number of ${channels}-channel samples`);
  }
}

/**
 * Cuts interleaved samples into windows. Writes into `out` when given (it
 * must hold at least windowCount * length * channels values) so callers can
 * reuse one buffer; the result is then a view of `out` of exactly the
 * windows written.
 */
export function sliceWindows(samples: Float32Array, channels: number, spec: WindowSpec, out?: Float32Array): Float32Array {
  checkInterleaved(samples, channels);
  const n = windowCount(samples.length / channels, spec);
  const size = spec.length * channels;
  if (out === undefined) {
    const dest = new Float32Array(n * size);
    copyWindows(samples, channels, spec, n, dest);
    return dest;
  }
  if (out.length < n * size) {
    throw new HeadstartError('INTERNAL', `window buffer holds ${out.length} values, ${n * size} needed for ${n} windows of ${spec.length} x ${channels}`);
  }
  copyWindows(samples, channels, spec, n, out);
  return out.subarray(0, n * size);
}

function copyWindows(samples: Float32Array, channels: number, spec: WindowSpec, n: number, dest: Float32Array): void {
  const size = spec.length * channels;
  const step = spec.hop * channels;
  for (let w = 0; w < n; w++) dest.set(samples.subarray(w * step, w * step + size), w * size);
}

/** Per-channel affine normalization: x' = (x - offset[c]) * scale[c]. */
export interface ChannelNormalization {
  offset: number[];
  scale: number[];
}

/** Below this standard deviation a channel counts as flat: its scale is capped so it normalizes to ~0 instead of blowing up. */
const MIN_STD = 1e-6;

/**
 * Mean and 1/std per channel over interleaved samples. Two passes (mean,
 * then squared deviations) so a large DC offset does not cancel away the
 * variance, as a single sum-of-squares pass would.
 */
export function fitNormalization(samples: Float32Array, channels: number): ChannelNormalization {
  checkInterleaved(samples, channels);
  const n = samples.length / channels;
  if (n === 0) throw new HeadstartError('NOT_ENOUGH_DATA', 'cannot fit a normalization to zero samples');
  const mean = new Float64Array(channels);
  for (let i = 0; i < samples.length; i++) mean[i % channels] += samples[i];
  for (let c = 0; c < channels; c++) mean[c] /= n;
  const sq = new Float64Array(channels);
  for (let i = 0; i < samples.length; i++) {
    const d = samples[i] - mean[i % channels];
    sq[i % channels] += d * d;
  }
  const offset: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < channels; c++) {
    offset.push(mean[c]);
    scale.push(1 / Math.max(Math.sqrt(sq[c] / n), MIN_STD));
  }
  return { offset, scale };
}

/** Applies a normalization in place to interleaved data (windows or raw samples). */
export function normalizeInPlace(values: Float32Array, channels: number, norm: ChannelNormalization): Float32Array {
  checkInterleaved(values, channels);
  if (norm.offset.length !== channels || norm.scale.length !== channels) {
    throw new HeadstartError(
      'INTERNAL',
      `normalization has ${norm.offset.length} offsets and ${norm.scale.length} scales for ${channels}-channel data; fit it on data with the same channels`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const c = i % channels;
    values[i] = (values[i] - norm.offset[c]) * norm.scale[c];
  }
  return values;
}

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

export function windowCount(samples: number, spec: WindowSpec): number {
  return samples < spec.length ? 0 : Math.floor((samples - spec.length) / spec.hop) + 1;
}

export function checkWindowSpec(spec: WindowSpec): void {
  if (!Number.isInteger(spec.length) || spec.length < 1 || !Number.isInteger(spec.hop) || spec.hop < 1) {
    throw new HeadstartError('BAD_WINDOW_SPEC', `window length and hop must be positive whole numbers of samples (got length ${spec.length}, hop ${spec.hop})`);
  }
}

/**
 * Cuts interleaved samples into windows. Writes into `out` when given (it
 * must hold windowCount * length * channels values) so callers can reuse
 * one buffer.
 */
export function sliceWindows(samples: Float32Array, channels: number, spec: WindowSpec, out?: Float32Array): Float32Array {
  checkWindowSpec(spec);
  const n = windowCount(samples.length / channels, spec);
  const size = spec.length * channels;
  const dest = out ?? new Float32Array(n * size);
  if (dest.length < n * size) {
    throw new HeadstartError('BUFFER_TOO_SMALL', `window buffer holds ${dest.length} values, ${n * size} needed`);
  }
  for (let w = 0; w < n; w++) dest.set(samples.subarray(w * spec.hop * channels, w * spec.hop * channels + size), w * size);
  return dest;
}

/** Per-channel affine normalization: x' = (x - offset[c]) * scale[c]. */
export interface ChannelNormalization {
  offset: number[];
  scale: number[];
}

/** Mean and 1/std per channel over interleaved samples (std floored to avoid divide-by-zero on flat channels). */
export function fitNormalization(samples: Float32Array, channels: number): ChannelNormalization {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const n = samples.length / channels;
  for (let i = 0; i < samples.length; i++) {
    const c = i % channels;
    sum[c] += samples[i];
    sumSq[c] += samples[i] * samples[i];
  }
  const offset: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < channels; c++) {
    const mean = sum[c] / n;
    const variance = Math.max(sumSq[c] / n - mean * mean, 0);
    offset.push(mean);
    scale.push(1 / Math.max(Math.sqrt(variance), 1e-6));
  }
  return { offset, scale };
}

/** Applies a normalization in place to interleaved data (windows or raw samples). */
export function normalizeInPlace(values: Float32Array, channels: number, norm: ChannelNormalization): Float32Array {
  for (let i = 0; i < values.length; i++) {
    const c = i % channels;
    values[i] = (values[i] - norm.offset[c]) * norm.scale[c];
  }
  return values;
}

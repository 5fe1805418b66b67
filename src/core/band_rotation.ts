/**
 * A band of electrodes around the forearm, put back on rotated: electrode c
 * now sits where electrode c + shift was. For a fractional shift the signal
 * under an electrode is taken as the linear interpolation of its two
 * neighbours around the band (a simulation: real tissue between electrodes
 * is not linear). Whole shifts are an exact circular permutation of the
 * channels. Used to augment training windows, to simulate re-wearing in
 * evaluation and to undo an estimated rotation before the extractor.
 */

/**
 * dst[t][c] = (1 - f) src[t][(c + n) mod C] + f src[t][(c + n + 1) mod C],
 * where shift = n + f with 0 <= f < 1 (so shift may be negative). `dst` must
 * not alias `src`. `frames` rows of `channels` interleaved values.
 */
export function rotateBandInto(src: ArrayLike<number>, dst: Float32Array | Float64Array, frames: number, channels: number, shift: number): void {
  const n = Math.floor(shift);
  const f = shift - n;
  const base = ((n % channels) + channels) % channels;
  for (let c = 0; c < channels; c++) {
    const a = (c + base) % channels;
    const b = (a + 1) % channels;
    for (let t = 0; t < frames; t++) {
      const row = t * channels;
      dst[row + c] = f === 0 ? src[row + a] : (1 - f) * src[row + a] + f * src[row + b];
    }
  }
}

/** The same rotation of a whole interleaved recording, as a new array. */
export function rotateBand(samples: Float32Array, channels: number, shift: number): Float32Array {
  const out = new Float32Array(samples.length);
  rotateBandInto(samples, out, samples.length / channels, channels, shift);
  return out;
}

/**
 * Windows normalized with `norm` ((x - offset[c]) * scale[c]), turned as the
 * raw signal would be: back to raw values, turned, normalized again. What a
 * calibration's windows would have been with the band turned by `shift`.
 */
export function turnNormalizedWindows(x: Float32Array, channels: number, norm: { offset: readonly number[]; scale: readonly number[] }, shift: number): Float32Array {
  const frames = x.length / channels;
  const raw = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) raw[i] = x[i]! / norm.scale[i % channels]! + norm.offset[i % channels]!;
  const turned = new Float32Array(x.length);
  rotateBandInto(raw, turned, frames, channels, shift);
  for (let i = 0; i < turned.length; i++) turned[i] = (turned[i]! - norm.offset[i % channels]!) * norm.scale[i % channels]!;
  return turned;
}

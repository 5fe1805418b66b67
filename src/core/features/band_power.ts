/**
 * Classical EEG features of one window, the same on the host (evaluation,
 * priors) and on the device (the live head): the log of the mean power in
 * each frequency band, per channel.
 *
 * Per channel, the window's mean is removed, a Hann window of the window's
 * length applied, the result zero-padded to the next power of two n and
 * transformed (an in-place radix-2 FFT); the power |X_k|^2 (unnormalized,
 * as numpy's rfft gives it) of the bins whose frequency k * rate / n lies in
 * [low, high) is averaged, and its log taken. Logs make a change of
 * electrode contact an additive shift, which a linear head absorbs.
 *
 * The default bands are the seven of ../shared/README.md: 1-4, 4-8, 8-10,
 * 10-13, 13-20, 20-30 and 30-45 Hz. The layout is band-major: all
 * channels' first band, then all channels' second band, ...
 *
 * Nothing is allocated per window: the FFT tables, the Hann window and the
 * bins of each band live in a scratch made once for a window length, rate
 * and band list.
 */
import { HeadstartError } from '../errors.ts';

/** A frequency band [low, high) in Hz. */
export type Band = readonly [low: number, high: number];

export const EEG_BANDS: readonly Band[] = [
  [1, 4],
  [4, 8],
  [8, 10],
  [10, 13],
  [13, 20],
  [20, 30],
  [30, 45],
];

/** Keeps the logs finite on a flat channel (power in µV² times the window's length, squared). */
const LOG_FLOOR = 1e-6;

export function bandPowerSize(channels: number, bands: readonly Band[] = EEG_BANDS): number {
  return channels * bands.length;
}

/** The FFT size for a window: its length rounded up to a power of two. */
export function fftSize(length: number): number {
  let n = 1;
  while (n < length) n *= 2;
  return n;
}

/** Everything one window's features need, made once and reused from window to window. */
export interface BandPowerScratch extends FftTables {
  length: number;
  rate: number;
  bands: readonly Band[];
  /** FFT size: the window's length rounded up to a power of two. */
  n: number;
  hann: Float64Array;
  /** Per band, the first bin and one past the last. */
  binFrom: Uint32Array;
  binTo: Uint32Array;
}

export function bandPowerScratch(length: number, rate: number, bands: readonly Band[] = EEG_BANDS): BandPowerScratch {
  if (!Number.isInteger(length) || length < 2) throw new HeadstartError('BAD_OPTION', `band power needs windows of at least 2 samples, not ${length}`, { setting: 'window' });
  if (!(Number.isFinite(rate) && rate > 0)) throw new HeadstartError('BAD_OPTION', `band power needs a positive sample rate (got ${rate})`, { setting: 'rate' });
  const n = fftSize(length);
  const { binFrom, binTo } = bandBins(bands, length, rate, n);
  const hann = new Float64Array(length);
  // numpy.hanning: symmetric, zero at both ends.
  for (let i = 0; i < length; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
  return { length, rate, bands, n, hann, ...fftTables(n), binFrom, binTo };
}

/** The radix-2 FFT's tables for one size and its work arrays. */
export interface FftTables {
  re: Float64Array;
  im: Float64Array;
  cos: Float64Array;
  sin: Float64Array;
  /** Bit-reversed index of each FFT slot. */
  reversed: Uint32Array;
}

/** The radix-2 FFT's tables for size n (a power of two) and its work arrays. */
export function fftTables(n: number): FftTables {
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  const bits = Math.log2(n);
  const reversed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    reversed[i] = r;
  }
  return { re: new Float64Array(n), im: new Float64Array(n), cos, sin, reversed };
}

/**
 * Per band, the FFT bins k with low <= k * rate / n < high, as [from, to)
 * (a band that holds no bin, or reaches past Nyquist, is refused).
 */
export function bandBins(bands: readonly Band[], length: number, rate: number, n: number): { binFrom: Uint32Array; binTo: Uint32Array } {
  const binFrom = new Uint32Array(bands.length);
  const binTo = new Uint32Array(bands.length);
  bands.forEach(([low, high], b) => {
    if (!(low >= 0 && high > low)) throw new HeadstartError('BAD_OPTION', `band ${b} (${low}-${high} Hz) must have 0 <= low < high`, { setting: 'bands' });
    if (high > rate / 2) throw new HeadstartError('BAD_OPTION', `band ${b} (${low}-${high} Hz) reaches past ${rate / 2} Hz, the Nyquist frequency of ${rate} Hz`, { setting: 'bands' });
    binFrom[b] = Math.ceil((low * n) / rate - 1e-9);
    binTo[b] = Math.ceil((high * n) / rate - 1e-9);
    if (binTo[b]! <= binFrom[b]!) {
      throw new HeadstartError('BAD_OPTION', `band ${b} (${low}-${high} Hz) holds no frequency bin of a ${length}-sample window at ${rate} Hz (bins every ${(rate / n).toFixed(2)} Hz); use longer windows`, { setting: 'window' });
    }
  });
  return { binFrom, binTo };
}

/** In-place iterative radix-2 FFT of (re, im), input already in bit-reversed order. */
function fftInPlace(re: Float64Array, im: Float64Array, cos: Float64Array, sin: Float64Array, n: number): void {
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!;
        const wi = sin[k * step]!;
        const a = start + k;
        const b = a + half;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/**
 * Channel `c` of window `w` ([length][channels], interleaved), its mean
 * removed, times `taper` when given, zero-padded to n and transformed: the
 * spectrum is left in the tables' (re, im).
 */
export function channelSpectrum(w: ArrayLike<number>, channels: number, c: number, length: number, n: number, taper: Float64Array | undefined, fft: FftTables): void {
  const { re, im, cos, sin, reversed } = fft;
  let sum = 0;
  for (let t = 0; t < length; t++) sum += w[t * channels + c]!;
  const mean = sum / length;
  re.fill(0);
  im.fill(0);
  for (let t = 0; t < length; t++) re[reversed[t]!] = (w[t * channels + c]! - mean) * (taper ? taper[t]! : 1);
  fftInPlace(re, im, cos, sin, n);
}

/**
 * Features of one window `w` ([length][channels], interleaved) into `out`
 * (bandPowerSize(channels, bands) values, band-major), with a scratch made
 * for this window length, rate and band list.
 */
export function bandPowerFeaturesInto(w: ArrayLike<number>, channels: number, out: Float32Array | Float64Array, scratch: BandPowerScratch): void {
  const { length, n, hann, re, im, binFrom, binTo } = scratch;
  const C = channels;
  if (w.length < length * C) throw new HeadstartError('INTERNAL', `a ${length}-sample window of ${C} channels has ${length * C} values, got ${w.length}`);
  for (let c = 0; c < C; c++) {
    channelSpectrum(w, C, c, length, n, hann, scratch);
    for (let b = 0; b < binFrom.length; b++) {
      let power = 0;
      for (let k = binFrom[b]!; k < binTo[b]!; k++) power += re[k]! * re[k]! + im[k]! * im[k]!;
      out[b * C + c] = Math.log(power / (binTo[b]! - binFrom[b]!) + LOG_FLOOR);
    }
  }
}

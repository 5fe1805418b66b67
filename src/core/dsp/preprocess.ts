/**
 * The chain every raw sample goes through before windows are cut, the same
 * on the device (live, one sample at a time) and on the host (whole
 * recordings): resample to the model package's rate, then run the
 * package's filters (src/core/dsp/filters.ts) at that rate.
 *
 * Resampling comes first so that the filters are designed once, at the
 * package's rate, whatever the board's rate; the resampler's own low-pass
 * (flat to 0.9 of the lower Nyquist frequency) protects them from aliases.
 * Both stages are causal and keep their state, and both start from the
 * first sample as if the signal had held it forever, so a recording
 * processed whole from its start gives exactly the samples a live stream
 * gives from the moment it starts: live = offline, window for window, as
 * long as the offline path starts where the live one did.
 */
import { HeadstartError } from '../errors.ts';
import type { Recording } from '../signal.ts';
import { buildFilterChain, type FilterChain, type FilterSpec } from './filters.ts';
import { Resampler } from './resampler.ts';

/** What a model package applies to raw samples: its rate and its filters (none for a package without preprocessing). */
export interface Preprocessing {
  /** Samples per second the package works at. */
  rate: number;
  filters: FilterSpec[];
}

export class Preprocessor {
  readonly channels: number;
  readonly inRate: number;
  readonly outRate: number;
  readonly resampler: Resampler | undefined;
  readonly filters: FilterChain | undefined;
  /** One output sample, filtered in place before it is handed on. */
  readonly #sample: Float32Array;
  #emit: (sample: Float32Array) => void = () => undefined;
  readonly #onResampled = (sample: Float32Array): void => this.#filterAndEmit(sample, 0);

  constructor(channels: number, inRate: number, preprocessing: Preprocessing) {
    if (!Number.isInteger(channels) || channels < 1) throw new HeadstartError('INTERNAL', `channel count must be a positive whole number (got ${channels})`);
    this.channels = channels;
    this.inRate = inRate;
    this.outRate = preprocessing.rate;
    this.resampler = inRate === preprocessing.rate ? undefined : new Resampler(channels, inRate, preprocessing.rate);
    this.filters = preprocessing.filters.length === 0 ? undefined : buildFilterChain(preprocessing.filters, channels, preprocessing.rate);
    this.#sample = new Float32Array(channels);
  }

  /** True when the chain changes nothing (same rate, no filters): callers may skip it. */
  get passThrough(): boolean {
    return this.resampler === undefined && this.filters === undefined;
  }

  /** Input samples (per channel) by which the output lags its input (the resampler's delay; filters add phase, not a shift). */
  get delayInputSamples(): number {
    return this.resampler?.delayInputSamples ?? 0;
  }

  /**
   * Feeds one input sample (`channels` values of `values` from `offset`);
   * calls `emit` with each output sample it completes (a reused array of
   * `channels` values, valid only during the call). Allocation-free.
   */
  pushSample(values: ArrayLike<number>, offset: number, emit: (sample: Float32Array) => void): void {
    this.#emit = emit;
    if (this.resampler) this.resampler.pushSample(values, offset, this.#onResampled);
    else this.#filterAndEmit(values, offset);
  }

  /** Forgets the signal (after a gap in the stream): the next sample starts afresh, as the first one did. */
  reset(): void {
    this.resampler?.reset();
    this.filters?.reset();
  }

  #filterAndEmit(values: ArrayLike<number>, offset: number): void {
    const s = this.#sample;
    for (let c = 0; c < this.channels; c++) s[c] = values[offset + c];
    this.filters?.process(s);
    this.#emit(s);
  }
}

/** Interleaved samples at `inRate` through the chain, from their first sample: what a live stream of them gives. */
export function preprocessSamples(samples: Float32Array, channels: number, inRate: number, preprocessing: Preprocessing): Float32Array {
  const chain = new Preprocessor(channels, inRate, preprocessing);
  if (chain.passThrough) return samples;
  if (samples.length % channels !== 0) throw new HeadstartError('INTERNAL', `${samples.length} values are not a whole number of ${channels}-channel samples`);
  const inputs = samples.length / channels;
  const up = chain.resampler?.up ?? 1;
  const down = chain.resampler?.down ?? 1;
  const out = new Float32Array((Math.floor(((inputs - 1) * up) / down) + 1 + up) * channels);
  let n = 0;
  const keep = (sample: Float32Array): void => {
    out.set(sample, n * channels);
    n++;
  };
  for (let i = 0; i < samples.length; i += channels) chain.pushSample(samples, i, keep);
  return out.slice(0, n * channels);
}

/** A recording through the chain from its start: at the package's rate, filtered. */
export function preprocessRecording<R extends Recording>(recording: R, preprocessing: Preprocessing): R {
  const samples = preprocessSamples(recording.samples, recording.channels, recording.rate, preprocessing);
  return samples === recording.samples ? recording : { ...recording, rate: preprocessing.rate, samples };
}

/**
 * Where the chain puts a stretch of input: the output samples describing
 * input samples [from, to) of a stream at `inRate` (the resampler's delay
 * included), as [first, end) output indices.
 */
export function preprocessedSpan(from: number, to: number, inRate: number, outRate: number, delayInputSamples: number): { start: number; end: number } {
  if (inRate === outRate) return { start: from, end: to };
  // Output n describes input time n * inRate / outRate - delay.
  const start = Math.ceil(((from + delayInputSamples) * outRate) / inRate - 1e-9);
  const end = Math.ceil(((to + delayInputSamples) * outRate) / inRate - 1e-9);
  return { start, end: Math.max(start, end) };
}

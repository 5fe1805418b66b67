/**
 * What a head reads: the frozen extractor's embedding of a window, and
 * optionally classical features of the same window (EMG time-domain
 * features, EEG band power), joined into one vector in that order. The
 * recipe is part of the head's data, so the device builds exactly the vector
 * the head was fitted on (live = offline).
 *
 * - `embedding: 'l2'`: the embedding scaled to unit length (the heads of
 *   profiles made before the recipe was recorded read this, alone).
 * - `embedding: 'sqrt'`: the square root of each (non-negative) embedding
 *   value: the embedding is a time average of rectified filter outputs, and
 *   the root evens out their spread, as RMS does for MAV.
 * - `embedding: 'none'`: no embedding (the classical baseline, time-domain
 *   features alone).
 * - `timeDomain`: a feature set of core/features/time_domain.ts, or 'none'.
 * - `bandPower` (absent: none): `bands7`, the log power of the seven EEG
 *   bands of core/features/band_power.ts per channel, after the time-domain
 *   features. It reads the window's sample rate, so a builder of such a
 *   recipe is given the rate.
 * - `spatialCovariance` (absent: none): `bands4`, the log-Euclidean
 *   covariance of the channels in the four bands of
 *   core/features/spatial_covariance.ts, after band power. It reads the
 *   rate too.
 */
import { HeadstartError } from '../errors.ts';
import { type Band, bandPowerFeaturesInto, type BandPowerScratch, bandPowerScratch, bandPowerSize, EEG_BANDS } from '../features/band_power.ts';
import { COVARIANCE_BANDS, spatialCovarianceFeaturesInto, type SpatialCovarianceScratch, spatialCovarianceScratch, spatialCovarianceSize } from '../features/spatial_covariance.ts';
import { checkTimeDomainSet, type TimeDomainScratch, timeDomainFeaturesInto, timeDomainScratch, type TimeDomainSet, timeDomainSize } from '../features/time_domain.ts';
import type { Embeddings } from './embeddings.ts';

export type EmbeddingTransform = 'l2' | 'sqrt' | 'none';

/** Band-power sets a head can read: `bands7`, the seven bands of EEG_BANDS. */
export type BandPowerSet = 'bands7';

/** Covariance sets a head can read: `bands4`, the four bands of COVARIANCE_BANDS. */
export type CovarianceSet = 'bands4';

export interface HeadInput {
  embedding: EmbeddingTransform;
  timeDomain: TimeDomainSet | 'none';
  /** Absent: no band power (every recipe written before band power was readable). */
  bandPower?: BandPowerSet;
  /** Absent: no covariance features (every recipe written before they were readable). */
  spatialCovariance?: CovarianceSet;
}

/** The recipe of heads that do not record one: the unit-length embedding alone. */
export const EMBEDDING_ONLY: HeadInput = { embedding: 'l2', timeDomain: 'none' };

/** The wearer's head: the embedding joined with the rich time-domain set (bench/RESULTS.md, Personalization ablation). */
export const TRANSFER_INPUT: HeadInput = { embedding: 'sqrt', timeDomain: 'rich' };

/**
 * Whether a recipe is the embedding joined with exactly the rich
 * time-domain set (the EMG wearer's head): its two parts are what the
 * pooled transfer head fits an expert on each of, and the second is the
 * rich classical baseline's input.
 */
export function joinsEmbeddingAndRich(input: HeadInput): boolean {
  return input.embedding !== 'none' && input.timeDomain === 'rich' && input.bandPower === undefined && input.spatialCovariance === undefined;
}

/** The classical per-person baseline: log MAV, WL, RMS and variance per channel, no extractor. */
export const CLASSICAL_INPUT: HeadInput = { embedding: 'none', timeDomain: 'td4' };

/** The richer classical baseline: the 13 time-domain features a channel that the wearer's head joins to the embedding, without the embedding. */
export const CLASSICAL_RICH_INPUT: HeadInput = { embedding: 'none', timeDomain: 'rich' };

/**
 * An EEG wearer's head: the embedding joined with the log power of the
 * seven bands per channel and the channels' covariance in four bands
 * (bench/RESULTS.md, EEG: on the design people the covariance lifted a
 * per-person LDA by 2.5-4.5 points).
 */
export const EEG_TRANSFER_INPUT: HeadInput = { embedding: 'sqrt', timeDomain: 'none', bandPower: 'bands7', spatialCovariance: 'bands4' };

/** The classical EEG baseline: log band power in seven bands per channel, no extractor. */
export const EEG_CLASSICAL_INPUT: HeadInput = { embedding: 'none', timeDomain: 'none', bandPower: 'bands7' };

/** The recipes a package of a modality ships priors for: its wearers' heads and its classical baseline. */
export function modalityInputs(modality: 'emg' | 'eeg'): { transfer: HeadInput; classical: HeadInput } {
  return modality === 'eeg' ? { transfer: EEG_TRANSFER_INPUT, classical: EEG_CLASSICAL_INPUT } : { transfer: TRANSFER_INPUT, classical: CLASSICAL_INPUT };
}

export function checkHeadInput(value: unknown, where: string): HeadInput {
  const v = value as Partial<HeadInput> | null;
  if (typeof v !== 'object' || v === null) throw new HeadstartError('BAD_PROFILE', `${where}: the head's input recipe must be an object`);
  if (v.embedding !== 'l2' && v.embedding !== 'sqrt' && v.embedding !== 'none') {
    throw new HeadstartError('BAD_PROFILE', `${where}: input.embedding must be "l2", "sqrt" or "none", not ${JSON.stringify(v.embedding)}`);
  }
  if (v.timeDomain !== 'none') checkTimeDomainSet(String(v.timeDomain));
  if (v.bandPower !== undefined && v.bandPower !== 'bands7') throw new HeadstartError('BAD_PROFILE', `${where}: input.bandPower must be "bands7" or absent, not ${JSON.stringify(v.bandPower)}`);
  if (v.spatialCovariance !== undefined && v.spatialCovariance !== 'bands4') throw new HeadstartError('BAD_PROFILE', `${where}: input.spatialCovariance must be "bands4" or absent, not ${JSON.stringify(v.spatialCovariance)}`);
  if (v.embedding === 'none' && v.timeDomain === 'none' && v.bandPower === undefined && v.spatialCovariance === undefined) throw new HeadstartError('BAD_PROFILE', `${where}: the head input reads nothing (no embedding, no classical features)`);
  return { embedding: v.embedding, timeDomain: v.timeDomain as HeadInput['timeDomain'], ...(v.bandPower ? { bandPower: v.bandPower } : {}), ...(v.spatialCovariance ? { spatialCovariance: v.spatialCovariance } : {}) };
}

export function sameHeadInput(a: HeadInput, b: HeadInput): boolean {
  return a.embedding === b.embedding && a.timeDomain === b.timeDomain && a.bandPower === b.bandPower && a.spatialCovariance === b.spatialCovariance;
}

/** Whether the recipe joins the embedding with classical features of the window: it has a classical part to compare with. */
export function hasClassicalPart(input: HeadInput): boolean {
  return input.embedding !== 'none' && usesWindow(input);
}

/** The classical features of a recipe without its embedding (EMG transfer: the rich time-domain set). */
export function classicalPart(input: HeadInput): HeadInput {
  return { ...input, embedding: 'none' };
}

/** Whether the recipe reads the window itself (classical features), not only its embedding. */
export function usesWindow(input: HeadInput): boolean {
  return input.timeDomain !== 'none' || input.bandPower !== undefined || input.spatialCovariance !== undefined;
}

const BAND_SETS: Record<BandPowerSet, readonly Band[]> = { bands7: EEG_BANDS };
const COVARIANCE_SETS: Record<CovarianceSet, readonly Band[]> = { bands4: COVARIANCE_BANDS };

export function headInputSize(input: HeadInput, embeddingSize: number, channels: number): number {
  return (
    (input.embedding === 'none' ? 0 : embeddingSize) +
    (input.timeDomain === 'none' ? 0 : timeDomainSize(input.timeDomain, channels)) +
    (input.bandPower === undefined ? 0 : bandPowerSize(channels, BAND_SETS[input.bandPower])) +
    (input.spatialCovariance === undefined ? 0 : spatialCovarianceSize(channels, COVARIANCE_SETS[input.spatialCovariance]))
  );
}

/** Builds head input vectors one window at a time, without allocating. */
export class HeadInputBuilder {
  readonly size: number;
  readonly #scratch: TimeDomainScratch;
  readonly #bands: BandPowerScratch | undefined;
  readonly #covariance: SpatialCovarianceScratch | undefined;

  /** `rate` (samples per second of the windows) is needed by recipes that read band power. */
  constructor(
    readonly input: HeadInput,
    readonly embeddingSize: number,
    readonly windowLength: number,
    readonly channels: number,
    rate?: number,
  ) {
    this.size = headInputSize(input, embeddingSize, channels);
    this.#scratch = timeDomainScratch(windowLength);
    if (input.bandPower !== undefined) {
      if (rate === undefined) throw new HeadstartError('INTERNAL', "this head reads band power of the window; give the builder the windows' sample rate");
      this.#bands = bandPowerScratch(windowLength, rate, BAND_SETS[input.bandPower]);
    }
    if (input.spatialCovariance !== undefined) {
      if (rate === undefined) throw new HeadstartError('INTERNAL', "this head reads the channels' covariance in bands; give the builder the windows' sample rate");
      this.#covariance = spatialCovarianceScratch(windowLength, rate, channels, COVARIANCE_SETS[input.spatialCovariance]);
    }
  }

  /**
   * One vector into `out` (size values) from an embedding and the
   * normalized window ([windowLength][channels]) it came from; the window
   * may be omitted when the recipe does not read it.
   */
  build(embedding: ArrayLike<number>, window: ArrayLike<number> | undefined, out: Float32Array | Float64Array): void {
    const dim = this.input.embedding === 'none' ? 0 : this.embeddingSize;
    if (this.input.embedding === 'none') {
      // time-domain features only
    } else if (this.input.embedding === 'l2') {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += embedding[d] * embedding[d];
      const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
      for (let d = 0; d < dim; d++) out[d] = embedding[d] * inv;
    } else {
      for (let d = 0; d < dim; d++) out[d] = Math.sqrt(Math.max(0, embedding[d]));
    }
    if (!usesWindow(this.input)) return;
    if (!window) throw new HeadstartError('INTERNAL', 'this head reads classical features of the window as well as its embedding; pass the window');
    let at = dim;
    if (this.input.timeDomain !== 'none') {
      timeDomainFeaturesInto(window, this.windowLength, this.channels, this.input.timeDomain, out.subarray(at) as Float32Array | Float64Array, this.#scratch);
      at += timeDomainSize(this.input.timeDomain, this.channels);
    }
    if (this.#bands) {
      bandPowerFeaturesInto(window, this.channels, out.subarray(at) as Float32Array | Float64Array, this.#bands);
      at += bandPowerSize(this.channels, this.#bands.bands);
    }
    if (this.#covariance) spatialCovarianceFeaturesInto(window, out.subarray(at) as Float32Array | Float64Array, this.#covariance);
  }
}

/**
 * Windows as the head input needs them: interleaved [count][length][channels],
 * normalized as the extractor saw them, and their sample rate (needed by
 * band power).
 */
export interface WindowsView {
  count: number;
  length: number;
  channels: number;
  x: Float32Array;
  rate?: number;
}

/** Head input vectors of every row of `e` (and the matching windows) as a matrix. */
export function buildHeadInputs(input: HeadInput, e: Embeddings, windows?: WindowsView): Embeddings {
  if (usesWindow(input)) {
    if (!windows) throw new HeadstartError('INTERNAL', 'this head reads classical features of the windows as well as their embeddings; pass the windows');
    if (windows.count !== e.count) throw new HeadstartError('INTERNAL', `${e.count} embeddings but ${windows.count} windows`);
  }
  const length = windows?.length ?? 0;
  const channels = windows?.channels ?? 0;
  const builder = new HeadInputBuilder(input, e.dim, length, channels, windows?.rate);
  const data = new Float32Array(e.count * builder.size);
  const size = length * channels;
  for (let i = 0; i < e.count; i++) {
    builder.build(e.data.subarray(i * e.dim, (i + 1) * e.dim), windows ? windows.x.subarray(i * size, (i + 1) * size) : undefined, data.subarray(i * builder.size, (i + 1) * builder.size));
  }
  return { count: e.count, dim: builder.size, data };
}

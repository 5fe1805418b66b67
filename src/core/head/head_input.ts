/**
 * What a head reads: the frozen extractor's embedding of a window, and
 * optionally classical time-domain features of the same window, joined into
 * one vector. The recipe is part of the head's data, so the device builds
 * exactly the vector the head was fitted on (live = offline).
 *
 * - `embedding: 'l2'`: the embedding scaled to unit length (the heads of
 *   profiles made before the recipe was recorded read this, alone).
 * - `embedding: 'sqrt'`: the square root of each (non-negative) embedding
 *   value: the embedding is a time average of rectified filter outputs, and
 *   the root evens out their spread, as RMS does for MAV.
 * - `embedding: 'none'`: no embedding (the classical baseline, time-domain
 *   features alone).
 * - `timeDomain`: a feature set of core/features/time_domain.ts, or 'none'.
 */
import { HeadstartError } from '../errors.ts';
import { checkTimeDomainSet, type TimeDomainScratch, timeDomainFeaturesInto, timeDomainScratch, type TimeDomainSet, timeDomainSize } from '../features/time_domain.ts';
import type { Embeddings } from './embeddings.ts';

export type EmbeddingTransform = 'l2' | 'sqrt' | 'none';

export interface HeadInput {
  embedding: EmbeddingTransform;
  timeDomain: TimeDomainSet | 'none';
}

/** The recipe of heads that do not record one: the unit-length embedding alone. */
export const EMBEDDING_ONLY: HeadInput = { embedding: 'l2', timeDomain: 'none' };

/** The wearer's head: the embedding joined with the rich time-domain set (bench/RESULTS.md, Personalization ablation). */
export const TRANSFER_INPUT: HeadInput = { embedding: 'sqrt', timeDomain: 'rich' };

/** The classical per-person baseline: log MAV, WL, RMS and variance per channel, no extractor. */
export const CLASSICAL_INPUT: HeadInput = { embedding: 'none', timeDomain: 'td4' };

/** The richer classical baseline: the 13 time-domain features a channel that the wearer's head joins to the embedding, without the embedding. */
export const CLASSICAL_RICH_INPUT: HeadInput = { embedding: 'none', timeDomain: 'rich' };

export function checkHeadInput(value: unknown, where: string): HeadInput {
  const v = value as Partial<HeadInput> | null;
  if (typeof v !== 'object' || v === null) throw new HeadstartError('BAD_PROFILE', `${where}: the head's input recipe must be an object`);
  if (v.embedding !== 'l2' && v.embedding !== 'sqrt' && v.embedding !== 'none') {
    throw new HeadstartError('BAD_PROFILE', `${where}: input.embedding must be "l2", "sqrt" or "none", not ${JSON.stringify(v.embedding)}`);
  }
  if (v.timeDomain !== 'none') checkTimeDomainSet(String(v.timeDomain));
  if (v.embedding === 'none' && v.timeDomain === 'none') throw new HeadstartError('BAD_PROFILE', `${where}: the head input reads nothing (no embedding, no time-domain features)`);
  return { embedding: v.embedding, timeDomain: v.timeDomain as HeadInput['timeDomain'] };
}

export function sameHeadInput(a: HeadInput, b: HeadInput): boolean {
  return a.embedding === b.embedding && a.timeDomain === b.timeDomain;
}

export function usesWindow(input: HeadInput): boolean {
  return input.timeDomain !== 'none';
}

export function headInputSize(input: HeadInput, embeddingSize: number, channels: number): number {
  return (input.embedding === 'none' ? 0 : embeddingSize) + (input.timeDomain === 'none' ? 0 : timeDomainSize(input.timeDomain, channels));
}

/** Builds head input vectors one window at a time, without allocating. */
export class HeadInputBuilder {
  readonly size: number;
  readonly #scratch: TimeDomainScratch;

  constructor(
    readonly input: HeadInput,
    readonly embeddingSize: number,
    readonly windowLength: number,
    readonly channels: number,
  ) {
    this.size = headInputSize(input, embeddingSize, channels);
    this.#scratch = timeDomainScratch(windowLength);
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
    if (this.input.timeDomain === 'none') return;
    if (!window) throw new HeadstartError('INTERNAL', 'this head reads time-domain features of the window as well as its embedding; pass the window');
    timeDomainFeaturesInto(window, this.windowLength, this.channels, this.input.timeDomain, out.subarray(dim) as Float32Array | Float64Array, this.#scratch);
  }
}

/** Windows as the head input needs them: interleaved [count][length][channels], normalized as the extractor saw them. */
export interface WindowsView {
  count: number;
  length: number;
  channels: number;
  x: Float32Array;
}

/** Head input vectors of every row of `e` (and the matching windows) as a matrix. */
export function buildHeadInputs(input: HeadInput, e: Embeddings, windows?: WindowsView): Embeddings {
  if (usesWindow(input)) {
    if (!windows) throw new HeadstartError('INTERNAL', 'this head reads time-domain features of the windows as well as their embeddings; pass the windows');
    if (windows.count !== e.count) throw new HeadstartError('INTERNAL', `${e.count} embeddings but ${windows.count} windows`);
  }
  const length = windows?.length ?? 0;
  const channels = windows?.channels ?? 0;
  const builder = new HeadInputBuilder(input, e.dim, length, channels);
  const data = new Float32Array(e.count * builder.size);
  const size = length * channels;
  for (let i = 0; i < e.count; i++) {
    builder.build(e.data.subarray(i * e.dim, (i + 1) * e.dim), windows ? windows.x.subarray(i * size, (i + 1) * size) : undefined, data.subarray(i * builder.size, (i + 1) * builder.size));
  }
  return { count: e.count, dim: builder.size, data };
}

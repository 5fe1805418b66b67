/**
 * Embeddings of windows by the frozen extractor: the only data a head sees.
 * Whether the extractor ran as float tfjs on a host or as int8 TFLite on a
 * device, heads take the same `Embeddings`.
 */
import { HeadstartError } from '../errors.ts';

export interface Embeddings {
  count: number;
  dim: number;
  /** [count][dim] */
  data: Float32Array;
}

/** Turns a batch of windows into embeddings ([count][dim]). */
export type EmbedFn = (windows: Float32Array, count: number) => Promise<Float32Array> | Float32Array;

/** Scales each row to unit length (rows of zeros stay zero). */
export function l2NormalizeRows(e: Embeddings): Embeddings {
  const out = new Float32Array(e.data.length);
  for (let i = 0; i < e.count; i++) {
    let sum = 0;
    for (let d = 0; d < e.dim; d++) sum += e.data[i * e.dim + d] ** 2;
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let d = 0; d < e.dim; d++) out[i * e.dim + d] = e.data[i * e.dim + d] * inv;
  }
  return { count: e.count, dim: e.dim, data: out };
}

export function selectRows(e: Embeddings, keep: ArrayLike<number>): Embeddings {
  const out = new Float32Array(keep.length * e.dim);
  for (let i = 0; i < keep.length; i++) out.set(e.data.subarray(keep[i] * e.dim, (keep[i] + 1) * e.dim), i * e.dim);
  return { count: keep.length, dim: e.dim, data: out };
}

/** The rows of several matrices of one width, one after another. */
export function concatRows(parts: Embeddings[]): Embeddings {
  const dim = parts[0]?.dim ?? 0;
  const count = parts.reduce((n, p) => n + p.count, 0);
  const data = new Float32Array(count * dim);
  let at = 0;
  for (const p of parts) {
    if (p.dim !== dim) throw new HeadstartError('INTERNAL', `rows of ${p.dim} values cannot join rows of ${dim}`);
    data.set(p.data.subarray(0, p.count * dim), at * dim);
    at += p.count;
  }
  return { count, dim, data };
}

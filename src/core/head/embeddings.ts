/**
 * Embeddings of windows by the frozen extractor: the only data a head sees.
 * Whether the extractor ran as float tfjs on a host or as int8 TFLite on a
 * device, heads take the same `Embeddings`.
 */
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

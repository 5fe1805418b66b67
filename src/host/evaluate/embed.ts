/**
 * Embedding windows with a float tfjs extractor, in batches, on whatever
 * backend is active. (The device path embeds with the int8 TFLite runtime.)
 */
import * as tf from '@tensorflow/tfjs';
import type { Embeddings } from '../../core/head/embeddings.ts';
import type { WindowSet } from '../../core/window_set.ts';

export function embedWindows(extractor: tf.LayersModel, set: WindowSet, batchSize = 1024): Embeddings {
  const dim = (extractor.outputs[0].shape[1] as number) ?? 0;
  const data = new Float32Array(set.count * dim);
  const size = set.length * set.channels;
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const out = tf.tidy(() =>
      (extractor.predict(tf.tensor3d(set.x.subarray(start * size, (start + n) * size), [n, set.length, set.channels])) as tf.Tensor).dataSync(),
    );
    data.set(out as Float32Array, start * dim);
  }
  return { count: set.count, dim, data };
}

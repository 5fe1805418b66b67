/**
 * Embedding windows for evaluate: with a float tfjs extractor, in batches,
 * on whatever backend is active, or with the package's int8 TFLite file on
 * a device runtime.
 */
import * as tf from '@tensorflow/tfjs';
import type { Embeddings } from '../../core/head/embeddings.ts';
import type { WindowSet } from '../../core/window_set.ts';
import { embedWithRuntime } from '../../io/extractor_embed.ts';
import type { LoadedPackage } from '../../io/model_package.ts';
import { openRuntime } from '../../io/runtime/index.ts';
import type { RuntimeChoice } from '../../io/runtime/types.ts';
import { loadLayersModel } from '../../tfjs/model_io.ts';

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

/**
 * How `evaluate` embeds a package's windows: the float tfjs extractor
 * (`runtime` 'float'), or the int8 TFLite file on a device runtime, as the
 * device does. `note` hears why a runtime fell back to another.
 */
export async function packageEmbedder(pkg: LoadedPackage, dir: string, runtime: 'float' | RuntimeChoice, note: (text: string) => void): Promise<(set: WindowSet) => Embeddings> {
  if (runtime === 'float') {
    const model = await loadLayersModel(`${dir}/${pkg.manifest.extractor.floatModel}`);
    return (set) => embedWindows(model, set);
  }
  const opened = openRuntime(pkg.tflite!, { runtime });
  if (opened.fallbackReason) note(opened.fallbackReason);
  return (set) => embedWithRuntime(opened.runtime, pkg.manifest, set);
}

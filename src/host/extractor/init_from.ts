/**
 * Starting an extractor from another's weights (transfer between
 * modalities: an EEG extractor from the EMG one). Layers are matched by
 * name (conv0, bn0, conv1, ...); a layer is copied whole when every one of
 * its weights has the same shape in both, and otherwise left as initialized.
 */
import type * as tf from '@tensorflow/tfjs';

export interface WeightCopy {
  /** Layers copied, with their weights' shapes. */
  copied: { layer: string; shapes: number[][] }[];
  /** Layers with weights left as initialized, and why. */
  skipped: { layer: string; reason: string }[];
}

export function copyMatchingWeights(from: tf.LayersModel, to: tf.LayersModel): WeightCopy {
  const copied: WeightCopy['copied'] = [];
  const skipped: WeightCopy['skipped'] = [];
  const source = new Map(from.layers.map((l) => [l.name, l]));
  for (const layer of to.layers) {
    const target = layer.getWeights();
    if (target.length === 0) continue;
    const other = source.get(layer.name);
    if (!other) {
      skipped.push({ layer: layer.name, reason: 'no layer of that name in the source' });
      continue;
    }
    const weights = other.getWeights();
    const shapes = target.map((w) => w.shape);
    const same = weights.length === target.length && weights.every((w, i) => w.shape.length === shapes[i]!.length && w.shape.every((d, j) => d === shapes[i]![j]));
    if (!same) {
      skipped.push({ layer: layer.name, reason: `shapes ${weights.map((w) => `[${w.shape.join('x')}]`).join(' ')} in the source, [${shapes.map((s) => s.join('x')).join('] [')}] here` });
      continue;
    }
    layer.setWeights(weights);
    copied.push({ layer: layer.name, shapes });
  }
  return { copied, skipped };
}

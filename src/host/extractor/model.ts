/**
 * The 1-D CNN feature extractor and the population classifier on top of it.
 * Built only from layers that map to TensorFlow Lite Micro builtins after
 * batch-norm folding: conv (CONV_2D 1xk), ReLU (fused), max pooling
 * (MAX_POOL_2D), global average pooling (MEAN) and dense (FULLY_CONNECTED).
 */
import * as tf from '@tensorflow/tfjs';
import { checkExtractorConfig, type ExtractorConfig } from './config.ts';

export const EMBEDDING_LAYER = 'embedding';

/** Input [windowLength, channels] -> embedding [config.embedding]. */
export function buildExtractor(cfg: ExtractorConfig, seed: number): tf.LayersModel {
  checkExtractorConfig(cfg);
  const input = tf.input({ shape: [cfg.windowLength, cfg.channels], name: 'window' });
  let x: tf.SymbolicTensor = input;
  cfg.blocks.forEach((b, i) => {
    x = tf.layers
      .conv1d({
        filters: b.filters,
        kernelSize: b.kernel,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
        name: `conv${i}`,
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${i}`, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${i}` }).apply(x) as tf.SymbolicTensor;
    if (b.pool > 1) x = tf.layers.maxPooling1d({ poolSize: b.pool, strides: b.pool, name: `pool${i}` }).apply(x) as tf.SymbolicTensor;
  });
  // The embedding is the time-average of the last block's rectified filter
  // outputs: learned "mean absolute value" features, which per-person linear
  // heads separate well (measured in bench/RESULTS.md against a dense layer on top).
  const embedding = tf.layers.globalAveragePooling1d({ name: EMBEDDING_LAYER }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: embedding, name: 'extractor' });
}

/** Extractor + dropout + softmax over the population classes: what pretraining fits. */
export function buildPopulationClassifier(extractor: tf.LayersModel, classes: number, seed: number, dropout = 0.3): tf.LayersModel {
  const input = extractor.inputs[0];
  let x = extractor.outputs[0];
  x = tf.layers.dropout({ rate: dropout, seed, name: 'head_dropout' }).apply(x) as tf.SymbolicTensor;
  const probs = tf.layers
    .dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 200 }), name: 'population_head' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'population_classifier' });
}

/**
 * Extractor + per-subject heads: one softmax over the gestures for each
 * pretraining person, picked by a mask input (0 on that person's block of
 * logits, -1e9 elsewhere). A person-specific linear head on shared features
 * is exactly what calibration fits later, so training this way asks the
 * features to be linearly separable for each person rather than the same for
 * everyone.
 */
export function buildSubjectHeads(extractor: tf.LayersModel, classes: number, subjects: number, seed: number, dropout = 0.3, sideFeatures = 0): tf.LayersModel {
  const input = extractor.inputs[0];
  const mask = tf.input({ shape: [classes * subjects], name: 'subject_mask' });
  let x = extractor.outputs[0];
  x = tf.layers.dropout({ rate: dropout, seed: seed + 1, name: 'subject_dropout' }).apply(x) as tf.SymbolicTensor;
  // With side features (the window's classical features, standardized), the per-person heads read
  // both, as the wearer's head will: the embedding is pushed to carry what those features lack.
  const side = sideFeatures > 0 ? tf.input({ shape: [sideFeatures], name: 'side_features' }) : undefined;
  if (side) x = tf.layers.concatenate({ name: 'subject_inputs' }).apply([x, side]) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: classes * subjects, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 300 }), name: 'subject_heads' })
    .apply(x) as tf.SymbolicTensor;
  const masked = tf.layers.add({ name: 'subject_masked' }).apply([logits, mask]) as tf.SymbolicTensor;
  const probs = tf.layers.softmax({ name: 'subject_probs' }).apply(masked) as tf.SymbolicTensor;
  return tf.model({ inputs: side ? [input, mask, side] : [input, mask], outputs: probs, name: 'subject_heads' });
}

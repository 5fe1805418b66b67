/**
 * The quantized extractor as a TensorFlow Lite model: one subgraph, batch 1,
 * static shapes, int8 in and out.
 *
 *   input int8 [1, L, C] -> RESHAPE [1, 1, L, C]
 *   -> per block: CONV_2D 1 x k (SAME, fused ReLU) [-> MAX_POOL_2D 1 x p (VALID)]
 *   -> MEAN over axes {1, 2} keep_dims [1, 1, 1, F]
 *   -> FULLY_CONNECTED [1, E] (the embedding; it flattens its input itself)
 *      or, for extractors whose embedding is the mean, RESHAPE [1, F]
 *
 * Every byte of structure counts against the int8 file's size (per-channel
 * scales and zero points alone are 12 bytes per channel per tensor), so the
 * graph has no tensor it does not need: RESHAPE takes its shape from its
 * options, not from a constant tensor, and no reshape precedes the dense layer.
 * MEAN is written in the 4-D keep_dims form with axes {1, 2}: the one both
 * the official runtime and headstart's interpreter compute in integer
 * arithmetic (reference_integer_ops::Mean), so they agree bit for bit.
 */
import { PRODUCER_VERSION } from '../../io/version.ts';
import { encodeHeadstartMetadata, encodeMinRuntimeVersion, HEADSTART_METADATA_KEY, type HeadstartMetadata, MIN_RUNTIME_VERSION_KEY, withMetadata, withServingDefault } from '../../core/tflite/metadata.ts';
import type { Model } from '../../core/tflite/model.ts';
import { GraphBuilder } from '../../core/tflite/interpreter/graph_builder.ts';
import type { QuantizedExtractor } from './quantize.ts';

export const INPUT_TENSOR = 'window';
export const OUTPUT_TENSOR = 'embedding';

/**
 * Operator versions for int8 kernels, as TensorFlow's converter numbers them
 * (tensorflow/lite/tools/versioning/op_version.cc); every one of them needs
 * runtime 1.14.0 at least (runtime_version.cc), hence min_runtime_version.
 */
const INT8_OP_VERSIONS: Readonly<Record<string, number>> = { CONV_2D: 3, MAX_POOL_2D: 2, MEAN: 2, FULLY_CONNECTED: 4, RESHAPE: 1 };
export const MIN_RUNTIME_VERSION = '1.14.0';

/**
 * The int8 extractor as a Model, with its signature and metadata entries.
 * Per-channel input scales go into the headstart metadata (inputChannelScales)
 * so that firmware reading only the file quantizes its input correctly.
 */
export function buildExtractorGraph(q: QuantizedExtractor, meta: Omit<HeadstartMetadata, 'producerVersion' | 'inputChannelScales'>): Model {
  // The builder's random source only feeds its random-weight helpers, which are not used here.
  const g = new GraphBuilder(() => 0);
  const L = q.windowLength;
  const input = g.activation(INPUT_TENSOR, 'int8', [1, L, q.channels], q.input.scale, q.input.zeroPoint);
  let x = g.activationLike('window/nhwc', [1, 1, L, q.channels], input);
  g.op('RESHAPE', [input], [x], { type: 'ReshapeOptions', newShape: [1, 1, L, q.channels] });
  let length = L;
  let inScale = q.input.scale;
  q.convs.forEach((c, i) => {
    const filter = g.constant(`conv${i}/filter`, 'int8', [c.filters, 1, c.kernel, c.inChannels], c.weights, c.weightScales, 0);
    const bias = g.constant(`conv${i}/bias`, 'int32', [c.filters], c.bias, c.weightScales.map((s) => Math.fround(inScale) * s), 0);
    const out = g.activation(`conv${i}`, 'int8', [1, 1, length, c.filters], c.output.scale, c.output.zeroPoint);
    g.op('CONV_2D', [x, filter, bias], [out], {
      type: 'Conv2DOptions',
      padding: 'SAME',
      strideW: 1,
      strideH: 1,
      fusedActivationFunction: c.activation,
      dilationWFactor: 1,
      dilationHFactor: 1,
    });
    x = out;
    if (c.pool > 1) {
      length = Math.floor(length / c.pool);
      const pooled = g.activationLike(`pool${i}`, [1, 1, length, c.filters], out);
      g.op('MAX_POOL_2D', [out], [pooled], { type: 'Pool2DOptions', padding: 'VALID', strideW: c.pool, strideH: 1, filterWidth: c.pool, filterHeight: 1, fusedActivationFunction: 'NONE' });
      x = pooled;
    }
    inScale = c.output.scale;
  });
  const depth = q.convs[q.convs.length - 1].filters;
  const axes = g.constant('mean/axes', 'int32', [2], Int32Array.from([1, 2]));
  const mean = g.activation('mean', 'int8', [1, 1, 1, depth], q.mean.scale, q.mean.zeroPoint);
  g.op('MEAN', [x, axes], [mean], { type: 'ReducerOptions', keepDims: true });
  let embedding: number;
  const dense = q.dense;
  if (dense) {
    const weights = g.constant('dense/weights', 'int8', [dense.units, depth], dense.weights, [dense.weightScale], 0);
    const bias = g.constant('dense/bias', 'int32', [dense.units], dense.bias, [Math.fround(q.mean.scale) * dense.weightScale], 0);
    embedding = g.activation(OUTPUT_TENSOR, 'int8', [1, dense.units], dense.output.scale, dense.output.zeroPoint);
    g.op('FULLY_CONNECTED', [mean, weights, bias], [embedding], {
      type: 'FullyConnectedOptions',
      fusedActivationFunction: 'NONE',
      weightsFormat: 'DEFAULT',
      keepNumDims: false,
      asymmetricQuantizeInputs: false,
    });
  } else {
    embedding = g.activationLike(OUTPUT_TENSOR, [1, depth], mean);
    g.op('RESHAPE', [mean], [embedding], { type: 'ReshapeOptions', newShape: [1, depth] });
  }

  const built = g.build([input], [embedding]);
  let model: Model = {
    ...built,
    description: 'headstart int8 feature extractor',
    operatorCodes: built.operatorCodes.map((c) => ({ ...c, version: INT8_OP_VERSIONS[c.builtin] ?? c.version })),
  };
  model = withMetadata(model, MIN_RUNTIME_VERSION_KEY, encodeMinRuntimeVersion(MIN_RUNTIME_VERSION));
  model = withMetadata(model, HEADSTART_METADATA_KEY, encodeHeadstartMetadata({ ...meta, ...(q.input.channelScales ? { inputChannelScales: q.input.channelScales } : {}), producerVersion: PRODUCER_VERSION }));
  return withServingDefault(model);
}

/**
 * Finds which kernels a backend lacks to train the kinds of layers the
 * extractor and the heads are made of: one tiny model per layer kind (so one
 * failure does not hide the next), one Adam step with an L2 penalty and
 * categorical cross-entropy, on whatever backend is active.
 */
import * as tf from '@tensorflow/tfjs';

export interface ProbeFailure {
  /** The layer kind whose training step failed. */
  layer: string;
  /** The kernel the backend lacks, when that was the cause. */
  missingKernel?: string;
  message: string;
}

const WINDOW: [number, number] = [16, 4];
const CLASSES = 3;

type LayerStack = () => tf.layers.Layer[];

/** As a 2-D (height x 1) image, which is how tfjs runs every 1-D convolution. */
const asImage = (): tf.layers.Layer => tf.layers.reshape({ targetShape: [WINDOW[0], 1, WINDOW[1]] });

const l2 = () => tf.regularizers.l2({ l2: 1e-3 });

export const PROBED_LAYERS: Record<string, LayerStack> = {
  'conv1d same': () => [tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', kernelRegularizer: l2() })],
  'conv1d valid stride 2, stacked': () => [
    tf.layers.conv1d({ filters: 4, kernelSize: 5, strides: 2 }),
    tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same' }),
  ],
  depthwiseConv2d: () => [
    asImage(),
    tf.layers.depthwiseConv2d({ kernelSize: [3, 1], depthMultiplier: 2, padding: 'same' }),
    tf.layers.depthwiseConv2d({ kernelSize: [3, 1], strides: [2, 1] }),
  ],
  separableConv2d: () => [
    asImage(),
    tf.layers.separableConv2d({ filters: 4, kernelSize: [3, 1], padding: 'same' }),
    tf.layers.separableConv2d({ filters: 4, kernelSize: [3, 1], strides: [2, 1], depthwiseRegularizer: l2() }),
  ],
  batchNormalization: () => [tf.layers.batchNormalization()],
  relu: () => [tf.layers.activation({ activation: 'relu' })],
  relu6: () => [tf.layers.reLU({ maxValue: 6 })],
  'elu, leakyReLU': () => [tf.layers.elu(), tf.layers.leakyReLU()],
  maxPooling1d: () => [tf.layers.maxPooling1d({ poolSize: 2 })],
  averagePooling1d: () => [tf.layers.averagePooling1d({ poolSize: 2 })],
  globalAveragePooling1d: () => [tf.layers.globalAveragePooling1d({})],
  globalMaxPooling1d: () => [tf.layers.globalMaxPooling1d({})],
  'dropout, spatialDropout1d': () => [tf.layers.dropout({ rate: 0.3 }), tf.layers.spatialDropout1d({ rate: 0.3 })],
  gaussianNoise: () => [tf.layers.gaussianNoise({ stddev: 0.1 })],
  layerNormalization: () => [tf.layers.layerNormalization()],
};

function trainOneStep(stack: LayerStack): Promise<unknown> {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: WINDOW }));
  for (const layer of stack()) model.add(layer);
  if (model.outputs[0]!.shape.length > 2) model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelRegularizer: l2() }));
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const x = tf.randomNormal([4, ...WINDOW]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), CLASSES);
  return model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 }).finally(() => {
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });
}

/** Trains one step of each probed layer kind on the active backend; returns what failed and why. */
export async function probeTrainingKernels(): Promise<ProbeFailure[]> {
  const failures: ProbeFailure[] = [];
  for (const [layer, stack] of Object.entries(PROBED_LAYERS)) {
    try {
      await trainOneStep(stack);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const missing = /Kernel '(\w+)' not registered/.exec(message)?.[1];
      failures.push(missing === undefined ? { layer, message } : { layer, missingKernel: missing, message });
    }
  }
  return failures;
}

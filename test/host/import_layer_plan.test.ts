// The layer check of `package import`, on topologies written by tfjs itself
// (model.toJSON: what tfjs model.save and tensorflowjs_converter write) and
// on the converter's wrapped form (modelTopology.model_config).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { isHeadstartError } from '../../src/core/errors.ts';
import { planLayers } from '../../src/host/import/layer_plan.ts';

function topologyOf(model: tf.LayersModel): { modelTopology: unknown } {
  const json = model.toJSON(null, false) as unknown as Record<string, unknown>;
  model.dispose();
  return { modelTopology: json };
}

function sequential(layers: tf.layers.Layer[]): { modelTopology: unknown } {
  const m = tf.sequential({ layers });
  return topologyOf(m);
}

function refused(json: unknown, pattern: RegExp, layer: string): void {
  assert.throws(
    () => planLayers(json, 'model.json'),
    (err: unknown) => isHeadstartError(err) && err.code === 'UNSUPPORTED_LAYER' && pattern.test(err.message) && err.message.includes(`'${layer}'`),
  );
}

test('a Keras-style sequential extractor becomes blocks, the average and a dense embedding', () => {
  const json = sequential([
    tf.layers.conv1d({ inputShape: [52, 8], filters: 16, kernelSize: 5, padding: 'same', name: 'conv1d' }),
    tf.layers.batchNormalization({ name: 'bn' }),
    tf.layers.reLU({ name: 're_lu' }),
    tf.layers.maxPooling1d({ poolSize: 2, name: 'pool' }),
    tf.layers.dropout({ rate: 0.3, name: 'dropout' }),
    tf.layers.conv1d({ filters: 24, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false, name: 'conv1d_1' }),
    tf.layers.globalAveragePooling1d({ name: 'gap' }),
    tf.layers.dense({ units: 12, name: 'embedding' }),
    tf.layers.dense({ units: 7, activation: 'softmax', name: 'classifier' }),
  ]);
  const plan = planLayers(json, 'model.json', 'embedding');
  assert.deepEqual(plan.inputShape, [52, 8]);
  assert.deepEqual(plan.blocks, [
    { conv: 'conv1d', batchNorm: 'bn', filters: 16, kernel: 5, useBias: true, activation: 'RELU', pool: 2 },
    { conv: 'conv1d_1', filters: 24, kernel: 3, useBias: false, activation: 'RELU', pool: 1 },
  ]);
  assert.equal(plan.globalAverage, 'gap');
  assert.deepEqual(plan.dense, { layer: 'embedding', units: 12, useBias: true });
  assert.equal(plan.embeddingSize, 12);
  assert.deepEqual(plan.ignoredAfter, ['classifier']);
  assert.deepEqual(plan.skipped, ['dropout']);
  // Without the cut, the classifier would be part of the embedding: refused by name.
  refused(json, /second dense layer.*--embedding-layer/, 'classifier');
});

test("the converter's wrapped topology and a functional chain read the same", () => {
  const input = tf.input({ shape: [40, 4], name: 'window' });
  let x = tf.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu6', name: 'act' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling1d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const { modelTopology } = topologyOf(tf.model({ inputs: input, outputs: x }));
  const wrapped = { modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: modelTopology } };
  const plan = planLayers(wrapped, 'model.json');
  assert.deepEqual(plan.inputShape, [40, 4]);
  assert.deepEqual(plan.blocks, [{ conv: 'c', filters: 8, kernel: 3, useBias: true, activation: 'RELU6', pool: 1 }]);
  assert.equal(plan.dense, undefined);
  assert.equal(plan.embeddingSize, 8, 'the average of the last block is the embedding');
});

test('layers the exporter cannot write are refused by name, with the reason', () => {
  refused(sequential([tf.layers.lstm({ inputShape: [52, 8], units: 8, name: 'lstm' })]), /\(LSTM\) has no counterpart/, 'lstm');
  refused(sequential([tf.layers.conv1d({ inputShape: [52, 8], filters: 4, kernelSize: 3, name: 'valid_conv' }), tf.layers.globalAveragePooling1d({})]), /padding 'valid'/, 'valid_conv');
  refused(
    sequential([tf.layers.conv1d({ inputShape: [52, 8], filters: 4, kernelSize: 3, padding: 'same', name: 'c' }), tf.layers.reLU({ name: 'r' }), tf.layers.batchNormalization({ name: 'late_bn' }), tf.layers.globalAveragePooling1d({})]),
    /cannot be folded/,
    'late_bn',
  );
  refused(sequential([tf.layers.conv1d({ inputShape: [52, 8], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'tanh_conv' }), tf.layers.globalAveragePooling1d({})]), /activation 'tanh'/, 'tanh_conv');
  refused(sequential([tf.layers.conv1d({ inputShape: [52, 8], filters: 4, kernelSize: 3, padding: 'same', name: 'c' }), tf.layers.globalAveragePooling1d({}), tf.layers.dense({ units: 3, activation: 'softmax', name: 'probs' })]), /activation 'softmax'.*--embedding-layer/, 'probs');
  refused(sequential([tf.layers.conv1d({ inputShape: [52, 8], filters: 4, kernelSize: 3, padding: 'same', name: 'c' }), tf.layers.flatten({ name: 'flat' }), tf.layers.dense({ units: 4 })]), /\(Flatten\)/, 'flat');
  refused(sequential([tf.layers.conv1d({ inputShape: [52, 8], filters: 4, kernelSize: 3, padding: 'same', name: 'c' }), tf.layers.maxPooling1d({ poolSize: 3, strides: 1, name: 'overlap' }), tf.layers.globalAveragePooling1d({})]), /pool size = strides/, 'overlap');
});

test('a branching functional model is refused: only a chain exports', () => {
  const input = tf.input({ shape: [52, 8], name: 'window' });
  const a = tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', name: 'a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', name: 'b' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
  const out = tf.layers.globalAveragePooling1d({ name: 'gap' }).apply(sum) as tf.SymbolicTensor;
  refused(topologyOf(tf.model({ inputs: input, outputs: out })), /only a plain chain/, 'b');
});

test('a model with no global average, no topology, or an unknown cut is refused clearly', () => {
  assert.throws(() => planLayers(sequential([tf.layers.conv1d({ inputShape: [52, 8], filters: 4, kernelSize: 3, padding: 'same' })]), 'm.json'), /no GlobalAveragePooling1D/);
  assert.throws(() => planLayers({ format: 'graph-model' }, 'g.json'), (e: unknown) => isHeadstartError(e) && e.code === 'UNKNOWN_FORMAT' && /not a Layers model/.test(e.message));
  assert.throws(() => planLayers(sequential([tf.layers.conv1d({ inputShape: [52, 8], filters: 4, kernelSize: 3, padding: 'same', name: 'c' }), tf.layers.globalAveragePooling1d({ name: 'g' })]), 'm.json', 'nope'), /no such layer \(its layers: c, g\)/);
});

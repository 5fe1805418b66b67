// The pieces of export one at a time: batch-norm folding (against tfjs
// itself), the quantization arithmetic, calibration ranges, and the int8
// graph against the folded float model on the TypeScript interpreter.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectBackend } from '../../src/tfjs/backend.ts';
import { isHeadstartError } from '../../src/core/errors.ts';
import { createRng } from '../../src/core/rng.ts';
import { writeTflite } from '../../src/core/tflite/writer.ts';
import { openTsRuntime } from '../../src/io/runtime/ts_runtime.ts';
import { buildExtractor } from '../../src/host/extractor/model.ts';
import type { ExtractorConfig } from '../../src/host/extractor/config.ts';
import { cosineSimilarity } from '../../src/host/export/agreement.ts';
import { buildExtractorGraph } from '../../src/host/export/build_graph.ts';
import { calibrateRanges, inputChannelRanges } from '../../src/host/export/calibrate.ts';
import { quantizeWindow } from '../../src/io/extractor_embed.ts';
import { type FoldedExtractor, foldExtractor } from '../../src/host/export/fold.ts';
import { forwardFolded, stageNames } from '../../src/host/export/float_forward.ts';
import { asymmetricQuant, inputChannelScales, quantizeBias, quantizeExtractor, type QuantizedExtractor, symmetricQuant } from '../../src/host/export/quantize.ts';

const SMALL: ExtractorConfig = {
  windowLength: 20,
  channels: 3,
  blocks: [
    { filters: 6, kernel: 5, pool: 2 },
    { filters: 8, kernel: 4, pool: 1 },
  ],
  embedding: 8,
};

before(async () => {
  await selectBackend();
});

/** Gives every batch norm non-trivial statistics, as training would. */
function randomizeBatchNorms(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed);
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const n = layer.getWeights()[0].shape[0];
    const vec = (f: () => number) => tf.tensor1d(Array.from({ length: n }, f));
    layer.setWeights([vec(() => 0.5 + rng.next()), vec(() => rng.normal() * 0.3), vec(() => rng.normal() * 0.5), vec(() => 0.2 + rng.next() * 2)]);
  }
}

/** The extractor with a ReLU6 in block 0 and a dense embedding after the mean (the older package shape). */
function denseRelu6Extractor(cfg: ExtractorConfig): tf.LayersModel {
  const input = tf.input({ shape: [cfg.windowLength, cfg.channels] });
  let x = input as tf.SymbolicTensor;
  cfg.blocks.forEach((b, i) => {
    x = tf.layers.conv1d({ filters: b.filters, kernelSize: b.kernel, padding: 'same', useBias: false, name: `conv${i}`, kernelInitializer: tf.initializers.heNormal({ seed: i }) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${i}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${i}`, ...(i === 0 ? { maxValue: 6 } : {}) }).apply(x) as tf.SymbolicTensor;
    if (b.pool > 1) x = tf.layers.maxPooling1d({ poolSize: b.pool, strides: b.pool }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling1d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: cfg.embedding, name: 'embedding', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }), biasInitializer: 'randomNormal' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function randomWindows(cfg: ExtractorConfig, count: number, seed: number, gain = 3): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: count * cfg.windowLength * cfg.channels }, () => rng.normal() * gain);
}

function maxFoldError(model: tf.LayersModel, folded: FoldedExtractor, windows: Float32Array, count: number): { error: number; scale: number } {
  const size = SMALL.windowLength * SMALL.channels;
  const expected = tf.tidy(() => (model.predict(tf.tensor3d(windows, [count, SMALL.windowLength, SMALL.channels])) as tf.Tensor).dataSync());
  let error = 0;
  let scale = 0;
  for (let w = 0; w < count; w++) {
    const got = forwardFolded(folded, windows.subarray(w * size, (w + 1) * size));
    got.forEach((v, d) => {
      error = Math.max(error, Math.abs(v - expected[w * SMALL.embedding + d]));
      scale = Math.max(scale, Math.abs(expected[w * SMALL.embedding + d]));
    });
  }
  return { error, scale };
}

test('folding batch norm keeps the function: the folded float model matches tfjs (mean embedding, odd and even kernels, pooling)', () => {
  const model = buildExtractor(SMALL, 4);
  randomizeBatchNorms(model, 5);
  const folded = foldExtractor(model, SMALL);
  assert.equal(folded.dense, undefined);
  assert.deepEqual(folded.convs.map((c) => c.activation), ['RELU', 'RELU']);
  const { error, scale } = maxFoldError(model, folded, randomWindows(SMALL, 40, 6), 40);
  assert.ok(scale > 0.1, 'outputs are not all zero');
  assert.ok(error < 1e-4 * scale, `max error ${error} at output scale ${scale}`);
});

test('folding handles a dense embedding and a ReLU6 (fused as RELU6)', () => {
  const model = denseRelu6Extractor(SMALL);
  randomizeBatchNorms(model, 7);
  const folded = foldExtractor(model, SMALL);
  assert.ok(folded.dense);
  assert.deepEqual(folded.convs.map((c) => c.activation), ['RELU6', 'RELU']);
  assert.deepEqual(stageNames(folded), ['input', 'conv0', 'conv1', 'mean', 'dense']);
  const { error, scale } = maxFoldError(model, folded, randomWindows(SMALL, 40, 8, 6), 40);
  assert.ok(error < 1e-4 * scale, `max error ${error} at output scale ${scale}`);
});

test('a float model that does not match the config is refused, naming the layer', () => {
  const model = buildExtractor(SMALL, 1);
  assert.throws(() => foldExtractor(model, { ...SMALL, blocks: [...SMALL.blocks, { filters: 8, kernel: 3, pool: 1 }] }), (err) => isHeadstartError(err, 'BAD_PACKAGE') && /conv2/.test(err.message));
  assert.throws(() => foldExtractor(model, { ...SMALL, channels: 4 }), (err) => isHeadstartError(err, 'BAD_PACKAGE') && /conv0 kernel/.test(err.message));
});

test('asymmetric activations: the range always holds 0 exactly; ReLU outputs get zero point -128; the ends map to -128 and 127', () => {
  const relu = asymmetricQuant(0, 5.1);
  assert.equal(relu.zeroPoint, -128);
  assert.equal(relu.scale, Math.fround(5.1 / 255));
  const q = asymmetricQuant(-2, 6);
  assert.equal(q.scale, Math.fround(8 / 255));
  assert.equal(Math.round(-2 / q.scale) + q.zeroPoint, -128);
  assert.equal(Math.round(6 / q.scale) + q.zeroPoint, 127);
  const positive = asymmetricQuant(1, 3); // widened down to 0
  assert.equal(positive.zeroPoint, -128);
  const constant = asymmetricQuant(0, 0);
  assert.ok(constant.scale > 0, 'a stage that never moved still gets a usable scale');
});

test('symmetric weights per channel: each channel\'s largest magnitude becomes +-127; an all-zero channel stays zero', () => {
  const w = Float32Array.from([0.5, -1, 0.25, 0, 0, 0, 2, 1, -0.5]);
  const { q, scales } = symmetricQuant(w, 3);
  assert.deepEqual(scales, [Math.fround(1 / 127), 1, Math.fround(2 / 127)]);
  assert.deepEqual([...q], [64, -127, 32, 0, 0, 0, 127, 64, -32]);
  const whole = symmetricQuant(w, 1);
  assert.deepEqual(whole.scales, [Math.fround(2 / 127)]);
});

test('int32 biases at scale input x weight scale, zero point 0, clamped to int32', () => {
  const b = quantizeBias(Float32Array.from([0.5, -0.25, 1e9]), 0.1, [0.01, 0.02, 0.01]);
  const s0 = Math.fround(0.1) * Math.fround(0.01);
  assert.equal(b[0], Math.round(0.5 / s0));
  assert.equal(b[1], -Math.round(0.25 / (Math.fround(0.1) * Math.fround(0.02))));
  assert.equal(b[2], 2147483647);
});

test('calibration: min/max over every stage, or a percentile that clips rare outliers; bad percentiles are refused', () => {
  const model = buildExtractor(SMALL, 2);
  const folded = foldExtractor(model, SMALL);
  const count = 50;
  const windows = randomWindows(SMALL, count, 3, 1);
  windows[17] = 40; // one outlier sample
  const full = calibrateRanges(folded, windows, count);
  assert.deepEqual(full.map((r) => r.stage), ['input', 'conv0', 'conv1', 'mean']);
  assert.equal(full[0].max, 40);
  assert.equal(full[0].values, count * SMALL.windowLength * SMALL.channels);
  assert.ok(full.slice(1).every((r) => r.min >= 0), 'ReLU stages are never negative');
  const clipped = calibrateRanges(folded, windows, count, { percentile: 99.9 });
  assert.ok(clipped[0].max < 5, `99.9th percentile ${clipped[0].max} leaves the outlier out`);
  assert.equal(clipped[0].observedMax, 40, 'the report still shows what was seen');
  for (const p of [50, 100.5, Number.NaN]) {
    assert.throws(() => calibrateRanges(folded, windows, count, { percentile: p }), (err) => isHeadstartError(err, 'BAD_OPTION'));
  }
});

/** Mean cosine of the int8 graph (TypeScript interpreter, device quantization) against the folded float model. */
function int8Cosine(folded: FoldedExtractor, q: QuantizedExtractor, windows: Float32Array, count: number): number {
  const norm = { offset: [0, 0, 0], scale: [1, 1, 1] };
  const runtime = openTsRuntime(writeTflite(buildExtractorGraph(q, { channels: 3, rate: 100, window: SMALL.windowLength, hop: 1, normalization: norm, embeddingSize: SMALL.embedding })));
  const size = SMALL.windowLength * SMALL.channels;
  const f = new Float32Array(count * SMALL.embedding);
  const g = new Float32Array(count * SMALL.embedding);
  const x = new Int8Array(size);
  for (let w = 0; w < count; w++) {
    const window = windows.subarray(w * size, (w + 1) * size);
    f.set(forwardFolded(folded, window), w * SMALL.embedding);
    quantizeWindow(window, x, q.input);
    const out = runtime.run(x)[0].data as Int8Array;
    for (let d = 0; d < SMALL.embedding; d++) g[w * SMALL.embedding + d] = q.output.scale * (out[d] - q.output.zeroPoint);
  }
  return cosineSimilarity({ count, dim: SMALL.embedding, data: f }, { count, dim: SMALL.embedding, data: g }).mean;
}

test('the int8 graph follows the folded float model (TypeScript interpreter): cosine > 0.995 on held-out windows, for both embedding forms', () => {
  for (const model of [buildExtractor(SMALL, 11), denseRelu6Extractor(SMALL)]) {
    randomizeBatchNorms(model, 12);
    const folded = foldExtractor(model, SMALL);
    const calibration = randomWindows(SMALL, 200, 13);
    const q = quantizeExtractor(folded, calibrateRanges(folded, calibration, 200));
    const cosine = int8Cosine(folded, q, randomWindows(SMALL, 100, 14), 100);
    assert.ok(cosine > 0.995, `mean cosine ${cosine}`);
  }
});

test('per-channel input scales share the zero point and fit each channel\'s range on the int8 grid', () => {
  const zeroPoint = -2;
  const channels = [
    { min: -4, max: 4.2 },
    { min: -12, max: 11 },
    { min: 0.5, max: 3 }, // all positive: the range widens to include 0
    { min: 0, max: 0 }, // a constant channel still gets a usable scale
  ];
  const scales = inputChannelScales(zeroPoint, channels);
  channels.forEach((r, c) => {
    const s = scales[c];
    assert.equal(s, Math.fround(s), 'float32, as a file stores it');
    assert.ok(s > 0);
    // Each end of the range lands on the grid, and the scale is no larger than it must be: one end is at the grid's edge.
    const top = Math.max(r.max, 0) / s + zeroPoint;
    const bottom = Math.min(r.min, 0) / s + zeroPoint;
    assert.ok(top <= 127 + 1e-4 && bottom >= -128 - 1e-4, `channel ${c}: ${bottom} .. ${top}`);
    if (r.max !== r.min) assert.ok(Math.abs(top - 127) < 1e-4 || Math.abs(bottom + 128) < 1e-4, `channel ${c} uses its whole grid`);
  });
  // A zero point at the grid's edge leaves one side no room, and nothing of that sign to hold.
  assert.deepEqual(inputChannelScales(-128, [{ min: 0, max: 2.55 }]), [Math.fround(2.55 / 255)]);
});

test('per-channel input ranges: min/max of each channel, or each channel\'s own percentile', () => {
  const channels = 3;
  const count = 40 * 20;
  const windows = new Float32Array(count * channels);
  for (let i = 0; i < count; i++) {
    windows[i * channels] = (i % 21) - 10; // -10 .. 10
    windows[i * channels + 1] = 0.01 * ((i % 7) - 3); // -0.03 .. 0.03
    windows[i * channels + 2] = i === 5 ? 500 : 1; // one outlier
  }
  const full = inputChannelRanges(windows, channels);
  assert.deepEqual(full.map((r) => [r.min, Math.fround(r.max)]), [[-10, 10], [Math.fround(-0.03), Math.fround(0.03)], [1, 500]]);
  const clipped = inputChannelRanges(windows, channels, { percentile: 99.5 });
  assert.equal(clipped[2].max, 1, 'the outlier is left out');
  assert.throws(() => inputChannelRanges(windows, channels, { percentile: 40 }), (err) => isHeadstartError(err, 'BAD_OPTION'));
});

test('per-channel input scales folded into the first convolution: the graph stays exact, and channels of small spread are no longer lost', (t) => {
  const model = buildExtractor(SMALL, 21);
  randomizeBatchNorms(model, 22);
  // The first channel swings 100x wider than the others, so one input scale leaves them a handful of steps.
  const gains = [30, 0.3, 0.3];
  const spread = (w: Float32Array) => w.map((v, i) => v * gains[i % SMALL.channels]);
  // The first convolution sees every channel at the same weight, so the narrow channels carry the same share of its input.
  const folded = foldExtractor(model, SMALL);
  folded.convs[0].weights.forEach((v, i, w) => (w[i] = v / gains[i % SMALL.channels]));
  const calibration = spread(randomWindows(SMALL, 200, 23, 1));
  const held = spread(randomWindows(SMALL, 100, 24, 1));
  const ranges = calibrateRanges(folded, calibration, 200);
  const perTensor = quantizeExtractor(folded, ranges);
  const perChannel = quantizeExtractor(folded, ranges, { inputChannels: inputChannelRanges(calibration, SMALL.channels) });
  assert.equal(perTensor.input.channelScales, undefined);
  assert.equal(perChannel.input.channelScales!.length, 3);
  assert.equal(perChannel.input.zeroPoint, perTensor.input.zeroPoint, 'one zero point: padding stays real 0 on every channel');
  assert.equal(perChannel.input.scale, Math.max(...perChannel.input.channelScales!));
  assert.ok(perChannel.input.channelScales![1] < perChannel.input.scale / 50, 'the narrow channels get fine steps');
  const tensorCosine = int8Cosine(folded, perTensor, held, 100);
  const channelCosine = int8Cosine(folded, perChannel, held, 100);
  t.diagnostic(`mean cosine: per-tensor input ${tensorCosine.toFixed(5)}, per-channel ${channelCosine.toFixed(5)}`);
  assert.ok(channelCosine > 0.995, `per-channel mean cosine ${channelCosine}`);
  assert.ok(channelCosine > tensorCosine, `per-channel ${channelCosine} beats per-tensor ${tensorCosine}`);
  assert.throws(() => quantizeExtractor(folded, ranges, { inputChannels: [{ min: -1, max: 1 }] }), (err) => isHeadstartError(err, 'INTERNAL'));
});

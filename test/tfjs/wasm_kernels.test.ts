/**
 * The training kernels headstart adds to (or replaces in) the wasm backend
 * must give the cpu backend's results (gradients within 1e-4 of their
 * magnitude, Tile exactly) on random shapes, strides, dilations and
 * paddings, release every intermediate, and let a small layers model train
 * to the same weights as on cpu.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { isHeadstartKernel, registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../src/tfjs/wasm_kernels/index.ts';
import { probeTrainingKernels } from '../../src/tfjs/wasm_kernels/training_probe.ts';
import { createRng, type Rng } from '../../src/core/rng.ts';

const TOLERANCE = 1e-4;
const CASES = 40;

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Pair = [number, number];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: Pair;
  dilations: Pair;
  pad: Pad;
  rounding: Rounding;
}

/** Largest absolute difference relative to the reference's magnitude (at least 1). */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'result sizes differ');
  let diff = 0;
  let magnitude = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    magnitude = Math.max(magnitude, Math.abs(expected[i]!));
  }
  return diff / magnitude;
}

function randomValues(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `body` on `backend` and returns its outputs as plain arrays (nothing stays allocated). */
async function on(backend: 'cpu' | 'wasm', body: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(body);
  const values = outputs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outputs);
  return values;
}

function pick<T>(rng: Rng, options: readonly T[]): T {
  return options[rng.int(options.length)]!;
}

/**
 * A random convolution geometry with a non-empty output. A third of the cases
 * have height 1: that is how tfjs runs conv1d (a [1, k] filter over [B, 1, L, C]).
 * Numeric pads come only with square filters and equal strides and dilations:
 * for a numeric pad tfjs 4.22 computes the output width from the filter
 * height and the row stride (a wrong shape, which the wasm forward kernels
 * then overrun).
 */
function randomCase(
  rng: Rng,
  opts: { depthwise: boolean; dilations: boolean; strides: boolean; rounding: boolean },
): ConvCase {
  for (;;) {
    const oneD = rng.int(3) === 0;
    const inC = 1 + rng.int(4);
    const fh = oneD ? 1 : 1 + rng.int(4);
    const fw = 1 + rng.int(5);
    const filter: ConvCase['filter'] = [fh, fw, inC, opts.depthwise ? 1 + rng.int(3) : 1 + rng.int(5)];
    const x: ConvCase['x'] = [1 + rng.int(3), oneD ? 1 : 1 + rng.int(10), 1 + rng.int(14), inC];
    const strides: Pair = opts.strides ? [oneD ? 1 : 1 + rng.int(3), 1 + rng.int(3)] : [1, 1];
    const dilations: Pair = opts.dilations ? [oneD ? 1 : 1 + rng.int(3), 1 + rng.int(3)] : [1, 1];
    const symmetric = fh === fw && strides[0] === strides[1] && dilations[0] === dilations[1];
    const padKinds = symmetric ? ['same', 'valid', 'explicit', 'number'] : ['same', 'valid', 'explicit'];
    const kind = pick(rng, padKinds);
    const pad: Pad =
      kind === 'explicit'
        ? [[0, 0], [rng.int(4), rng.int(4)], [rng.int(4), rng.int(4)], [0, 0]]
        : kind === 'number'
          ? rng.int(3)
          : (kind as 'same' | 'valid');
    const rounding: Rounding = kind === 'number' && opts.rounding ? pick(rng, ['floor', 'round', 'ceil'] as const) : undefined;
    const info = tf.backend_util.computeConv2DInfo(x, filter, strides, dilations, pad, rounding, opts.depthwise);
    if (info.outHeight >= 1 && info.outWidth >= 1) return { x, filter, strides, dilations, pad, rounding };
  }
}

function describeCase(c: ConvCase): string {
  return JSON.stringify(c);
}

/** The filter with (dilation - 1) zeros between taps: a dilated convolution as an undilated one. */
function stuffFilter(values: Float32Array, shape: ConvCase['filter'], [dh, dw]: Pair): { values: Float32Array; shape: ConvCase['filter'] } {
  const [fh, fw, c, m] = shape;
  const big: ConvCase['filter'] = [(fh - 1) * dh + 1, (fw - 1) * dw + 1, c, m];
  const out = new Float32Array(size(big));
  for (let i = 0; i < fh; i++)
    for (let j = 0; j < fw; j++)
      for (let k = 0; k < c * m; k++) out[((i * dh) * big[1] + j * dw) * c * m + k] = values[(i * fw + j) * c * m + k]!;
  return { values: out, shape: big };
}

/** The taps of a stuffed filter's gradient that belong to the real filter. */
function unstuffFilter(values: Float32Array, shape: ConvCase['filter'], [dh, dw]: Pair): Float32Array {
  const [fh, fw, c, m] = shape;
  const bigW = (fw - 1) * dw + 1;
  const out = new Float32Array(size(shape));
  for (let i = 0; i < fh; i++)
    for (let j = 0; j < fw; j++)
      for (let k = 0; k < c * m; k++) out[(i * fw + j) * c * m + k] = values[((i * dh) * bigW + j * dw) * c * m + k]!;
  return out;
}

before(async () => {
  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'), 'the wasm backend did not initialise');
});

describe('registration', () => {
  test('registers each kernel once; a second call changes nothing and does not throw', () => {
    assert.deepEqual(registerWasmTrainingKernels(), []);
    for (const config of WASM_TRAINING_KERNELS) assert.ok(isHeadstartKernel(config.kernelName), config.kernelName);
    assert.ok(isHeadstartKernel('Conv2DBackpropInput'), 'the slow built-in input gradient is replaced');
    assert.ok(isHeadstartKernel('Tile'), 'the slow built-in Tile is replaced');
  });

  test('the wasm backend now has every convolution gradient kernel the cpu backend has', () => {
    const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const gradients = tf.getKernelsForBackend('cpu').map((k) => k.kernelName).filter((n) => /Conv.*Backprop/.test(n));
    assert.ok(gradients.length >= 5);
    assert.deepEqual(gradients.filter((n) => !wasm.has(n)), []);
  });

  test('one training step of every probed layer kind runs on wasm', async () => {
    await tf.setBackend('wasm');
    assert.deepEqual(await probeTrainingKernels(), []);
  });
});

describe('gradients through tf.grads equal the cpu backend', () => {
  test(`conv2d: dx and dW on ${CASES} random geometries`, async () => {
    const rng = createRng(20240601);
    for (let n = 0; n < CASES; n++) {
      const c = randomCase(rng, { depthwise: false, dilations: false, strides: true, rounding: false });
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const xv = randomValues(rng, size(c.x));
      const wv = randomValues(rng, size(c.filter));
      const weights = randomValues(rng, size(info.outShape));
      const run = () => {
        const loss = (x: tf.Tensor, w: tf.Tensor) =>
          tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad).mul(tf.tensor(weights, info.outShape)).sum();
        return tf.grads(loss)([tf.tensor(xv, c.x), tf.tensor(wv, c.filter)]);
      };
      const [cpuDx, cpuDw] = await on('cpu', run);
      const [wasmDx, wasmDw] = await on('wasm', run);
      assert.ok(relativeError(wasmDw!, cpuDw!) <= TOLERANCE, `dW differs: ${describeCase(c)}`);
      assert.ok(relativeError(wasmDx!, cpuDx!) <= TOLERANCE, `dx differs: ${describeCase(c)}`);
    }
  });

  test(`depthwiseConv2d: dx and dW on ${CASES} random geometries`, async () => {
    const rng = createRng(77);
    for (let n = 0; n < CASES; n++) {
      const c = randomCase(rng, { depthwise: true, dilations: false, strides: true, rounding: false });
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, true);
      const xv = randomValues(rng, size(c.x));
      const wv = randomValues(rng, size(c.filter));
      const weights = randomValues(rng, size(info.outShape));
      const run = () => {
        const loss = (x: tf.Tensor, w: tf.Tensor) =>
          tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad).mul(tf.tensor(weights, info.outShape)).sum();
        return tf.grads(loss)([tf.tensor(xv, c.x), tf.tensor(wv, c.filter)]);
      };
      const [cpuDx, cpuDw] = await on('cpu', run);
      const [wasmDx, wasmDw] = await on('wasm', run);
      assert.ok(relativeError(wasmDw!, cpuDw!) <= TOLERANCE, `dW differs: ${describeCase(c)}`);
      assert.ok(relativeError(wasmDx!, cpuDx!) <= TOLERANCE, `dx differs: ${describeCase(c)}`);
    }
  });
});

describe('kernels called directly equal the reference', () => {
  test(`Conv2DBackpropFilter and Conv2DBackpropInput with numeric pads and every rounding mode, ${CASES} cases`, async () => {
    const rng = createRng(5);
    for (let n = 0; n < CASES; n++) {
      const c = randomCase(rng, { depthwise: false, dilations: false, strides: true, rounding: true });
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.rounding);
      const xv = randomValues(rng, size(c.x));
      const wv = randomValues(rng, size(c.filter));
      const dyv = randomValues(rng, size(info.outShape));
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.rounding };
      const run = () => {
        const dy = tf.tensor(dyv, info.outShape);
        return [
          tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(xv, c.x), dy }, { ...attrs, filterShape: c.filter } as never) as tf.Tensor,
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: tf.tensor(wv, c.filter) }, { ...attrs, inputShape: c.x } as never) as tf.Tensor,
        ];
      };
      const [expectedDw, expectedDx] = await on('cpu', run);
      const [actualDw, actualDx] = await on('wasm', run);
      assert.ok(relativeError(actualDw!, expectedDw!) <= TOLERANCE, `dW differs: ${describeCase(c)}`);
      assert.ok(relativeError(actualDx!, expectedDx!) <= TOLERANCE, `dx differs: ${describeCase(c)}`);
    }
  });

  // tfjs refuses to differentiate dilated convolutions and the cpu kernels
  // ignore dilations, so the reference here is the cpu kernel applied to the
  // equivalent undilated filter (zeros between the taps).
  test(`DepthwiseConv2dNativeBackpropFilter with strides and dilations, ${CASES} cases`, async () => {
    const rng = createRng(99);
    for (let n = 0; n < CASES; n++) {
      const c = randomCase(rng, { depthwise: true, dilations: true, strides: true, rounding: false });
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true);
      const xv = randomValues(rng, size(c.x));
      const dyv = randomValues(rng, size(info.outShape));
      const stuffed = stuffFilter(new Float32Array(size(c.filter)), c.filter, c.dilations).shape;
      const kernel = (filterShape: number[], dilations: Pair) => () => [
        tf.engine().runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, info.outShape) },
          { strides: c.strides, dilations, pad: c.pad, filterShape } as never,
        ) as tf.Tensor,
      ];
      const [expectedStuffed] = await on('cpu', kernel(stuffed, [1, 1]));
      const [actual] = await on('wasm', kernel(c.filter, c.dilations));
      const expected = unstuffFilter(expectedStuffed!, c.filter, c.dilations);
      assert.ok(relativeError(actual!, expected) <= TOLERANCE, describeCase(c));
    }
  });

  test(`DepthwiseConv2dNativeBackpropInput with strides and dilations, ${CASES} cases`, async () => {
    const rng = createRng(1234);
    for (let n = 0; n < CASES; n++) {
      const c = randomCase(rng, { depthwise: true, dilations: true, strides: true, rounding: false });
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true);
      const wv = randomValues(rng, size(c.filter));
      const dyv = randomValues(rng, size(info.outShape));
      const stuffed = stuffFilter(wv, c.filter, c.dilations);
      const kernel = (values: Float32Array, shape: number[], dilations: Pair) => () => [
        tf.engine().runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: tf.tensor(dyv, info.outShape), filter: tf.tensor(values, shape) },
          { strides: c.strides, dilations, pad: c.pad, inputShape: c.x } as never,
        ) as tf.Tensor,
      ];
      const [expected] = await on('cpu', kernel(stuffed.values, stuffed.shape, [1, 1]));
      const [actual] = await on('wasm', kernel(wv, c.filter, c.dilations));
      assert.ok(relativeError(actual!, expected!) <= TOLERANCE, describeCase(c));
    }
  });

  test(`Tile equals the cpu backend exactly on ${CASES} random shapes, repeats and dtypes`, async () => {
    const rng = createRng(4242);
    for (let n = 0; n < CASES; n++) {
      const rank = 1 + rng.int(5);
      const shape = Array.from({ length: rank }, () => 1 + rng.int(4));
      const reps = Array.from({ length: rank }, () => 1 + rng.int(3));
      const dtype = pick(rng, ['float32', 'int32', 'bool'] as const);
      const values = Array.from({ length: size(shape) }, () => (dtype === 'float32' ? rng.normal() : rng.int(3) - 1));
      const run = () => [tf.tile(tf.tensor(values, shape, dtype), reps)];
      await tf.setBackend('cpu');
      const expected = tf.tidy(run)[0]!;
      const expectedValues = Array.from(expected.dataSync());
      expected.dispose();
      await tf.setBackend('wasm');
      const actual = tf.tidy(run)[0]!;
      const context = JSON.stringify({ shape, reps, dtype });
      assert.equal(actual.dtype, dtype, context);
      assert.deepEqual(Array.from(actual.dataSync()), expectedValues, context);
      actual.dispose();
    }
  });

  test('every intermediate is released: the wasm backend holds no more data afterwards', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.randomNormal([2, 9, 7, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 2, 3, 2]) as tf.Tensor4D;
    const before = { tensors: tf.memory().numTensors, data: backend.numDataIds() };
    tf.tidy(() => {
      tf.tile(x, [2, 1, 3, 1]);
      tf.tile(x.cast('bool'), [1, 2, 1, 2]);
    });
    for (const pad of ['same', 'valid'] as const) {
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b.reshape([3, 2, 3, 2]) as tf.Tensor4D, 2, pad).sum())([x, w]));
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], pad).sum())([x, w]));
    }
    assert.deepEqual({ tensors: tf.memory().numTensors, data: backend.numDataIds() }, before);
    tf.dispose([x, w]);
  });

  test('a dy that does not match the convolution is refused, not written past', async () => {
    await tf.setBackend('wasm');
    assert.throws(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.zeros([1, 8, 8, 2]), dy: tf.zeros([1, 3, 3, 4]) },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 4] } as never,
        ),
      (err: Error) => (err as { code?: string }).code === 'INTERNAL',
    );
  });
});

describe('a small layers model trains to the same weights on wasm as on cpu', () => {
  const WINDOW = [24, 4];
  const CLASSES = 5;
  const STEPS = 4;

  function build(): tf.LayersModel {
    const l2 = () => tf.regularizers.l2({ l2: 1e-3 });
    const model = tf.sequential();
    // No bias before batch norm (as in the extractor): its true gradient is
    // zero, and Adam would turn float noise of either backend into full steps.
    model.add(tf.layers.conv1d({ inputShape: WINDOW, filters: 8, kernelSize: 5, padding: 'same', useBias: false, kernelRegularizer: l2() }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.reLU());
    model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
    model.add(tf.layers.conv1d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid' }));
    model.add(tf.layers.reLU({ maxValue: 6 }));
    model.add(tf.layers.reshape({ targetShape: [5, 1, 8] }));
    model.add(tf.layers.separableConv2d({ filters: 6, kernelSize: [3, 1], padding: 'same', depthMultiplier: 2 }));
    model.add(tf.layers.reshape({ targetShape: [5, 6] }));
    model.add(tf.layers.averagePooling1d({ poolSize: 2, padding: 'same' }));
    model.add(tf.layers.globalAveragePooling1d({}));
    model.add(tf.layers.dense({ units: 16, activation: 'relu', kernelRegularizer: l2() }));
    model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
    return model;
  }

  async function train(backend: 'cpu' | 'wasm', initial: Float32Array[], xs: Float32Array, labels: Int32Array): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    const model = build();
    model.setWeights(initial.map((v, i) => tf.tensor(v, model.getWeights()[i]!.shape)));
    const optimizer = tf.train.adam(0.01);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const x = tf.tensor(xs, [labels.length, ...WINDOW]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
    for (let step = 0; step < STEPS; step++) await model.trainOnBatch(x, y);
    const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
    return weights;
  }

  test(`${STEPS} Adam steps with batch norm, conv1d, separable conv, pooling and L2`, async () => {
    const rng = createRng(31);
    await tf.setBackend('cpu');
    const template = build();
    const initial = template.getWeights().map((w) => Float32Array.from(w.dataSync()));
    template.dispose();
    const batch = 16;
    const xs = randomValues(rng, batch * size(WINDOW));
    const labels = Int32Array.from({ length: batch }, () => rng.int(CLASSES));
    const cpu = await train('cpu', initial, xs, labels);
    const wasm = await train('wasm', initial, xs, labels);
    assert.equal(wasm.length, cpu.length);
    let moved = 0;
    for (let i = 0; i < cpu.length; i++) {
      assert.ok(relativeError(wasm[i]!, cpu[i]!) <= TOLERANCE, `weight ${i} differs between backends`);
      moved = Math.max(moved, relativeError(cpu[i]!, initial[i]!));
    }
    // The comparison means something only if training changed the weights.
    assert.ok(moved > 1e-3, `training did not move the weights (max change ${moved})`);
  });
});

/**
 * Models built in code for checking the interpreter against the native
 * runtime: one small model per operator variant, and a conv1d-like feature
 * extractor (the shape of headstart's exported extractor: 1xK convolutions
 * over [1, 1, time, channels], per-channel int8 weights, a depthwise stage, a
 * residual ADD, pooling, a MEAN over time and a FULLY_CONNECTED embedding).
 */
import type { Model } from '../model.ts';
import { GraphBuilder, seededUniform } from './graph_builder.ts';

const ACT_STD_INT = 74; // std of a uniform int8 value, to size output scales

function zp(g: GraphBuilder): number {
  return Math.round(g.random() * 100) - 90;
}

/** An output scale that keeps a sum of `n` products mostly inside int8. */
function productScale(n: number, inScale: number, wScale: number): number {
  return Math.fround((Math.sqrt(n) * inScale * ACT_STD_INT * wScale * 73) / 40);
}

interface ConvSpec {
  inShape: [number, number, number, number];
  outC: number;
  kH: number;
  kW: number;
  padding: 'SAME' | 'VALID';
  stride: number;
  dilation: number;
  activation: string;
}

function addConv(g: GraphBuilder, input: number, inScale: number, s: ConvSpec, name: string): { out: number; scale: number } {
  const [n, h, w, c] = s.inShape;
  const w8 = g.weights(`${name}/filter`, [s.outC, s.kH, s.kW, c], s.outC, 0);
  const bias = g.bias(`${name}/bias`, inScale, w8.scales);
  const outSize = (len: number, k: number): number => {
    const eff = (k - 1) * s.dilation + 1;
    return s.padding === 'SAME' ? Math.ceil(len / s.stride) : Math.floor((len - eff + s.stride) / s.stride);
  };
  const scale = productScale(s.kH * s.kW * c, inScale, w8.scales[0]!);
  const out = g.activation(name, 'int8', [n, outSize(h, s.kH), outSize(w, s.kW), s.outC], scale, s.activation === 'NONE' ? zp(g) : -128);
  g.op('CONV_2D', [input, w8.index, bias], [out], {
    type: 'Conv2DOptions',
    padding: s.padding,
    strideW: s.stride,
    strideH: s.stride,
    fusedActivationFunction: s.activation,
    dilationWFactor: s.dilation,
    dilationHFactor: s.dilation,
  });
  return { out, scale };
}

function addDepthwise(g: GraphBuilder, input: number, inScale: number, shape: [number, number, number, number], multiplier: number, kW: number, padding: 'SAME' | 'VALID', stride: number, name: string): { out: number; scale: number; shape: [number, number, number, number] } {
  const [n, h, w, c] = shape;
  const outC = c * multiplier;
  const w8 = g.weights(`${name}/filter`, [1, 1, kW, outC], outC, 3);
  const bias = g.bias(`${name}/bias`, inScale, w8.scales);
  const outW = padding === 'SAME' ? Math.ceil(w / stride) : Math.floor((w - kW + stride) / stride);
  const scale = productScale(kW, inScale, w8.scales[0]!);
  const outShape: [number, number, number, number] = [n, h, outW, outC];
  const out = g.activation(name, 'int8', outShape, scale, -128);
  g.op('DEPTHWISE_CONV_2D', [input, w8.index, bias], [out], {
    type: 'DepthwiseConv2DOptions',
    padding,
    strideW: stride,
    strideH: 1,
    depthMultiplier: multiplier,
    fusedActivationFunction: 'RELU',
    dilationWFactor: 1,
    dilationHFactor: 1,
  });
  return { out, scale, shape: outShape };
}

export interface ExtractorOptions {
  timeSteps?: number;
  channels?: number;
  filters?: number;
  embedding?: number;
  /** Float32 input with a QUANTIZE first and a DEQUANTIZE last. */
  floatInput?: boolean;
}

/** The conv1d-like extractor: [1, 1, time, channels] int8 (or float32) in, [1, embedding] out. */
export function conv1dExtractorModel(seed: number, options: ExtractorOptions = {}): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const T = options.timeSteps ?? 52;
  const C = options.channels ?? 8;
  const F = options.filters ?? 32;
  const E = options.embedding ?? 64;
  const inScale = Math.fround(1 / 128);
  const inZp = 0;
  let modelInput: number;
  let x: number;
  if (options.floatInput) {
    modelInput = g.activation('input_float', 'float32', [1, 1, T, C]);
    x = g.activation('input_q', 'int8', [1, 1, T, C], inScale, inZp);
    g.op('QUANTIZE', [modelInput], [x]);
  } else {
    modelInput = x = g.activation('input', 'int8', [1, 1, T, C], inScale, inZp);
  }
  const c1 = addConv(g, x, inScale, { inShape: [1, 1, T, C], outC: F, kH: 1, kW: 7, padding: 'SAME', stride: 1, dilation: 1, activation: 'RELU' }, 'conv1');
  const d1 = addDepthwise(g, c1.out, c1.scale, [1, 1, T, F], 1, 5, 'SAME', 1, 'dw1');
  const c2 = addConv(g, d1.out, d1.scale, { inShape: [1, 1, T, F], outC: F, kH: 1, kW: 1, padding: 'SAME', stride: 1, dilation: 1, activation: 'NONE' }, 'pw1');
  const sumScale = Math.fround(Math.max(c1.scale, c2.scale) * 1.5);
  const sum = g.activation('residual', 'int8', [1, 1, T, F], sumScale, zp(g));
  g.op('ADD', [c1.out, c2.out], [sum], { type: 'AddOptions', fusedActivationFunction: 'RELU', potScaleInt16: true });
  const pooledW = Math.ceil(T / 2);
  const pooled = g.activationLike('pool', [1, 1, pooledW, F], sum);
  g.op('MAX_POOL_2D', [sum], [pooled], { type: 'Pool2DOptions', padding: 'SAME', strideW: 2, strideH: 1, filterWidth: 2, filterHeight: 1, fusedActivationFunction: 'NONE' });
  const c3 = addConv(g, pooled, sumScale, { inShape: [1, 1, pooledW, F], outC: F, kH: 1, kW: 5, padding: 'VALID', stride: 1, dilation: 2, activation: 'RELU' }, 'conv2');
  const axes = g.constant('mean/axes', 'int32', [2], Int32Array.from([1, 2]));
  const meanScale = Math.fround(c3.scale / 2);
  const mean = g.activation('mean', 'int8', [1, 1, 1, F], meanScale, zp(g));
  g.op('MEAN', [c3.out, axes], [mean], { type: 'ReducerOptions', keepDims: true });
  const shape = g.constant('flatten/shape', 'int32', [2], Int32Array.from([1, F]));
  const flat = g.activationLike('flatten', [1, F], mean);
  g.op('RESHAPE', [mean, shape], [flat], { type: 'ReshapeOptions', newShape: [1, F] });
  const fcW = g.weights('embedding/weights', [E, F], 1, 0);
  const fcB = g.bias('embedding/bias', meanScale, new Array<number>(E).fill(fcW.scales[0]!));
  const embScale = productScale(F, meanScale, fcW.scales[0]!);
  const emb = g.activation('embedding', 'int8', [1, E], embScale, zp(g));
  g.op('FULLY_CONNECTED', [flat, fcW.index, fcB], [emb], { type: 'FullyConnectedOptions', fusedActivationFunction: 'NONE', weightsFormat: 'DEFAULT', keepNumDims: false, asymmetricQuantizeInputs: false });
  if (!options.floatInput) return g.build([modelInput], [emb]);
  const out = g.activation('embedding_float', 'float32', [1, E]);
  g.op('DEQUANTIZE', [emb], [out]);
  return g.build([modelInput], [out]);
}

/** One block of a conv stack: a 1 x kernel CONV_2D (SAME, RELU), then a max-pool over time by `pool` (1 = none). */
export interface ConvStackBlock {
  filters: number;
  kernel: number;
  pool: number;
}

export interface ConvStackOptions {
  windowLength: number;
  channels: number;
  blocks: readonly ConvStackBlock[];
  embedding: number;
}

/**
 * The graph headstart's exporter writes for an extractor config (the shape of
 * src/host/extractor, passed in so that core does not depend on host): int8
 * [1, time, channels] in, RESHAPE to [1, 1, time, channels], per block a
 * CONV_2D 1 x k (SAME, fused RELU, per-channel weights) and a MAX_POOL_2D
 * 1 x pool, MEAN over axes [1, 2], FULLY_CONNECTED (per-tensor weights) to an
 * int8 [1, embedding]. Weights and quantization are random but plausible; the
 * input zero point is not 0, so the input offset is exercised.
 */
export function convStackExtractorModel(seed: number, cfg: ConvStackOptions): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const inScale = Math.fround(1 / 64);
  const input = g.activation('window', 'int8', [1, cfg.windowLength, cfg.channels], inScale, zp(g));
  const shape4 = g.constant('to_nhwc/shape', 'int32', [4], Int32Array.from([1, 1, cfg.windowLength, cfg.channels]));
  let x = g.activationLike('to_nhwc', [1, 1, cfg.windowLength, cfg.channels], input);
  g.op('RESHAPE', [input, shape4], [x], { type: 'ReshapeOptions', newShape: [1, 1, cfg.windowLength, cfg.channels] });
  let scale = inScale;
  let length = cfg.windowLength;
  let depth = cfg.channels;
  cfg.blocks.forEach((b, i) => {
    const conv = addConv(g, x, scale, { inShape: [1, 1, length, depth], outC: b.filters, kH: 1, kW: b.kernel, padding: 'SAME', stride: 1, dilation: 1, activation: 'RELU' }, `conv${i}`);
    x = conv.out;
    scale = conv.scale;
    depth = b.filters;
    if (b.pool > 1) {
      const pooledLength = Math.floor(length / b.pool);
      const pooled = g.activationLike(`pool${i}`, [1, 1, pooledLength, depth], x);
      g.op('MAX_POOL_2D', [x], [pooled], { type: 'Pool2DOptions', padding: 'VALID', strideW: b.pool, strideH: 1, filterWidth: b.pool, filterHeight: 1, fusedActivationFunction: 'NONE' });
      x = pooled;
      length = pooledLength;
    }
  });
  const axes = g.constant('gap/axes', 'int32', [2], Int32Array.from([1, 2]));
  const meanScale = Math.fround(scale / 2);
  const mean = g.activation('gap', 'int8', [1, depth], meanScale, zp(g));
  g.op('MEAN', [x, axes], [mean], { type: 'ReducerOptions', keepDims: false });
  const fcW = g.weights('embedding/weights', [cfg.embedding, depth], 1, 0);
  const fcB = g.bias('embedding/bias', meanScale, new Array<number>(cfg.embedding).fill(fcW.scales[0]!));
  const emb = g.activation('embedding', 'int8', [1, cfg.embedding], productScale(depth, meanScale, fcW.scales[0]!), zp(g));
  g.op('FULLY_CONNECTED', [mean, fcW.index, fcB], [emb], { type: 'FullyConnectedOptions', fusedActivationFunction: 'NONE', weightsFormat: 'DEFAULT', keepNumDims: false, asymmetricQuantizeInputs: false });
  return g.build([input], [emb]);
}

export interface NamedModel {
  name: string;
  model: Model;
}

function convCase(seed: number, spec: ConvSpec): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const inScale = Math.fround(0.02 + g.random() * 0.05);
  const input = g.activation('input', 'int8', spec.inShape, inScale, zp(g));
  const { out } = addConv(g, input, inScale, spec, 'conv');
  return g.build([input], [out]);
}

function depthwiseCase(seed: number, shape: [number, number, number, number], multiplier: number, kW: number, padding: 'SAME' | 'VALID', stride: number): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const inScale = Math.fround(0.02 + g.random() * 0.05);
  const input = g.activation('input', 'int8', shape, inScale, zp(g));
  const { out } = addDepthwise(g, input, inScale, shape, multiplier, kW, padding, stride, 'dw');
  return g.build([input], [out]);
}

export function fullyConnectedCase(seed: number, batches: number, depth: number, units: number, perChannel: boolean, activation: string): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const inScale = Math.fround(0.02 + g.random() * 0.05);
  const input = g.activation('input', 'int8', [batches, depth], inScale, zp(g));
  const w = g.weights('weights', [units, depth], perChannel ? units : 1, 0);
  const biasTensor = g.bias('bias', inScale, perChannel ? w.scales : new Array<number>(units).fill(w.scales[0]!));
  const out = g.activation('output', 'int8', [batches, units], productScale(depth, inScale, w.scales[0]!), zp(g));
  g.op('FULLY_CONNECTED', [input, w.index, biasTensor], [out], { type: 'FullyConnectedOptions', fusedActivationFunction: activation, weightsFormat: 'DEFAULT', keepNumDims: false, asymmetricQuantizeInputs: false });
  return g.build([input], [out]);
}

function poolCase(seed: number, builtin: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D', shape: [number, number, number, number], fH: number, fW: number, stride: number, padding: 'SAME' | 'VALID', activation: string): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const input = g.activation('input', 'int8', shape, Math.fround(0.05), zp(g));
  const size = (len: number, k: number): number => (padding === 'SAME' ? Math.ceil(len / stride) : Math.floor((len - k + stride) / stride));
  const out = g.activationLike('output', [shape[0], size(shape[1], fH), size(shape[2], fW), shape[3]], input);
  g.op(builtin, [input], [out], { type: 'Pool2DOptions', padding, strideW: stride, strideH: stride, filterWidth: fW, filterHeight: fH, fusedActivationFunction: activation });
  return g.build([input], [out]);
}

function meanCase(seed: number, shape: number[], axes: number[], keepDims: boolean, sameQuantization: boolean): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const inScale = Math.fround(0.05);
  const input = g.activation('input', 'int8', shape, inScale, zp(g));
  const axisTensor = g.constant('axes', 'int32', [axes.length], Int32Array.from(axes));
  const resolved = axes.map((a) => (a < 0 ? a + shape.length : a));
  const outShape = keepDims ? shape.map((d, i) => (resolved.includes(i) ? 1 : d)) : shape.filter((_, i) => !resolved.includes(i));
  const out = sameQuantization ? g.activationLike('output', outShape, input) : g.activation('output', 'int8', outShape, Math.fround(inScale * (0.3 + g.random() * 0.5)), zp(g));
  g.op('MEAN', [input, axisTensor], [out], { type: 'ReducerOptions', keepDims });
  return g.build([input], [out]);
}

function addCase(seed: number, shape1: number[], shape2: number[], outShape: number[], activation: string): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const s1 = Math.fround(0.02 + g.random() * 0.05);
  const s2 = Math.fround(0.02 + g.random() * 0.05);
  const a = g.activation('a', 'int8', shape1, s1, zp(g));
  const b = g.activation('b', 'int8', shape2, s2, zp(g));
  const out = g.activation('sum', 'int8', outShape, Math.fround((s1 + s2) * 1.2), zp(g));
  g.op('ADD', [a, b], [out], { type: 'AddOptions', fusedActivationFunction: activation, potScaleInt16: true });
  return g.build([a, b], [out]);
}

function softmaxCase(seed: number, shape: number[], beta: number): Model {
  const g = new GraphBuilder(seededUniform(seed));
  const input = g.activation('logits', 'int8', shape, Math.fround(0.05 + g.random() * 0.1), zp(g));
  const out = g.activation('probs', 'int8', shape, 1 / 256, -128);
  g.op('SOFTMAX', [input], [out], { type: 'SoftmaxOptions', beta });
  return g.build([input], [out]);
}

function quantizeCases(seed: number): NamedModel[] {
  const g1 = new GraphBuilder(seededUniform(seed));
  const f = g1.activation('x', 'float32', [1, 50]);
  const q = g1.activation('q', 'int8', [1, 50], Math.fround(0.0173), -7);
  g1.op('QUANTIZE', [f], [q]);
  const g2 = new GraphBuilder(seededUniform(seed));
  const a = g2.activation('a', 'int8', [1, 50], Math.fround(0.031), 11);
  const b = g2.activation('b', 'int8', [1, 50], Math.fround(0.0173), -20);
  g2.op('QUANTIZE', [a], [b]);
  const g3 = new GraphBuilder(seededUniform(seed));
  const c = g3.activation('c', 'int8', [1, 50], Math.fround(0.031), 11);
  const d = g3.activation('d', 'float32', [1, 50]);
  g3.op('DEQUANTIZE', [c], [d]);
  return [
    { name: 'QUANTIZE float32->int8', model: g1.build([f], [q]) },
    { name: 'QUANTIZE int8->int8', model: g2.build([a], [b]) },
    { name: 'DEQUANTIZE int8->float32', model: g3.build([c], [d]) },
  ];
}

/** One small model per operator variant the interpreter implements. */
export function singleOperatorModels(seed: number): NamedModel[] {
  return [
    { name: 'CONV_2D 1x7 SAME RELU', model: convCase(seed, { inShape: [1, 1, 40, 8], outC: 16, kH: 1, kW: 7, padding: 'SAME', stride: 1, dilation: 1, activation: 'RELU' }) },
    { name: 'CONV_2D 3x3 VALID stride 2 RELU6', model: convCase(seed + 1, { inShape: [2, 9, 11, 3], outC: 5, kH: 3, kW: 3, padding: 'VALID', stride: 2, dilation: 1, activation: 'RELU6' }) },
    { name: 'CONV_2D 1x3 SAME dilation 2', model: convCase(seed + 2, { inShape: [1, 1, 30, 6], outC: 4, kH: 1, kW: 3, padding: 'SAME', stride: 1, dilation: 2, activation: 'NONE' }) },
    { name: 'CONV_2D 3x5 SAME, 10 output channels, 2 batches', model: convCase(seed + 3, { inShape: [2, 6, 13, 5], outC: 10, kH: 3, kW: 5, padding: 'SAME', stride: 1, dilation: 1, activation: 'RELU' }) },
    { name: 'CONV_2D 1x3, 700 input channels (deeper than the packed JavaScript kernel holds)', model: convCase(seed + 4, { inShape: [1, 1, 9, 700], outC: 5, kH: 1, kW: 3, padding: 'SAME', stride: 1, dilation: 1, activation: 'NONE' }) },
    { name: 'CONV_2D 3x3 VALID, 230 input channels (reference kernel)', model: convCase(seed + 5, { inShape: [1, 4, 5, 230], outC: 3, kH: 3, kW: 3, padding: 'VALID', stride: 1, dilation: 1, activation: 'RELU' }) },
    { name: 'DEPTHWISE_CONV_2D 1x5 SAME', model: depthwiseCase(seed, [1, 1, 40, 8], 1, 5, 'SAME', 1) },
    { name: 'DEPTHWISE_CONV_2D multiplier 3 VALID stride 2', model: depthwiseCase(seed + 1, [1, 1, 41, 4], 3, 4, 'VALID', 2) },
    { name: 'FULLY_CONNECTED per-tensor', model: fullyConnectedCase(seed, 1, 64, 10, false, 'NONE') },
    { name: 'FULLY_CONNECTED RELU, 3 batches', model: fullyConnectedCase(seed + 1, 3, 40, 12, false, 'RELU') },
    { name: 'FULLY_CONNECTED 7 units (odd), 2 batches', model: fullyConnectedCase(seed + 2, 2, 33, 7, false, 'NONE') },
    { name: 'FULLY_CONNECTED depth 2100 (deeper than the paired units hold)', model: fullyConnectedCase(seed + 3, 1, 2100, 5, false, 'NONE') },
    { name: 'AVERAGE_POOL_2D 3x3 SAME stride 2', model: poolCase(seed, 'AVERAGE_POOL_2D', [1, 7, 9, 4], 3, 3, 2, 'SAME', 'NONE') },
    { name: 'AVERAGE_POOL_2D 1x4 VALID RELU', model: poolCase(seed + 1, 'AVERAGE_POOL_2D', [1, 1, 20, 6], 1, 4, 1, 'VALID', 'RELU') },
    { name: 'MAX_POOL_2D 2x2 SAME stride 2', model: poolCase(seed, 'MAX_POOL_2D', [1, 5, 7, 3], 2, 2, 2, 'SAME', 'NONE') },
    { name: 'MEAN axes [1,2] keep_dims (spatial)', model: meanCase(seed, [1, 1, 40, 16], [1, 2], true, false) },
    { name: 'MEAN axis [2] (rescaling)', model: meanCase(seed + 1, [1, 1, 40, 16], [2], false, false) },
    { name: 'MEAN axis [1] same quantization', model: meanCase(seed + 2, [2, 30, 5], [1], false, true) },
    { name: 'MEAN axes [1,2] keep_dims same quantization', model: meanCase(seed + 3, [1, 3, 13, 6], [2, 1], true, true) },
    { name: 'MEAN axes [-1] (negative axis)', model: meanCase(seed + 4, [4, 9], [-1], false, false) },
    { name: 'MEAN axes [1, 3] (not consecutive)', model: meanCase(seed + 5, [2, 3, 4, 5], [1, 3], false, false) },
    { name: 'ADD same shape RELU', model: addCase(seed, [1, 1, 20, 8], [1, 1, 20, 8], [1, 1, 20, 8], 'RELU') },
    { name: 'ADD broadcast', model: addCase(seed + 1, [2, 1, 6, 4], [1, 5, 1, 4], [2, 5, 6, 4], 'NONE') },
    { name: 'SOFTMAX int8', model: softmaxCase(seed, [3, 10], 1) },
    { name: 'SOFTMAX int8 beta 0.5', model: softmaxCase(seed + 1, [1, 7], 0.5) },
    ...quantizeCases(seed),
  ];
}

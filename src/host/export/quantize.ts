/**
 * Full-integer post-training quantization of the folded extractor, with
 * TensorFlow Lite's int8 conventions: weights symmetric int8 in [-127, 127]
 * (per output channel for convolutions; per tensor for FULLY_CONNECTED,
 * because the pinned official runtime silently ignores per-channel scales
 * there); activations asymmetric int8 per tensor from calibrated ranges that
 * always include 0; biases int32 with scale = input scale x weight scale and
 * zero point 0. Scales are float32, as the file stores them, so every
 * derived number matches what a runtime reads back.
 *
 * The input may be quantized per channel: sensor channels differ in range
 * (on the Myo data the normalized spreads differ 3x, so one scale spends
 * almost 3 raw counts per step on the widest channel), and a TFLite tensor
 * feeding CONV_2D has one scale. So the device quantizes channel c with its
 * own scale s_c and the shared zero point Z, and the first convolution's
 * weights for input channel c are multiplied by s_c / S, where S is the
 * scale the file records for the input tensor: the convolution then sees
 * S * (q - Z) * s_c / S = s_c * (q - Z), the real value. Padding stays
 * exact because every channel's real 0 is the same Z.
 */
import { HeadstartError } from '../../core/errors.ts';
import { roundHalfAwayFromZero as round } from '../../core/tflite/interpreter/quant_math.ts';
import type { FoldedExtractor, FusedActivation } from './fold.ts';
import type { StageRange } from './calibrate.ts';

/** real = scale * (q - zeroPoint) */
export interface TensorQuant {
  scale: number;
  zeroPoint: number;
}

export interface QuantizedConv {
  kernel: number;
  inChannels: number;
  filters: number;
  pool: number;
  activation: FusedActivation;
  /** [filters][1][kernel][inChannels] */
  weights: Int8Array;
  /** One per filter. */
  weightScales: number[];
  bias: Int32Array;
  output: TensorQuant;
}

export interface QuantizedDense {
  inputs: number;
  units: number;
  /** [units][inputs] */
  weights: Int8Array;
  weightScale: number;
  bias: Int32Array;
  output: TensorQuant;
}

/** The model input: the tensor's own parameters, and the per-channel scales the device quantizes with, if any. */
export interface InputQuant extends TensorQuant {
  /** Channel c of a window is quantized as round(x / channelScales[c]) + zeroPoint; absent = every channel uses `scale`. */
  channelScales?: number[];
}

/** A range of values (of one channel, one stage, ...). */
export interface ValueRange {
  min: number;
  max: number;
}

export interface QuantizeOptions {
  /** Per-channel ranges of the input: quantize each input channel with its own scale (see above); absent = one input scale. */
  inputChannels?: readonly ValueRange[];
}

export interface QuantizedExtractor {
  windowLength: number;
  channels: number;
  input: InputQuant;
  convs: QuantizedConv[];
  /** The global mean over time (MEAN's output). */
  mean: TensorQuant;
  dense?: QuantizedDense;
  /** The embedding: the dense layer's output, or the mean when there is no dense layer. */
  output: TensorQuant;
}

const f32 = Math.fround;
/** The narrowest range a tensor gets, so a constant stage never has a zero scale. */
const MIN_RANGE = 1e-6;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Asymmetric int8 parameters covering [min, max] widened to include 0 (so 0 is exact: padding, ReLU). */
export function asymmetricQuant(min: number, max: number): TensorQuant {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0, lo + MIN_RANGE);
  const scale = f32((hi - lo) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, round(-128 - lo / scale)));
  return { scale, zeroPoint };
}

/** Symmetric int8 per slice of `sliceSize` consecutive values (one slice per output channel). */
export function symmetricQuant(values: Float32Array, slices: number): { q: Int8Array; scales: number[] } {
  const sliceSize = values.length / slices;
  const q = new Int8Array(values.length);
  const scales: number[] = [];
  for (let s = 0; s < slices; s++) {
    let absMax = 0;
    for (let i = s * sliceSize; i < (s + 1) * sliceSize; i++) absMax = Math.max(absMax, Math.abs(values[i]));
    // An all-zero channel gets scale 1: any scale represents it, and 1 keeps the multipliers finite.
    const scale = absMax > 0 ? f32(absMax / 127) : 1;
    scales.push(scale);
    for (let i = s * sliceSize; i < (s + 1) * sliceSize; i++) q[i] = Math.max(-127, Math.min(127, round(values[i] / scale)));
  }
  return { q, scales };
}

/** int32 bias for each output channel, at scale input scale x that channel's weight scale. */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: readonly number[]): Int32Array {
  const out = new Int32Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const scale = f32(inputScale) * f32(weightScales.length === 1 ? weightScales[0] : weightScales[i]);
    out[i] = Math.max(INT32_MIN, Math.min(INT32_MAX, round(bias[i] / scale)));
  }
  return out;
}

/**
 * One scale per input channel sharing the tensor's zero point: the smallest
 * that keeps channel c's range [min, max] (widened to include 0) on the int8
 * grid around that zero point.
 */
export function inputChannelScales(zeroPoint: number, channels: readonly ValueRange[]): number[] {
  return channels.map((r) => {
    // A side whose grid has no room (zero point at -128 or 127) holds nothing of that sign in the tensor's range either.
    const up = 127 - zeroPoint > 0 ? Math.max(r.max, 0) / (127 - zeroPoint) : 0;
    const down = zeroPoint + 128 > 0 ? Math.max(-r.min, 0) / (zeroPoint + 128) : 0;
    return f32(Math.max(up, down, MIN_RANGE / 255));
  });
}

/** Input quantization: per tensor from the input stage's range, plus per-channel scales when asked for. */
function quantizeInput(range: StageRange, channels: readonly ValueRange[] | undefined): InputQuant {
  const tensor = asymmetricQuant(range.min, range.max);
  if (!channels) return tensor;
  const channelScales = inputChannelScales(tensor.zeroPoint, channels);
  // The tensor's own scale is the coarsest channel's: any value works (the first convolution absorbs the ratio), and this one keeps those weights as trained.
  return { scale: Math.max(...channelScales), zeroPoint: tensor.zeroPoint, channelScales };
}

/** The first convolution's weights [filters][1][kernel][inChannels] with input channel c multiplied by channelScales[c] / scale. */
function rescaleInputChannels(weights: Float32Array, input: InputQuant): Float32Array {
  if (!input.channelScales) return weights;
  const gains = input.channelScales.map((s) => s / input.scale);
  return weights.map((w, i) => w * gains[i % gains.length]);
}

/** Quantizes a folded extractor with ranges from calibrateRanges (one per stage, in stage order). */
export function quantizeExtractor(f: FoldedExtractor, ranges: readonly StageRange[], opts: QuantizeOptions = {}): QuantizedExtractor {
  if (opts.inputChannels && opts.inputChannels.length !== f.channels) {
    throw new HeadstartError('INTERNAL', `per-channel input ranges: got ${opts.inputChannels.length} for an extractor of ${f.channels} channels`);
  }
  const quantOf = (r: StageRange): TensorQuant => asymmetricQuant(r.min, r.max);
  const input = quantizeInput(ranges[0], opts.inputChannels);
  let inScale = input.scale;
  const convs = f.convs.map((c, i): QuantizedConv => {
    const w = symmetricQuant(i === 0 ? rescaleInputChannels(c.weights, input) : c.weights, c.filters);
    const r = ranges[i + 1];
    // A fused activation clamps the output, so its range can be no wider than what the activation lets through.
    const output = c.activation === 'NONE' ? quantOf(r) : asymmetricQuant(0, c.activation === 'RELU6' ? Math.min(r.max, 6) : r.max);
    const bias = quantizeBias(c.bias, inScale, w.scales);
    inScale = output.scale;
    return { kernel: c.kernel, inChannels: c.inChannels, filters: c.filters, pool: c.pool, activation: c.activation, weights: w.q, weightScales: w.scales, bias, output };
  });
  const mean = quantOf(ranges[f.convs.length + 1]);
  if (!f.dense) return { windowLength: f.windowLength, channels: f.channels, input, convs, mean, output: mean };
  const w = symmetricQuant(f.dense.weights, 1);
  const dense: QuantizedDense = {
    inputs: f.dense.inputs,
    units: f.dense.units,
    weights: w.q,
    weightScale: w.scales[0],
    bias: quantizeBias(f.dense.bias, mean.scale, w.scales),
    output: quantOf(ranges[f.convs.length + 2]),
  };
  return { windowLength: f.windowLength, channels: f.channels, input, convs, mean, dense, output: dense.output };
}

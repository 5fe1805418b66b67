/**
 * FULLY_CONNECTED: int8 with per-tensor or per-channel weights
 * (reference_integer_ops::FullyConnected arithmetic), and float32.
 */
import { floatActivationRange, quantizedActivationRange } from '../activation.ts';
import { channelScales, expectType, type OpContext, type PreparedOp } from '../context.ts';
import { elementCount } from '../../tensor_size.ts';
import { quantizeMultiplier, ruyChannelParts, ruyRequantize, type RuyChannelParts } from '../quant_math.ts';
import { MAX_PACKED_DEPTH } from './conv2d_packed.ts';

export interface FullyConnectedInt8Args {
  batches: number;
  depth: number;
  units: number;
  input: Int8Array;
  /** [units][depth] */
  filter: Int8Array;
  bias: Int32Array | undefined;
  output: Int8Array;
  filterOffset: number;
  outputOffset: number;
  /**
   * Per unit: inputOffset * sum of its weights + depth * filterOffset * inputOffset,
   * so that the inner loop is a plain sum of weight * input (see fullyConnectedInt8).
   */
  foldedOffsets: Float64Array;
  /** One entry (per-tensor) or `units` entries (per-channel). */
  multipliers: Int32Array;
  /** The shifts in ruyRequantize's forms, one per multiplier. */
  channelParts: RuyChannelParts[];
  actMin: number;
  actMax: number;
  /** pairedUnitWeights of `filter`; undefined when depth exceeds MAX_PACKED_DEPTH (plain sums then). */
  pairedWeights: Float64Array | undefined;
  /** Scratch: one batch row of the input as doubles. */
  inputRow: Float64Array;
}

/** Offsets that do not depend on the input, folded per unit at prepare time. */
export function foldedFullyConnectedOffsets(filter: Int8Array, units: number, depth: number, inputOffset: number, filterOffset: number): Float64Array {
  const out = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let sum = 0;
    for (let d = 0; d < depth; d++) sum += filter[u * depth + d]!;
    out[u] = inputOffset * sum + depth * filterOffset * inputOffset;
  }
  return out;
}

// Bound once: a call through the module namespace can cost a getter per output under some loaders.
const requantize = ruyRequantize;

/**
 * The reference sums (w + filterOffset) * (x + inputOffset) in int32 and then
 * adds the bias. Expanded, that sum is sum w*x + filterOffset * sum x + the
 * folded offsets; every part is an exact integer in a double, and `| 0`
 * wraps the total as the int32 sum would, so the result is the same.
 */
export function fullyConnectedInt8(a: FullyConnectedInt8Args): void {
  const { batches, depth, units, input, filter, bias, output, filterOffset, outputOffset, foldedOffsets, multipliers, channelParts, actMin, actMax, pairedWeights, inputRow } = a;
  const perChannel = multipliers.length > 1;
  const finish = (dot: number, batchOffset: number, at: number, u: number): void => {
    let sum = (dot + foldedOffsets[u]! + batchOffset) | 0;
    if (bias) sum += bias[u]!;
    const v = requantize(sum, channelParts[perChannel ? u : 0]!) + outputOffset;
    output[at] = v < actMin ? actMin : v > actMax ? actMax : v;
  };
  for (let b = 0; b < batches; b++) {
    const inBase = b * depth;
    let inputSum = 0;
    for (let d = 0; d < depth; d++) {
      const x = input[inBase + d]!;
      inputRow[d] = x;
      inputSum += x;
    }
    const batchOffset = filterOffset * inputSum;
    if (!pairedWeights) {
      for (let u = 0; u < units; u++) {
        let dot = 0;
        for (let d = 0, w = u * depth; d < depth; d++, w++) dot += filter[w]! * inputRow[d]!;
        finish(dot, batchOffset, b * units + u, u);
      }
      continue;
    }
    for (let u = 0; u < units; u += 2) {
      // Starts at 2^25 so that the low lane lies in (0, 2^26), as in conv2d_packed.
      let acc = 33554432;
      for (let d = 0, w = (u / 2) * depth; d < depth; d++, w++) acc += pairedWeights[w]! * inputRow[d]!;
      const high = Math.floor(acc * 1.4901161193847656e-8); // 2^-26
      finish(acc - high * 67108864 - 33554432, batchOffset, b * units + u, u);
      if (u + 1 < units) finish(high, batchOffset, b * units + u + 1, u + 1);
    }
  }
}

/**
 * Weights of units 2k and 2k + 1 in one double, w[2k] + w[2k + 1] * 2^26, so
 * that one multiply-add serves two units (the packing of conv2d_packed, here
 * across units: each lane's sum is below 2^14 * depth < 2^25 in magnitude for
 * depth up to MAX_PACKED_DEPTH, exact). An odd last unit pairs with zeros.
 */
export function pairedUnitWeights(filter: Int8Array, units: number, depth: number): Float64Array {
  const pairs = Math.ceil(units / 2);
  const out = new Float64Array(pairs * depth);
  for (let k = 0; k < pairs; k++) {
    for (let d = 0; d < depth; d++) {
      const high = 2 * k + 1 < units ? filter[(2 * k + 1) * depth + d]! : 0;
      out[k * depth + d] = filter[2 * k * depth + d]! + high * 67108864;
    }
  }
  return out;
}

export interface FullyConnectedFloatArgs {
  batches: number;
  depth: number;
  units: number;
  input: Float32Array;
  filter: Float32Array;
  bias: Float32Array | undefined;
  output: Float32Array;
  actMin: number;
  actMax: number;
}

export function fullyConnectedFloat(a: FullyConnectedFloatArgs): void {
  const { batches, depth, units, input, filter, bias, output, actMin, actMax } = a;
  for (let b = 0; b < batches; b++) {
    for (let u = 0; u < units; u++) {
      let acc = 0;
      for (let d = 0; d < depth; d++) acc = Math.fround(acc + Math.fround(filter[u * depth + d]! * input[b * depth + d]!));
      if (bias) acc = Math.fround(acc + bias[u]!);
      output[b * units + u] = acc < actMin ? actMin : acc > actMax ? actMax : acc;
    }
  }
}

export function prepareFullyConnected(ctx: OpContext): PreparedOp {
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const bias = ctx.optionalInput(2);
  const output = ctx.output(0);
  if (filter.shape.length !== 2) ctx.fail(`weights must be 2-D [units, depth] (got [${filter.shape.join(', ')}])`);
  const [units, depth] = filter.shape as [number, number];
  const batches = elementCount(input.shape) / depth;
  if (!Number.isInteger(batches) || elementCount(output.shape) !== batches * units) {
    ctx.fail(`input [${input.shape.join(', ')}], weights [${filter.shape.join(', ')}] and output [${output.shape.join(', ')}] do not agree`);
  }
  const activation = ctx.option<string>('fusedActivationFunction', 'NONE');
  if (input.type === 'float32') {
    const range = floatActivationRange(activation);
    const args: FullyConnectedFloatArgs = {
      batches,
      depth,
      units,
      input: expectType(ctx, input, 'float32', 'input'),
      filter: expectType(ctx, filter, 'float32', 'weights'),
      bias: bias ? expectType(ctx, bias, 'float32', 'bias') : undefined,
      output: expectType(ctx, output, 'float32', 'output'),
      actMin: range.min,
      actMax: range.max,
    };
    return () => fullyConnectedFloat(args);
  }
  if (input.type !== 'int8') ctx.fail(`only int8 and float32 FULLY_CONNECTED are supported (input is ${input.type})`);
  const perChannel = (filter.tensor.quantization?.scale.length ?? 1) > 1;
  const scales = channelScales(ctx, filter, perChannel ? units : 1);
  const multipliers = new Int32Array(scales.length);
  const shifts = new Int32Array(scales.length);
  for (let c = 0; c < scales.length; c++) {
    const q = quantizeMultiplier((input.scale * scales[c]!) / output.scale);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  const range = quantizedActivationRange(activation, output.type, output.scale, output.zeroPoint);
  const args: FullyConnectedInt8Args = {
    batches,
    depth,
    units,
    input: expectType(ctx, input, 'int8', 'input'),
    filter: expectType(ctx, filter, 'int8', 'weights'),
    bias: bias ? expectType(ctx, bias, 'int32', 'bias') : undefined,
    output: expectType(ctx, output, 'int8', 'output'),
    filterOffset: -filter.zeroPoint,
    outputOffset: output.zeroPoint,
    foldedOffsets: foldedFullyConnectedOffsets(expectType(ctx, filter, 'int8', 'weights'), units, depth, -input.zeroPoint, -filter.zeroPoint),
    multipliers,
    channelParts: Array.from(multipliers, (m, c) => ruyChannelParts(m, shifts[c]!)),
    actMin: range.min,
    actMax: range.max,
    pairedWeights: depth <= MAX_PACKED_DEPTH ? pairedUnitWeights(expectType(ctx, filter, 'int8', 'weights'), units, depth) : undefined,
    inputRow: new Float64Array(depth),
  };
  return () => fullyConnectedInt8(args);
}

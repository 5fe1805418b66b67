/**
 * MEAN, int8. TensorFlow Lite's mean.cc has three arithmetics and picks one
 * by the shape of the problem; each is reproduced here:
 * - 4-D input, keep_dims, axes {1, 2}: sum, one requantizing multiply by
 *   input_scale / (count * output_scale) and a float-derived bias
 *   (optimized_integer_ops::Mean);
 * - same scale and zero point in and out: integer sum / count, truncated
 *   (reference_ops::Mean);
 * - otherwise: float mean, rescaled and rounded (reference_ops::QuantizedMeanOrSum).
 */
import { expectType, type OpContext, type PreparedOp } from '../context.ts';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAwayFromZero } from '../quant_math.ts';
import { reductionMap, resolveAxes, type ReductionMap } from './reduce_axes.ts';

export interface MeanInt8Args {
  map: ReductionMap;
  input: Int8Array;
  output: Int8Array;
  /** Scratch sums, one per output element (allocated at prepare time). */
  sums: Int32Array;
}

function accumulate(a: MeanInt8Args): void {
  const { map, input, sums } = a;
  const outputIndex = map.outputIndex;
  sums.fill(0);
  for (let i = 0; i < input.length; i++) {
    const o = outputIndex[i]!;
    sums[o] = sums[o]! + input[i]!;
  }
}

export interface SpatialMeanParams {
  multiplier: number;
  shift: number;
  bias: number;
}

/** The requantization of optimized_integer_ops::Mean, in float32 where it is computed in float. */
export function spatialMeanParams(count: number, inScale: number, inZeroPoint: number, outScale: number, outZeroPoint: number): SpatialMeanParams {
  const f = Math.fround;
  let temp = f(f(inZeroPoint * f(inScale)) / f(outScale));
  temp = temp > 0 ? f(temp + 0.5) : f(temp - 0.5);
  const bias = outZeroPoint - Math.trunc(temp);
  const realScale = f(f(inScale) / f(f(count) * f(outScale)));
  const q = quantizeMultiplier(realScale);
  return { multiplier: q.multiplier, shift: q.shift, bias };
}

export function spatialMeanInt8(a: MeanInt8Args, p: SpatialMeanParams): void {
  accumulate(a);
  const { sums, output } = a;
  for (let o = 0; o < sums.length; o++) {
    let v = multiplyByQuantizedMultiplier(sums[o]!, p.multiplier, p.shift) + p.bias;
    v = v < -128 ? -128 : v > 127 ? 127 : v;
    output[o] = v;
  }
}

export function plainMeanInt8(a: MeanInt8Args): void {
  accumulate(a);
  const { sums, output, map } = a;
  for (let o = 0; o < sums.length; o++) output[o] = Math.trunc(sums[o]! / map.perOutput);
}

export interface FloatMeanParams {
  scale: number;
  bias: number;
  outZeroPoint: number;
}

export function floatMeanParams(inScale: number, inZeroPoint: number, outScale: number, outZeroPoint: number): FloatMeanParams {
  const f = Math.fround;
  const scale = f(f(inScale) / f(outScale));
  return { scale, bias: f(-inZeroPoint * scale), outZeroPoint };
}

export function floatMeanInt8(a: MeanInt8Args, p: FloatMeanParams): void {
  accumulate(a);
  const { sums, output, map } = a;
  const f = Math.fround;
  const count = f(map.perOutput);
  for (let o = 0; o < sums.length; o++) {
    const mean = f(f(sums[o]!) / count);
    let v = roundHalfAwayFromZero(f(f(mean * p.scale) + p.bias)) + p.outZeroPoint;
    v = v < -128 ? -128 : v > 127 ? 127 : v;
    output[o] = v;
  }
}

export function prepareMean(ctx: OpContext): PreparedOp {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (input.type !== 'int8' || output.type !== 'int8') ctx.fail(`only int8 MEAN is supported (input is ${input.type}, output ${output.type})`);
  const axes = resolveAxes(ctx, input, ctx.input(1));
  const map = reductionMap(input.shape, axes);
  if (map.outputCount !== output.data.length) ctx.fail(`output [${output.shape.join(', ')}] does not match the reduction of [${input.shape.join(', ')}] over axes ${axes.join(', ')}`);
  const args: MeanInt8Args = {
    map,
    input: expectType(ctx, input, 'int8', 'input'),
    output: expectType(ctx, output, 'int8', 'output'),
    sums: new Int32Array(map.outputCount),
  };
  const keepDims = ctx.option('keepDims', false);
  const rawAxes = [...(ctx.input(1).data as Int32Array)];
  // The special case is chosen on the axes as written (a negative axis does not qualify).
  const spatial =
    keepDims && input.shape.length === 4 && rawAxes.length === 2 && ((rawAxes[0] === 1 && rawAxes[1] === 2) || (rawAxes[0] === 2 && rawAxes[1] === 1));
  if (spatial) {
    const p = spatialMeanParams(map.perOutput, input.scale, input.zeroPoint, output.scale, output.zeroPoint);
    return () => spatialMeanInt8(args, p);
  }
  if (input.scale === output.scale && input.zeroPoint === output.zeroPoint) return () => plainMeanInt8(args);
  const p = floatMeanParams(input.scale, input.zeroPoint, output.scale, output.zeroPoint);
  return () => floatMeanInt8(args, p);
}

/**
 * MEAN, int8, as the native runtime computes it; it picks one of three
 * arithmetics by the shape of the problem:
 * - 4-D input, keep_dims, axes written as {1, 2}: the sum of (x - input zero
 *   point), one requantizing multiply by input_scale / output_scale, then a
 *   division by the count rounded half away from zero
 *   (reference_integer_ops::Mean);
 * - otherwise, same scale and zero point in and out: integer sum / count,
 *   truncated toward zero (reference_ops::Mean);
 * - otherwise: float32 mean, rescaled by input_scale / output_scale, shifted
 *   by the zero-point term and rounded half away from zero
 *   (reference_ops::QuantizedMeanOrSum).
 * Newer TensorFlow Lite releases route the 4-D case to an optimized kernel
 * with other rounding; the runtime this project pins does not.
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
  sums.fill(0);
  const runs = map.runs;
  if (runs) {
    const { outer, reduced, inner } = runs;
    for (let o = 0, at = 0; o < outer; o++) {
      for (let r = 0; r < reduced; r++) {
        for (let i = 0, to = o * inner; i < inner; i++, at++, to++) sums[to] = sums[to]! + input[at]!;
      }
    }
    return;
  }
  const outputIndex = map.outputIndex;
  for (let i = 0; i < input.length; i++) {
    const o = outputIndex[i]!;
    sums[o] = sums[o]! + input[i]!;
  }
}

export function plainMeanInt8(a: MeanInt8Args): void {
  accumulate(a);
  const { sums, output, map } = a;
  for (let o = 0; o < sums.length; o++) output[o] = Math.trunc(sums[o]! / map.perOutput);
}

export interface SpatialMeanParams {
  inZeroPoint: number;
  outZeroPoint: number;
  multiplier: number;
  shift: number;
}

export function spatialMeanInt8(a: MeanInt8Args, p: SpatialMeanParams): void {
  accumulate(a);
  const { sums, output, map } = a;
  const n = map.perOutput;
  const half = n >> 1;
  const offset = p.inZeroPoint * n;
  for (let o = 0; o < sums.length; o++) {
    const acc = multiplyByQuantizedMultiplier(sums[o]! - offset, p.multiplier, p.shift);
    let v = (acc > 0 ? Math.trunc((acc + half) / n) : Math.trunc((acc - half) / n)) + p.outZeroPoint;
    v = v < -128 ? -128 : v > 127 ? 127 : v;
    output[o] = v;
  }
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
  // The special case is chosen on the axes as written: a negative axis does not qualify.
  const raw = [...(ctx.input(1).data as Int32Array)];
  const spatial = ctx.option('keepDims', false) && input.shape.length === 4 && raw.length === 2 && ((raw[0] === 1 && raw[1] === 2) || (raw[0] === 2 && raw[1] === 1));
  if (spatial) {
    const q = quantizeMultiplier(input.scale / output.scale);
    const p: SpatialMeanParams = { inZeroPoint: input.zeroPoint, outZeroPoint: output.zeroPoint, multiplier: q.multiplier, shift: q.shift };
    return () => spatialMeanInt8(args, p);
  }
  if (input.scale === output.scale && input.zeroPoint === output.zeroPoint) return () => plainMeanInt8(args);
  const p = floatMeanParams(input.scale, input.zeroPoint, output.scale, output.zeroPoint);
  return () => floatMeanInt8(args, p);
}

/**
 * QUANTIZE (float32 -> int8, int8 -> int8 requantization) and DEQUANTIZE
 * (int8 -> float32), with the arithmetic of the optimized kernels that the
 * native runtime runs on x86: division and scaling in double.
 */
import { expectType, type OpContext, type PreparedOp } from '../context.ts';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAwayFromZero } from '../quant_math.ts';

export function quantizeFloatToInt8(input: Float32Array, output: Int8Array, scale: number, zeroPoint: number): void {
  for (let i = 0; i < input.length; i++) output[i] = toInt8(input[i]!, scale, zeroPoint);
}

/**
 * The same per innermost-axis channel: value i has scale scales[i % scales.length]
 * (headstart's per-channel model input, see src/host/export/quantize.ts).
 */
export function quantizeFloatToInt8PerChannel(input: Float32Array, output: Int8Array, scales: readonly number[], zeroPoint: number): void {
  const channels = scales.length;
  for (let i = 0; i < input.length; i++) output[i] = toInt8(input[i]!, scales[i % channels]!, zeroPoint);
}

function toInt8(x: number, scale: number, zeroPoint: number): number {
  const v = roundHalfAwayFromZero(x / scale) + zeroPoint;
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

export function requantizeInt8(input: Int8Array, output: Int8Array, inZeroPoint: number, multiplier: number, shift: number, outZeroPoint: number): void {
  for (let i = 0; i < input.length; i++) {
    let v = multiplyByQuantizedMultiplier(input[i]! - inZeroPoint, multiplier, shift) + outZeroPoint;
    v = v < -128 ? -128 : v > 127 ? 127 : v;
    output[i] = v;
  }
}

export function dequantizeInt8(input: Int8Array, output: Float32Array, scale: number, zeroPoint: number): void {
  for (let i = 0; i < input.length; i++) output[i] = scale * (input[i]! - zeroPoint);
}

export function prepareQuantize(ctx: OpContext): PreparedOp {
  const input = ctx.input(0);
  const output = ctx.output(0);
  const out = expectType(ctx, output, 'int8', 'output');
  if (input.type === 'float32') {
    const x = expectType(ctx, input, 'float32', 'input');
    return () => quantizeFloatToInt8(x, out, output.scale, output.zeroPoint);
  }
  if (input.type === 'int8') {
    const x = expectType(ctx, input, 'int8', 'input');
    const q = quantizeMultiplier(input.scale / output.scale);
    return () => requantizeInt8(x, out, input.zeroPoint, q.multiplier, q.shift, output.zeroPoint);
  }
  return ctx.fail(`QUANTIZE from ${input.type} to ${output.type} is not supported`);
}

export function prepareDequantize(ctx: OpContext): PreparedOp {
  const input = ctx.input(0);
  const output = ctx.output(0);
  const x = expectType(ctx, input, 'int8', 'input');
  const out = expectType(ctx, output, 'float32', 'output');
  return () => dequantizeInt8(x, out, input.scale, input.zeroPoint);
}

/**
 * CONV_2D, int8 with per-channel weights (reference_integer_ops::ConvPerChannel
 * arithmetic). conv2dInt8 is the direct transcription, kept for grouped
 * convolutions and very deep filters. Filters one row high without dilation
 * along W run the WebAssembly SIMD kernel (conv2d_simd.ts) where the runtime
 * has it; everything else, and those without it, the packed JavaScript
 * kernel (conv2d_packed.ts). All compute the same integers.
 */
import { expectType, type OpContext, type PreparedOp } from '../context.ts';
import { multiplyByQuantizedMultiplierRuyX86 } from '../quant_math.ts';
import { MAX_PACKED_DEPTH, packedConv2dInt8, packedConvPlan } from './conv2d_packed.ts';
import { simdConv2dInt8, simdConvApplies, simdConvPlan } from './conv2d_simd.ts';
import { convGeometry, perChannelRequantization, type ConvGeometry, type Requantization } from './conv_params.ts';

export interface Conv2DInt8Args {
  geometry: ConvGeometry;
  requant: Requantization;
  input: Int8Array;
  /** [outC][filterH][filterW][inC / groups] */
  filter: Int8Array;
  bias: Int32Array | undefined;
  output: Int8Array;
}

export function conv2dInt8(a: Conv2DInt8Args): void {
  const { batches, inH, inW, inC, filterH, filterW, outH, outW, outC, strideH, strideW, dilationH, dilationW, padH, padW } = a.geometry;
  const { multipliers, shifts, inputOffset, outputOffset, actMin, actMax } = a.requant;
  const { input, filter, bias, output } = a;
  const filterDepth = filter.length / (outC * filterH * filterW);
  const groups = inC / filterDepth;
  const perGroup = outC / groups;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * strideH - padH;
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * strideW - padW;
        for (let oc = 0; oc < outC; oc++) {
          const groupBase = Math.floor(oc / perGroup) * filterDepth;
          let acc = 0;
          for (let fy = 0; fy < filterH; fy++) {
            const iy = inY0 + dilationH * fy;
            if (iy < 0 || iy >= inH) continue;
            for (let fx = 0; fx < filterW; fx++) {
              const ix = inX0 + dilationW * fx;
              if (ix < 0 || ix >= inW) continue;
              const inBase = ((b * inH + iy) * inW + ix) * inC + groupBase;
              const fBase = ((oc * filterH + fy) * filterW + fx) * filterDepth;
              for (let ic = 0; ic < filterDepth; ic++) acc = (acc + filter[fBase + ic]! * (input[inBase + ic]! + inputOffset)) | 0;
            }
          }
          if (bias) acc += bias[oc]!;
          let v = multiplyByQuantizedMultiplierRuyX86(acc, multipliers[oc]!, shifts[oc]!) + outputOffset;
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          output[o++] = v;
        }
      }
    }
  }
}

export function prepareConv2D(ctx: OpContext): PreparedOp {
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const bias = ctx.optionalInput(2);
  const output = ctx.output(0);
  if (input.type !== 'int8') ctx.fail(`only int8 CONV_2D is supported (input is ${input.type})`);
  if (filter.shape.length !== 4) ctx.fail('filter must be 4-D [outC, H, W, inC]');
  const [outC, filterH, filterW, filterDepth] = filter.shape as [number, number, number, number];
  const geometry = convGeometry(ctx, input, filter, output, filterH, filterW);
  if (geometry.outC !== outC || geometry.inC % filterDepth !== 0 || outC % (geometry.inC / filterDepth) !== 0) {
    ctx.fail(`filter [${filter.shape.join(', ')}] does not fit input [${input.shape.join(', ')}] and output [${output.shape.join(', ')}]`);
  }
  const args: Conv2DInt8Args = {
    geometry,
    requant: perChannelRequantization(ctx, input, filter, output, outC),
    input: expectType(ctx, input, 'int8', 'input'),
    filter: expectType(ctx, filter, 'int8', 'filter'),
    bias: bias ? expectType(ctx, bias, 'int32', 'bias') : undefined,
    output: expectType(ctx, output, 'int8', 'output'),
  };
  if (ctx.simd && simdConvApplies(geometry, filterDepth)) {
    const plan = simdConvPlan(geometry, args.requant, args.filter, args.bias, args.input, args.output);
    if (plan) return () => simdConv2dInt8(plan);
  }
  if (filterDepth === geometry.inC && filterH * filterW * filterDepth <= MAX_PACKED_DEPTH) {
    const plan = packedConvPlan(geometry, args.requant, args.filter, args.bias, args.input, args.output);
    return () => packedConv2dInt8(plan);
  }
  return () => conv2dInt8(args);
}

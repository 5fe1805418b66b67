/** DEPTHWISE_CONV_2D, int8 per-channel (reference_integer_ops::DepthwiseConvPerChannel arithmetic). */
import { expectType, type OpContext, type PreparedOp } from '../context.ts';
import { multiplyByQuantizedMultiplier } from '../quant_math.ts';
import { convGeometry, perChannelRequantization, type ConvGeometry, type Requantization } from './conv_params.ts';

export interface DepthwiseInt8Args {
  geometry: ConvGeometry;
  depthMultiplier: number;
  requant: Requantization;
  input: Int8Array;
  /** [1][filterH][filterW][outC] */
  filter: Int8Array;
  bias: Int32Array | undefined;
  output: Int8Array;
}

export function depthwiseConv2dInt8(a: DepthwiseInt8Args): void {
  const { batches, inH, inW, inC, filterH, filterW, outH, outW, outC, strideH, strideW, dilationH, dilationW, padH, padW } = a.geometry;
  const { multipliers, shifts, inputOffset, outputOffset, actMin, actMax } = a.requant;
  const { input, filter, bias, output, depthMultiplier } = a;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * strideH - padH;
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * strideW - padW;
        const outBase = ((b * outH + oy) * outW + ox) * outC;
        for (let ic = 0; ic < inC; ic++) {
          for (let m = 0; m < depthMultiplier; m++) {
            const oc = ic * depthMultiplier + m;
            let acc = 0;
            for (let fy = 0; fy < filterH; fy++) {
              const iy = inY0 + dilationH * fy;
              if (iy < 0 || iy >= inH) continue;
              for (let fx = 0; fx < filterW; fx++) {
                const ix = inX0 + dilationW * fx;
                if (ix < 0 || ix >= inW) continue;
                acc += filter[(fy * filterW + fx) * outC + oc]! * (input[((b * inH + iy) * inW + ix) * inC + ic]! + inputOffset);
              }
            }
            if (bias) acc += bias[oc]!;
            let v = multiplyByQuantizedMultiplier(acc, multipliers[oc]!, shifts[oc]!) + outputOffset;
            v = v < actMin ? actMin : v > actMax ? actMax : v;
            output[outBase + oc] = v;
          }
        }
      }
    }
  }
}

export function prepareDepthwiseConv2D(ctx: OpContext): PreparedOp {
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const bias = ctx.optionalInput(2);
  const output = ctx.output(0);
  if (input.type !== 'int8') ctx.fail(`only int8 DEPTHWISE_CONV_2D is supported (input is ${input.type})`);
  if (filter.shape.length !== 4 || filter.shape[0] !== 1) ctx.fail('filter must be 4-D [1, H, W, outC]');
  const [, filterH, filterW, outC] = filter.shape as [number, number, number, number];
  const geometry = convGeometry(ctx, input, filter, output, filterH, filterW);
  const depthMultiplier = outC / geometry.inC;
  if (geometry.outC !== outC || !Number.isInteger(depthMultiplier)) {
    ctx.fail(`filter [${filter.shape.join(', ')}] does not fit input [${input.shape.join(', ')}] and output [${output.shape.join(', ')}]`);
  }
  const args: DepthwiseInt8Args = {
    geometry,
    depthMultiplier,
    requant: perChannelRequantization(ctx, input, filter, output, outC),
    input: expectType(ctx, input, 'int8', 'input'),
    filter: expectType(ctx, filter, 'int8', 'filter'),
    bias: bias ? expectType(ctx, bias, 'int32', 'bias') : undefined,
    output: expectType(ctx, output, 'int8', 'output'),
  };
  return () => depthwiseConv2dInt8(args);
}

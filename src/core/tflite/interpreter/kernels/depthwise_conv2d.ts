/**
 * DEPTHWISE_CONV_2D, int8 per-channel (reference_integer_ops::DepthwiseConvPerChannel
 * arithmetic). depthwiseConv2dInt8 is the direct transcription;
 * depthwisePaddedInt8, which the interpreter runs, computes the same integers
 * over a zp-padded copy of the input with the input offset folded into the
 * bias, accumulating all channels of one position at once.
 */
import { expectType, type OpContext, type PreparedOp } from '../context.ts';
import { multiplyByQuantizedMultiplier } from '../quant_math.ts';
import { convGeometry, perChannelRequantization, type ConvGeometry, type Requantization } from './conv_params.ts';
import { copyIntoPadded, paddedInput, type PaddedInput } from './padded_input.ts';

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

export interface DepthwisePaddedPlan {
  args: DepthwiseInt8Args;
  padded: PaddedInput;
  /** Per output channel: bias - zp * sum of its weights. */
  foldedBias: Float64Array;
  /** One position's accumulators, one per output channel. */
  sums: Float64Array;
}

export function depthwisePaddedPlan(args: DepthwiseInt8Args): DepthwisePaddedPlan {
  const { filterH, filterW, outC } = args.geometry;
  const foldedBias = new Float64Array(outC);
  for (let oc = 0; oc < outC; oc++) {
    let sum = 0;
    for (let t = 0; t < filterH * filterW; t++) sum += args.filter[t * outC + oc]!;
    foldedBias[oc] = (args.bias ? args.bias[oc]! : 0) + args.requant.inputOffset * sum;
  }
  return { args, padded: paddedInput(args.geometry, -args.requant.inputOffset, args.input), foldedBias, sums: new Float64Array(outC) };
}

// Bound once: a call through the module namespace can cost a getter per output under some loaders.
const requantize = multiplyByQuantizedMultiplier;

export function depthwisePaddedInt8(p: DepthwisePaddedPlan): void {
  const { geometry, depthMultiplier, requant, filter, output } = p.args;
  const { batches, inC, filterH, filterW, outH, outW, outC, strideH, strideW, dilationH, dilationW } = geometry;
  const { multipliers, shifts, outputOffset, actMin, actMax } = requant;
  const { foldedBias, sums } = p;
  copyIntoPadded(p.padded);
  const { rows, columns, data } = p.padded;
  let at = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        sums.set(foldedBias);
        for (let fy = 0; fy < filterH; fy++) {
          const rowBase = (b * rows + oy * strideH + fy * dilationH) * columns + ox * strideW;
          for (let fx = 0; fx < filterW; fx++) {
            const from = (rowBase + fx * dilationW) * inC;
            const tap = (fy * filterW + fx) * outC;
            if (depthMultiplier === 1) {
              for (let c = 0; c < outC; c++) sums[c] += filter[tap + c]! * data[from + c]!;
            } else {
              for (let ic = 0, oc = 0; ic < inC; ic++) {
                const x = data[from + ic]!;
                for (let m = 0; m < depthMultiplier; m++, oc++) sums[oc] += filter[tap + oc]! * x;
              }
            }
          }
        }
        for (let oc = 0; oc < outC; oc++, at++) {
          const v = requantize(sums[oc]!, multipliers[oc]!, shifts[oc]!) + outputOffset;
          output[at] = v < actMin ? actMin : v > actMax ? actMax : v;
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
  const plan = depthwisePaddedPlan(args);
  return () => depthwisePaddedInt8(plan);
}

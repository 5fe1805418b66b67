/**
 * Shared preparation of CONV_2D and DEPTHWISE_CONV_2D: geometry from the
 * options and shapes, and the per-channel requantization multipliers of
 * PopulateConvolutionQuantizationParams.
 */
import { quantizedActivationRange } from '../activation.ts';
import { channelScales, type OpContext, type TensorSlot } from '../context.ts';
import { leadingPadding, outputSize, type Padding } from '../padding.ts';
import { quantizeMultiplier } from '../quant_math.ts';

export interface ConvGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  filterH: number;
  filterW: number;
  outH: number;
  outW: number;
  outC: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
}

export function convGeometry(ctx: OpContext, input: TensorSlot, filter: TensorSlot, output: TensorSlot, filterH: number, filterW: number): ConvGeometry {
  if (input.shape.length !== 4 || output.shape.length !== 4) ctx.fail('input and output must be 4-D (NHWC)');
  const [batches, inH, inW, inC] = input.shape as [number, number, number, number];
  const [, outH, outW, outC] = output.shape as [number, number, number, number];
  const padding = ctx.option<Padding>('padding', 'SAME');
  const strideH = ctx.option('strideH', 1);
  const strideW = ctx.option('strideW', 1);
  const dilationH = ctx.option('dilationHFactor', 1);
  const dilationW = ctx.option('dilationWFactor', 1);
  const expectH = outputSize(padding, inH, filterH, strideH, dilationH);
  const expectW = outputSize(padding, inW, filterW, strideW, dilationW);
  if (expectH !== outH || expectW !== outW) {
    ctx.fail(`output shape [${output.shape.join(', ')}] disagrees with ${padding} padding of input [${input.shape.join(', ')}] by filter [${filter.shape.join(', ')}] (expected ${expectH}x${expectW})`);
  }
  return {
    batches,
    inH,
    inW,
    inC,
    filterH,
    filterW,
    outH,
    outW,
    outC,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padH: leadingPadding(inH, filterH, strideH, dilationH, outH),
    padW: leadingPadding(inW, filterW, strideW, dilationW, outW),
  };
}

export interface Requantization {
  multipliers: Int32Array;
  shifts: Int32Array;
  inputOffset: number;
  outputOffset: number;
  actMin: number;
  actMax: number;
}

/** Per-output-channel multipliers: input scale * filter scale / output scale, in double. */
export function perChannelRequantization(ctx: OpContext, input: TensorSlot, filter: TensorSlot, output: TensorSlot, channels: number): Requantization {
  const filterScales = channelScales(ctx, filter, channels);
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const q = quantizeMultiplier((input.scale * filterScales[c]!) / output.scale);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  const act = quantizedActivationRange(ctx.option<string>('fusedActivationFunction', 'NONE'), output.type, output.scale, output.zeroPoint);
  return { multipliers, shifts, inputOffset: -input.zeroPoint, outputOffset: output.zeroPoint, actMin: act.min, actMax: act.max };
}

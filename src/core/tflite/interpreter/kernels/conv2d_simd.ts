/**
 * CONV_2D int8 for filters one row high without dilation along W (the 1 x k
 * convolutions of headstart's extractor), with the sums in WebAssembly SIMD
 * (simd_dots.ts): every window is one contiguous run of filterW * inC values
 * in the zp-padded input, so each output is a plain int8 dot product of that
 * run with the channel's weights, exact in int32 (|sum| <= 2^14 * depth <
 * 2^31 below MAX_SIMD_DEPTH). The input offset is folded into the bias over
 * the padded copy as in the packed kernel; requantization is the same.
 */
import { ruyChannelParts, ruyRequantize, type RuyChannelParts } from '../quant_math.ts';
import type { ConvGeometry, Requantization } from './conv_params.ts';
import { copyIntoPadded, paddedInput, type PaddedInput } from './padded_input.ts';
import { instantiateSimdDots, type SimdDots } from './simd_dots.ts';

/** Deepest dot product whose int32 sum cannot overflow (2^14 per product). */
export const MAX_SIMD_DEPTH = 131071;

export interface SimdConvPlan {
  geometry: ConvGeometry;
  requant: Requantization;
  channelParts: RuyChannelParts[];
  /** Per output channel: bias - zp * sum of its weights. */
  foldedBias: Float64Array;
  padded: PaddedInput;
  dots: SimdDots;
  /** Channel blocks of 4 and the dot-product length rounded up to 8. */
  blocks: number;
  depth: number;
  /** Byte addresses in the module's memory: weights, padded input, int32 sums of one output row. */
  inputAt: number;
  sumsAt: number;
  /** The padded input's place in the module's memory, and the sums of one output row ([outW][blocks * 4]). */
  inputView: Int8Array;
  sums: Int32Array;
  output: Int8Array;
}

/** Whether the SIMD kernel applies: no groups, a one-row filter, no dilation along W. */
export function simdConvApplies(g: ConvGeometry, filterDepth: number): boolean {
  return filterDepth === g.inC && g.filterH === 1 && g.dilationW === 1 && g.filterW * g.inC <= MAX_SIMD_DEPTH;
}

/** The plan, or undefined where WebAssembly SIMD is missing (the caller then uses the JavaScript kernel). */
export function simdConvPlan(geometry: ConvGeometry, requant: Requantization, filter: Int8Array, bias: Int32Array | undefined, input: Int8Array, output: Int8Array): SimdConvPlan | undefined {
  const { inC, filterW, outW, outC } = geometry;
  const realDepth = filterW * inC;
  const depth = Math.ceil(realDepth / 8) * 8;
  const blocks = Math.ceil(outC / 4);
  const padded = paddedInput(geometry, -requant.inputOffset, input);
  const weightBytes = blocks * depth * 4;
  const inputAt = weightBytes;
  // Slack after the input: the last window's read runs up to depth - realDepth bytes past its end.
  const sumsAt = Math.ceil((inputAt + padded.data.length + 16) / 16) * 16;
  const module = instantiateSimdDots(sumsAt + outW * blocks * 16);
  if (!module) return undefined;
  const memory = new Int8Array(module.memory.buffer);
  const foldedBias = new Float64Array(outC);
  for (let oc = 0; oc < outC; oc++) {
    let sum = 0;
    const block = oc >> 2;
    for (let k = 0; k < realDepth; k++) {
      const w = filter[oc * realDepth + k]!;
      memory[((block * (depth / 8) + (k >> 3)) * 4 + (oc & 3)) * 8 + (k & 7)] = w;
      sum += w;
    }
    foldedBias[oc] = (bias ? bias[oc]! : 0) + requant.inputOffset * sum;
  }
  return {
    geometry,
    requant,
    channelParts: Array.from(requant.multipliers, (m, c) => ruyChannelParts(m, requant.shifts[c]!)),
    foldedBias,
    padded,
    dots: module.dots,
    blocks,
    depth,
    inputAt,
    sumsAt,
    inputView: new Int8Array(module.memory.buffer, inputAt, padded.data.length),
    sums: new Int32Array(module.memory.buffer, sumsAt, outW * blocks * 4),
    output,
  };
}

// Bound once: a call through the module namespace can cost a getter per output under some loaders.
const requantize = ruyRequantize;

/** Requantizes one output row of sums, one channel at a time so that its constants stay in registers. */
function requantizeRow(p: SimdConvPlan, row: number): void {
  const { outW, outC } = p.geometry;
  const { outputOffset, actMin, actMax } = p.requant;
  const { sums, foldedBias, channelParts, output } = p;
  const stride = p.blocks * 4;
  const rowAt = row * outW * outC;
  for (let c = 0; c < outC; c++) {
    const bias = foldedBias[c]!;
    const parts = channelParts[c]!;
    for (let x = 0, from = c, at = rowAt + c; x < outW; x++, from += stride, at += outC) {
      const v = requantize(sums[from]! + bias, parts) + outputOffset;
      output[at] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  }
}

export function simdConv2dInt8(p: SimdConvPlan): void {
  const { batches, inC, outH, strideH, strideW } = p.geometry;
  copyIntoPadded(p.padded);
  p.inputView.set(p.padded.data);
  const { rows, columns } = p.padded;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const rowStart = (b * rows + oy * strideH) * columns * inC;
      p.dots(0, p.inputAt + rowStart, p.sumsAt, p.geometry.outW, p.blocks, p.depth, strideW * inC);
      requantizeRow(p, b * outH + oy);
    }
  }
}

/**
 * CONV_2D int8 without groups, the fast path: the same integers as
 * conv2dInt8 (reference_integer_ops::ConvPerChannel), computed in fewer
 * JavaScript operations.
 *
 * - Input offset folded into the bias over a zp-padded copy of the input
 *   (padded_input.ts), so every output position takes the same loop.
 * - Two output positions per double: the scratch holds
 *   P[j] = X[j] + X[j + d] * 2^26 (d = the input step between neighbouring
 *   output positions), so one multiply-add accumulates position p in the low
 *   lane and p + 1 in the high lane. Each lane's sum is at most
 *   2^14 * depth < 2^25 in magnitude, so with depth (taps times input
 *   channels) below 2^11 every partial sum is an integer below 2^53, exact,
 *   and the lanes separate with one floor (see requantizePairs).
 * - Blocks of 4 output channels by 2 packed pairs (4 positions): 8
 *   accumulators, weights interleaved by 4 channels so they are read in
 *   order, each loaded value used 4 times.
 * - Requantization after all sums, one channel at a time (its constants stay
 *   in registers), with the two roundings of the ruy multiply folded into one
 *   (ruyRequantize).
 */
import { ruyChannelParts, ruyRequantize, type RuyChannelParts } from '../quant_math.ts';
import type { ConvGeometry, Requantization } from './conv_params.ts';
import { copyIntoPadded, paddedInput, type PaddedInput } from './padded_input.ts';

const LANE = 67108864; // 2^26
const INVERSE_LANE = 1 / LANE; // exact: a power of two
const HALF_LANE = 33554432; // 2^25, the lift of the low lane
/** Largest dot-product length (filterH * filterW * input channels) the packed lanes hold exactly. */
export const MAX_PACKED_DEPTH = 2047;
const CHANNEL_BLOCK = 4;
const POSITION_BLOCK = 4;

export interface PackedConvPlan {
  geometry: ConvGeometry;
  requant: Requantization;
  /** Per output channel, its multiplier and shift in ruyRequantize's forms. */
  channelParts: RuyChannelParts[];
  /** Dot-product length: filterH * filterW * inC. */
  depth: number;
  /** Output channels rounded up to CHANNEL_BLOCK; the extra ones have zero weights and are not stored. */
  blockedOutC: number;
  /**
   * Weights then packed input, in one array: the inner loop then checks one
   * array instead of two each step (V8 does not hoist those checks).
   */
  lanes: Float64Array;
  /** Weights as doubles, [outC / 4][depth][4]: a view of the start of `lanes`. */
  weights: Float64Array;
  /** Per output channel: bias - zp * sum of its weights (not wrapped to int32, as the reference adds bias after the sum). */
  foldedBias: Float64Array;
  /** Starts (relative to a window's first element) and common length of the contiguous runs of a window in the scratch. */
  runStarts: Int32Array;
  runLength: number;
  /** The input with its padding filled with zp. */
  padded: PaddedInput;
  /** Packed pairs of the padded input (see the file comment): the rest of `lanes`, from `packedOffset`. */
  packed: Float64Array;
  packedOffset: number;
  /** Elements between a window and its neighbour to the right (strideW * inC). */
  pairStep: number;
  output: Int8Array;
  /** Packed accumulators, [batch * outH + oy][pair of positions][blockedOutC], requantized after the sums. */
  pairSums: Float64Array;
  /** Pairs of positions per output row, the last block's phantom pair included. */
  pairsPerRow: number;
}

export function packedConvPlan(geometry: ConvGeometry, requant: Requantization, filter: Int8Array, bias: Int32Array | undefined, input: Int8Array, output: Int8Array): PackedConvPlan {
  const { batches, inC, filterH, filterW, outH, outW, outC, strideW, dilationH, dilationW } = geometry;
  const depth = filterH * filterW * inC;
  if (depth > MAX_PACKED_DEPTH) throw new RangeError(`a ${depth}-long dot product exceeds the packed kernel's ${MAX_PACKED_DEPTH}`);
  const blockedOutC = Math.ceil(outC / CHANNEL_BLOCK) * CHANNEL_BLOCK;
  const weightCount = blockedOutC * depth;
  // Every window of the last, possibly partial, block of positions must lie inside the scratch.
  const blockedOutW = Math.ceil(outW / POSITION_BLOCK) * POSITION_BLOCK;
  const padded = paddedInput(geometry, -requant.inputOffset, input, blockedOutW);
  const lanes = new Float64Array(weightCount + padded.data.length);
  const weights = lanes.subarray(0, weightCount);
  const foldedBias = new Float64Array(outC);
  for (let oc = 0; oc < outC; oc++) {
    let sum = 0;
    const block = Math.floor(oc / CHANNEL_BLOCK) * depth * CHANNEL_BLOCK;
    for (let i = 0; i < depth; i++) {
      const w = filter[oc * depth + i]!;
      weights[block + i * CHANNEL_BLOCK + (oc % CHANNEL_BLOCK)] = w;
      sum += w;
    }
    foldedBias[oc] = (bias ? bias[oc]! : 0) + requant.inputOffset * sum;
  }
  // A window is filterH rows; with no dilation along W a row is one run of filterW * inC elements.
  const runsPerRow = dilationW === 1 ? 1 : filterW;
  const runLength = dilationW === 1 ? filterW * inC : inC;
  const runStarts = new Int32Array(filterH * runsPerRow);
  for (let fy = 0; fy < filterH; fy++) {
    for (let r = 0; r < runsPerRow; r++) runStarts[fy * runsPerRow + r] = (fy * dilationH * padded.columns + r * dilationW) * inC;
  }
  return {
    geometry,
    requant,
    channelParts: Array.from(requant.multipliers, (m, c) => ruyChannelParts(m, requant.shifts[c]!)),
    depth,
    blockedOutC,
    lanes,
    weights,
    foldedBias,
    runStarts,
    runLength,
    padded,
    packed: lanes.subarray(weightCount),
    packedOffset: weightCount,
    pairStep: strideW * inC,
    output,
    pairSums: new Float64Array(batches * outH * (blockedOutW / 2) * blockedOutC),
    pairsPerRow: blockedOutW / 2,
  };
}

/** Copies the input into the padded scratch and packs neighbouring windows into pairs. */
function fillPacked(p: PackedConvPlan): void {
  copyIntoPadded(p.padded);
  const { packed, pairStep } = p;
  const padded = p.padded.data;
  // The high lane of the last elements would read past the scratch: only phantom positions use it, 0 will do.
  const paired = padded.length - pairStep;
  for (let j = 0; j < paired; j++) packed[j] = padded[j]! + padded[j + pairStep]! * LANE;
  for (let j = Math.max(paired, 0); j < padded.length; j++) packed[j] = padded[j]!;
}

// Bound once: a call through the module namespace can cost a getter per output under some loaders.
const requantize = ruyRequantize;

/**
 * Requantizes every packed accumulator to int8, as the reference does after
 * its sum, one output channel at a time so that its constants stay in
 * registers. Each sum started at 2^25, so its low lane (strictly inside
 * +-2^25) lies in (0, 2^26) and the high lane is floor(acc / 2^26); the
 * scaling and the subtractions are exact.
 */
function requantizePairs(p: PackedConvPlan): void {
  const { batches, outH, outW, outC } = p.geometry;
  const { outputOffset, actMin, actMax } = p.requant;
  const { foldedBias, output, channelParts, pairSums, pairsPerRow, blockedOutC } = p;
  const rows = batches * outH;
  for (let c = 0; c < outC; c++) {
    const bias = foldedBias[c]!;
    const parts = channelParts[c]!;
    for (let row = 0; row < rows; row++) {
      let from = row * pairsPerRow * blockedOutC + c;
      let at = row * outW * outC + c;
      for (let x = 0; x < outW; x += 2, from += blockedOutC, at += 2 * outC) {
        const acc = pairSums[from]!;
        const high = Math.floor(acc * INVERSE_LANE);
        let v = requantize(acc - high * LANE - HALF_LANE + bias, parts) + outputOffset;
        output[at] = v < actMin ? actMin : v > actMax ? actMax : v;
        if (x + 1 === outW) break;
        v = requantize(high + bias, parts) + outputOffset;
        output[at + outC] = v < actMin ? actMin : v > actMax ? actMax : v;
      }
    }
  }
}

export function packedConv2dInt8(p: PackedConvPlan): void {
  fillPacked(p);
  const { batches, outH, outW, inC, strideH, strideW } = p.geometry;
  const { lanes, packedOffset, runStarts, runLength, depth, blockedOutC, pairStep, pairSums, pairsPerRow } = p;
  const paddedH = p.padded.rows;
  const paddedW = p.padded.columns;
  const runs = runStarts.length;
  const secondPair = 2 * pairStep;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const rowBase = packedOffset + (b * paddedH + oy * strideH) * paddedW * inC;
      const pairRow = (b * outH + oy) * pairsPerRow;
      for (let ox = 0; ox < outW; ox += POSITION_BLOCK) {
        const windowBase = rowBase + ox * strideW * inC;
        const pairBase = (pairRow + ox / 2) * blockedOutC;
        for (let oc = 0; oc < blockedOutC; oc += CHANNEL_BLOCK) {
          // Each sum starts at 2^25 (a literal, see below), which lifts the low lane into (0, 2^26): see requantizePairs.
          let a0 = 33554432, a1 = 33554432, a2 = 33554432, a3 = 33554432, b0 = 33554432, b1 = 33554432, b2 = 33554432, b3 = 33554432; // prettier-ignore
          // Literal steps and `| 0` keep the indices int32 without overflow checks; module constants here would be re-read every tap.
          let q = oc * depth;
          for (let r = 0; r < runs; r++) {
            const start = windowBase + runStarts[r]!;
            const end = start + runLength;
            for (let j = start; j < end; j = (j + 1) | 0, q = (q + 4) | 0) {
              const x = lanes[j]!;
              const y = lanes[(j + secondPair) | 0]!;
              let w = lanes[q]!;
              a0 += w * x;
              b0 += w * y;
              w = lanes[(q + 1) | 0]!;
              a1 += w * x;
              b1 += w * y;
              w = lanes[(q + 2) | 0]!;
              a2 += w * x;
              b2 += w * y;
              w = lanes[(q + 3) | 0]!;
              a3 += w * x;
              b3 += w * y;
            }
          }
          const to = pairBase + oc;
          pairSums[to] = a0;
          pairSums[to + 1] = a1;
          pairSums[to + 2] = a2;
          pairSums[to + 3] = a3;
          pairSums[to + blockedOutC] = b0;
          pairSums[to + blockedOutC + 1] = b1;
          pairSums[to + blockedOutC + 2] = b2;
          pairSums[to + blockedOutC + 3] = b3;
        }
      }
    }
  }
  requantizePairs(p);
}

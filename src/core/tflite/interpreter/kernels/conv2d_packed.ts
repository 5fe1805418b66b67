/**
 * CONV_2D int8 without groups, the fast path: the same integers as
 * conv2dInt8 (reference_integer_ops::ConvPerChannel), computed in fewer
 * JavaScript operations.
 *
 * - Input offset folded into the bias: sum w*(x - zp) = sum w*x - zp*sum w.
 *   The reference skips taps that fall in the padding; here the input is
 *   copied into a padded scratch filled with zp, whose taps then add
 *   w*(zp - zp) = 0, so every output position takes the same loop.
 * - Two output positions per double: the scratch holds
 *   P[j] = X[j] + X[j + d] * 2^26 (d = the input step between neighbouring
 *   output positions), so one multiply-add accumulates position p in the low
 *   lane and p + 1 in the high lane. Each lane's sum is at most
 *   2^14 * depth < 2^25 in magnitude, so with depth (taps times input
 *   channels) below 2^11 every partial sum is an integer below 2^53, exact,
 *   and the lanes separate by rounding (see splitLanes).
 * - Blocks of 4 output channels by 2 packed pairs (4 positions): 8
 *   accumulators, weights interleaved by 4 channels so they are read in
 *   order, each loaded value used 4 times.
 */
import { ruyChannelParts, ruyRequantize, type RuyChannelParts } from '../quant_math.ts';
import type { ConvGeometry, Requantization } from './conv_params.ts';

const LANE = 67108864; // 2^26
const INVERSE_LANE = 1 / LANE; // exact: a power of two
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
  /** Padded scratch geometry: rows and columns per batch. */
  paddedH: number;
  paddedW: number;
  /** Padded input, zp everywhere outside the copied input. */
  padded: Int8Array;
  /** Packed pairs of the padded input (see the file comment): the rest of `lanes`, from `packedOffset`. */
  packed: Float64Array;
  packedOffset: number;
  /** Elements between a window and its neighbour to the right (strideW * inC). */
  pairStep: number;
  input: Int8Array;
  output: Int8Array;
  /** Scratch for one block's 8 packed accumulators. */
  sums: Float64Array;
}

export function packedConvPlan(geometry: ConvGeometry, requant: Requantization, filter: Int8Array, bias: Int32Array | undefined, input: Int8Array, output: Int8Array): PackedConvPlan {
  const { batches, inH, inW, inC, filterH, filterW, outH, outW, outC, strideH, strideW, dilationH, dilationW, padH, padW } = geometry;
  const depth = filterH * filterW * inC;
  if (depth > MAX_PACKED_DEPTH) throw new RangeError(`a ${depth}-long dot product exceeds the packed kernel's ${MAX_PACKED_DEPTH}`);
  const blockedOutC = Math.ceil(outC / CHANNEL_BLOCK) * CHANNEL_BLOCK;
  const weightCount = blockedOutC * depth;
  // Every window of the last, possibly partial, block of positions must lie inside the scratch.
  const blockedOutW = Math.ceil(outW / POSITION_BLOCK) * POSITION_BLOCK;
  const paddedH = Math.max(padH + inH, (outH - 1) * strideH + (filterH - 1) * dilationH + 1);
  const paddedW = Math.max(padW + inW, (blockedOutW - 1) * strideW + (filterW - 1) * dilationW + 1);
  const padded = new Int8Array(batches * paddedH * paddedW * inC).fill(-requant.inputOffset);
  const lanes = new Float64Array(weightCount + padded.length);
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
    for (let r = 0; r < runsPerRow; r++) runStarts[fy * runsPerRow + r] = (fy * dilationH * paddedW + r * dilationW) * inC;
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
    paddedH,
    paddedW,
    padded,
    packed: lanes.subarray(weightCount),
    packedOffset: weightCount,
    pairStep: strideW * inC,
    input,
    output,
    sums: new Float64Array(8),
  };
}

/** Copies the input rows into the padded scratch and packs neighbouring windows into pairs. */
function fillPacked(p: PackedConvPlan): void {
  const { batches, inH, inW, inC, padH, padW } = p.geometry;
  const { padded, packed, input, paddedH, paddedW, pairStep } = p;
  const rowLength = inW * inC;
  for (let b = 0; b < batches; b++) {
    for (let y = 0; y < inH; y++) {
      const from = (b * inH + y) * rowLength;
      padded.set(input.subarray(from, from + rowLength), ((b * paddedH + padH + y) * paddedW + padW) * inC);
    }
  }
  // The high lane of the last elements would read past the scratch: only phantom positions use it, 0 will do.
  const paired = padded.length - pairStep;
  for (let j = 0; j < paired; j++) packed[j] = padded[j]! + padded[j + pairStep]! * LANE;
  for (let j = Math.max(paired, 0); j < padded.length; j++) packed[j] = padded[j]!;
}

// Bound once: a call through the module namespace can cost a getter per output under some loaders.
const requantize = ruyRequantize;

/**
 * Requantizes the 8 packed accumulators of one block (4 channels by 2 pairs
 * of positions) to int8, as the reference does after its sum. The high lane
 * is the nearest integer to acc / 2^26 because the low lane lies strictly
 * inside +-2^25; the scaling and the subtraction are exact.
 */
function storeBlock(p: PackedConvPlan, sums: Float64Array, oc: number, ox: number, outRow: number): void {
  const { outW, outC } = p.geometry;
  const { multipliers, outputOffset, actMin, actMax } = p.requant;
  const { foldedBias, output, channelParts } = p;
  const channels = Math.min(4, outC - oc);
  for (let i = 0; i < channels; i++) {
    const c = oc + i;
    const bias = foldedBias[c]!;
    const multiplier = multipliers[c]!;
    const { leftFactor, scale, offset, roundingAdd, rightShift } = channelParts[c]!;
    for (let pair = 0; pair < 2; pair++) {
      const x = ox + 2 * pair;
      if (x >= outW) break;
      const acc = sums[i + 4 * pair]!;
      const high = Math.round(acc * INVERSE_LANE);
      const at = (outRow + x) * outC + c;
      let v = requantize(acc - high * LANE + bias, multiplier, leftFactor, scale, offset, roundingAdd, rightShift) + outputOffset;
      output[at] = v < actMin ? actMin : v > actMax ? actMax : v;
      if (x + 1 >= outW) break;
      v = requantize(high + bias, multiplier, leftFactor, scale, offset, roundingAdd, rightShift) + outputOffset;
      output[at + outC] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  }
}

export function packedConv2dInt8(p: PackedConvPlan): void {
  fillPacked(p);
  const { batches, outH, outW, inC, strideH, strideW } = p.geometry;
  const { lanes, packedOffset, runStarts, runLength, depth, blockedOutC, paddedH, paddedW, pairStep, sums } = p;
  const runs = runStarts.length;
  const secondPair = 2 * pairStep;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const rowBase = packedOffset + (b * paddedH + oy * strideH) * paddedW * inC;
      const outRow = (b * outH + oy) * outW;
      for (let ox = 0; ox < outW; ox += POSITION_BLOCK) {
        const windowBase = rowBase + ox * strideW * inC;
        for (let oc = 0; oc < blockedOutC; oc += CHANNEL_BLOCK) {
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0; // prettier-ignore
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
          sums[0] = a0;
          sums[1] = a1;
          sums[2] = a2;
          sums[3] = a3;
          sums[4] = b0;
          sums[5] = b1;
          sums[6] = b2;
          sums[7] = b3;
          storeBlock(p, sums, oc, ox, outRow);
        }
      }
    }
  }
}

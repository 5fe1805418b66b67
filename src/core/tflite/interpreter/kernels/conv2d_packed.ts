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
import { multiplyByQuantizedMultiplierRuyX86 } from '../quant_math.ts';
import type { ConvGeometry, Requantization } from './conv_params.ts';

const LANE = 67108864; // 2^26
/** Largest dot-product length (filterH * filterW * input channels) the packed lanes hold exactly. */
export const MAX_PACKED_DEPTH = 2047;
const CHANNEL_BLOCK = 4;
const POSITION_BLOCK = 4;

export interface PackedConvPlan {
  geometry: ConvGeometry;
  requant: Requantization;
  /** Dot-product length: filterH * filterW * inC. */
  depth: number;
  /** Output channels rounded up to CHANNEL_BLOCK; the extra ones have zero weights and are not stored. */
  blockedOutC: number;
  /** Weights as doubles, [outC / 4][depth][4]. */
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
  /** Packed pairs of the padded input (see the file comment). */
  packed: Float64Array;
  /** Elements between a window and its neighbour to the right (strideW * inC). */
  pairStep: number;
  input: Int8Array;
  output: Int8Array;
}

export function packedConvPlan(geometry: ConvGeometry, requant: Requantization, filter: Int8Array, bias: Int32Array | undefined, input: Int8Array, output: Int8Array): PackedConvPlan {
  const { batches, inH, inW, inC, filterH, filterW, outH, outW, outC, strideH, strideW, dilationH, dilationW, padH, padW } = geometry;
  const depth = filterH * filterW * inC;
  if (depth > MAX_PACKED_DEPTH) throw new RangeError(`a ${depth}-long dot product exceeds the packed kernel's ${MAX_PACKED_DEPTH}`);
  const blockedOutC = Math.ceil(outC / CHANNEL_BLOCK) * CHANNEL_BLOCK;
  const weights = new Float64Array(blockedOutC * depth);
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
  // Every window of the last, possibly partial, block of positions must lie inside the scratch.
  const blockedOutW = Math.ceil(outW / POSITION_BLOCK) * POSITION_BLOCK;
  const paddedH = Math.max(padH + inH, (outH - 1) * strideH + (filterH - 1) * dilationH + 1);
  const paddedW = Math.max(padW + inW, (blockedOutW - 1) * strideW + (filterW - 1) * dilationW + 1);
  const padded = new Int8Array(batches * paddedH * paddedW * inC).fill(-requant.inputOffset);
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
    depth,
    blockedOutC,
    weights,
    foldedBias,
    runStarts,
    runLength,
    paddedH,
    paddedW,
    padded,
    packed: new Float64Array(padded.length),
    pairStep: strideW * inC,
    input,
    output,
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

/** Requantizes one accumulator (folded bias already added) to int8, as the reference does after its sum. */
function store(p: PackedConvPlan, acc: number, oc: number, at: number): void {
  const r = p.requant;
  let v = multiplyByQuantizedMultiplierRuyX86(acc, r.multipliers[oc]!, r.shifts[oc]!) + r.outputOffset;
  v = v < r.actMin ? r.actMin : v > r.actMax ? r.actMax : v;
  p.output[at] = v;
}

/**
 * Stores the two positions held by one packed accumulator: the high lane is
 * the nearest integer to acc / 2^26 because the low lane lies strictly
 * inside +-2^25; both divisions and the subtraction are exact.
 */
function storePair(p: PackedConvPlan, acc: number, oc: number, ox: number, at: number): void {
  const outW = p.geometry.outW;
  const outC = p.geometry.outC;
  if (oc >= outC || ox >= outW) return;
  const high = Math.round(acc / LANE);
  const bias = p.foldedBias[oc]!;
  store(p, acc - high * LANE + bias, oc, at);
  if (ox + 1 < outW) store(p, high + bias, oc, at + outC);
}

export function packedConv2dInt8(p: PackedConvPlan): void {
  fillPacked(p);
  const { batches, outH, outW, outC, inC, strideH, strideW } = p.geometry;
  const { packed, weights, runStarts, runLength, depth, blockedOutC, paddedH, paddedW, pairStep } = p;
  const runs = runStarts.length;
  const secondPair = 2 * pairStep;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const rowBase = (b * paddedH + oy * strideH) * paddedW * inC;
      const outRow = (b * outH + oy) * outW;
      for (let ox = 0; ox < outW; ox += POSITION_BLOCK) {
        const windowBase = rowBase + ox * strideW * inC;
        for (let oc = 0; oc < blockedOutC; oc += CHANNEL_BLOCK) {
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0; // prettier-ignore
          let q = oc * depth;
          for (let r = 0; r < runs; r++) {
            const start = windowBase + runStarts[r]!;
            const end = start + runLength;
            for (let j = start; j < end; j++, q += CHANNEL_BLOCK) {
              const x = packed[j]!;
              const y = packed[j + secondPair]!;
              const w0 = weights[q]!;
              const w1 = weights[q + 1]!;
              const w2 = weights[q + 2]!;
              const w3 = weights[q + 3]!;
              a0 += w0 * x;
              a1 += w1 * x;
              a2 += w2 * x;
              a3 += w3 * x;
              b0 += w0 * y;
              b1 += w1 * y;
              b2 += w2 * y;
              b3 += w3 * y;
            }
          }
          const at = (outRow + ox) * outC + oc;
          const at2 = at + 2 * outC;
          storePair(p, a0, oc, ox, at);
          storePair(p, a1, oc + 1, ox, at + 1);
          storePair(p, a2, oc + 2, ox, at + 2);
          storePair(p, a3, oc + 3, ox, at + 3);
          storePair(p, b0, oc, ox + 2, at2);
          storePair(p, b1, oc + 1, ox + 2, at2 + 1);
          storePair(p, b2, oc + 2, ox + 2, at2 + 2);
          storePair(p, b3, oc + 3, ox + 2, at2 + 3);
        }
      }
    }
  }
}

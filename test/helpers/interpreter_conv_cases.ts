// Random convolution geometries for checking fast kernels against the reference transcriptions.
import fc from 'fast-check';
import type { ConvGeometry, Requantization } from '../../src/core/tflite/interpreter/kernels/conv_params.ts';
import { leadingPadding, outputSize, type Padding } from '../../src/core/tflite/interpreter/padding.ts';
import { quantizeMultiplier } from '../../src/core/tflite/interpreter/quant_math.ts';

export interface ConvCase {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  filterH: number;
  filterW: number;
  outC: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padding: Padding;
  seed: number;
}

export function geometryOf(c: ConvCase): ConvGeometry | undefined {
  const outH = outputSize(c.padding, c.inH, c.filterH, c.strideH, c.dilationH);
  const outW = outputSize(c.padding, c.inW, c.filterW, c.strideW, c.dilationW);
  if (outH < 1 || outW < 1) return undefined;
  return {
    batches: c.batches,
    inH: c.inH,
    inW: c.inW,
    inC: c.inC,
    filterH: c.filterH,
    filterW: c.filterW,
    outH,
    outW,
    outC: c.outC,
    strideH: c.strideH,
    strideW: c.strideW,
    dilationH: c.dilationH,
    dilationW: c.dilationW,
    padH: leadingPadding(c.inH, c.filterH, c.strideH, c.dilationH, outH),
    padW: leadingPadding(c.inW, c.filterW, c.strideW, c.dilationW, outW),
  };
}

/** Batches, sizes, strides, dilations and padding covering the edges of the fast kernels (odd widths, channel counts not multiples of 4). */
export const convCaseArbitrary = fc.record({
  batches: fc.integer({ min: 1, max: 2 }),
  inH: fc.integer({ min: 1, max: 5 }),
  inW: fc.integer({ min: 1, max: 23 }),
  inC: fc.integer({ min: 1, max: 11 }),
  filterH: fc.integer({ min: 1, max: 3 }),
  filterW: fc.integer({ min: 1, max: 6 }),
  outC: fc.integer({ min: 1, max: 10 }),
  strideH: fc.integer({ min: 1, max: 2 }),
  strideW: fc.integer({ min: 1, max: 3 }),
  dilationH: fc.integer({ min: 1, max: 2 }),
  dilationW: fc.integer({ min: 1, max: 3 }),
  padding: fc.constantFrom<Padding>('SAME', 'VALID'),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** Multipliers that map a typical accumulator of this depth to about +-50, so saturation does not hide errors. */
export function requantFor(depth: number, outC: number, next: () => number, inputZeroPoint: number, relu: boolean): Requantization {
  const multipliers = new Int32Array(outC);
  const shifts = new Int32Array(outC);
  for (let oc = 0; oc < outC; oc++) {
    const q = quantizeMultiplier(((0.2 + next() * 1.3) * 50) / (Math.sqrt(depth) * 74 * 74));
    multipliers[oc] = q.multiplier;
    shifts[oc] = q.shift;
  }
  const outputOffset = Math.floor(next() * 60) - 30;
  return { multipliers, shifts, inputOffset: -inputZeroPoint, outputOffset, actMin: relu ? outputOffset : -128, actMax: 127 };
}

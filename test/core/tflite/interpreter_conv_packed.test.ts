// The packed CONV_2D kernel against the direct transcription of the reference
// (conv2dInt8, itself checked against the native runtime in
// interpreter_kernels): same integers on random geometries, including the
// edges of the packing (odd widths, channel counts that are not multiples of
// 4, strides, dilations, several batches, the deepest filter the lanes hold
// with every product at its extreme).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { seededUniform } from '../../../src/core/tflite/interpreter/graph_builder.ts';
import { conv2dInt8 } from '../../../src/core/tflite/interpreter/kernels/conv2d.ts';
import { MAX_PACKED_DEPTH, packedConv2dInt8, packedConvPlan } from '../../../src/core/tflite/interpreter/kernels/conv2d_packed.ts';
import type { ConvGeometry, Requantization } from '../../../src/core/tflite/interpreter/kernels/conv_params.ts';
import { quantizeMultiplier } from '../../../src/core/tflite/interpreter/quant_math.ts';
import { convCaseArbitrary, geometryOf, requantFor, type ConvCase as Case } from '../../helpers/interpreter_conv_cases.ts';

/** Runs both kernels on the same tensors; returns the two outputs. */
function runBoth(g: ConvGeometry, requant: Requantization, filter: Int8Array, bias: Int32Array | undefined, input: Int8Array): [Int8Array, Int8Array] {
  const outCount = g.batches * g.outH * g.outW * g.outC;
  const expected = new Int8Array(outCount);
  conv2dInt8({ geometry: g, requant, input, filter, bias, output: expected });
  const actual = new Int8Array(outCount).fill(99);
  const plan = packedConvPlan(g, requant, filter, bias, input, actual);
  packedConv2dInt8(plan);
  // A second run must not depend on what the first left in the scratch.
  actual.fill(99);
  packedConv2dInt8(plan);
  return [expected, actual];
}

test('packed CONV_2D equals the reference kernel on random geometries and data', () => {
  let checked = 0;
  fc.assert(
    fc.property(convCaseArbitrary, (c) => {
      const g = geometryOf(c);
      if (!g) return true;
      const next = seededUniform(c.seed);
      const int8 = (): number => Math.floor(next() * 256) - 128;
      const depth = c.filterH * c.filterW * c.inC;
      const filter = Int8Array.from({ length: c.outC * depth }, int8);
      const bias = next() < 0.8 ? Int32Array.from({ length: c.outC }, () => Math.round((next() - 0.5) * 2e5)) : undefined;
      const input = Int8Array.from({ length: c.batches * c.inH * c.inW * c.inC }, int8);
      const zeroPoint = int8();
      const [expected, actual] = runBoth(g, requantFor(depth, c.outC, next, zeroPoint, next() < 0.5), filter, bias, input);
      assert.deepEqual(actual, expected, JSON.stringify(c));
      checked++;
      return true;
    }),
    { numRuns: 400 },
  );
  assert.ok(checked > 200, `only ${checked} of 400 random cases had an output`);
});

test('packed CONV_2D is exact at the deepest filter it accepts, with every product at its extreme', () => {
  // 1 x 23 x 89 = 2047 taps; -128 * -128 in every tap puts each lane at 2^14 * 2047, just under 2^25.
  const inC = 89;
  const filterW = 23;
  assert.equal(filterW * inC, MAX_PACKED_DEPTH);
  const c: Case = { batches: 1, inH: 1, inW: 30, inC, filterH: 1, filterW, outC: 6, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'VALID', seed: 1 };
  const g = geometryOf(c)!;
  for (const [w, x, zp] of [
    [-128, -128, 0],
    [-128, -128, 127],
    [-128, 127, -128],
    [127, -128, 100],
  ] as const) {
    const filter = new Int8Array(c.outC * MAX_PACKED_DEPTH).fill(w);
    const input = new Int8Array(c.inW * inC).fill(x);
    // One multiplier per channel spread so that outputs of this extreme accumulator land inside int8.
    const multipliers = new Int32Array(c.outC);
    const shifts = new Int32Array(c.outC);
    for (let oc = 0; oc < c.outC; oc++) {
      const q = quantizeMultiplier((20 + 15 * oc) / (2 ** 14 * MAX_PACKED_DEPTH * 2));
      multipliers[oc] = q.multiplier;
      shifts[oc] = q.shift;
    }
    const requant: Requantization = { multipliers, shifts, inputOffset: -zp, outputOffset: 0, actMin: -128, actMax: 127 };
    const [expected, actual] = runBoth(g, requant, filter, Int32Array.from({ length: c.outC }, (_, i) => i * 1000 - 2500), input);
    assert.deepEqual(actual, expected);
    assert.ok(new Set(expected).size > 1 && expected.every((v) => v > -128 && v < 127), `outputs saturate, the check would be weak: ${expected.slice(0, 6).join(',')}`);
  }
});

test('packedConvPlan refuses a filter deeper than the lanes hold', () => {
  const c: Case = { batches: 1, inH: 1, inW: 4, inC: MAX_PACKED_DEPTH + 1, filterH: 1, filterW: 1, outC: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'VALID', seed: 1 };
  const g = geometryOf(c)!;
  const requant: Requantization = { multipliers: Int32Array.of(1 << 30), shifts: Int32Array.of(0), inputOffset: 0, outputOffset: 0, actMin: -128, actMax: 127 };
  assert.throws(() => packedConvPlan(g, requant, new Int8Array(MAX_PACKED_DEPTH + 1), undefined, new Int8Array(4 * (MAX_PACKED_DEPTH + 1)), new Int8Array(4)), RangeError);
});

// The WebAssembly SIMD CONV_2D kernel (1 x k filters) against the direct
// transcription of the reference (conv2dInt8): the same integers on random
// one-row geometries and data, and at a depth far past the packed kernel's
// limit with every product at its extreme. The module itself is assembled in
// simd_dots.ts; here it must validate, since Node 20 has WebAssembly SIMD.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { seededUniform } from '../../../src/core/tflite/interpreter/graph_builder.ts';
import { conv2dInt8 } from '../../../src/core/tflite/interpreter/kernels/conv2d.ts';
import { simdConv2dInt8, simdConvApplies, simdConvPlan } from '../../../src/core/tflite/interpreter/kernels/conv2d_simd.ts';
import type { ConvGeometry, Requantization } from '../../../src/core/tflite/interpreter/kernels/conv_params.ts';
import { simdDotsAvailable } from '../../../src/core/tflite/interpreter/kernels/simd_dots.ts';
import { quantizeMultiplier } from '../../../src/core/tflite/interpreter/quant_math.ts';
import { convCaseArbitrary, geometryOf, requantFor } from '../../helpers/interpreter_conv_cases.ts';

function runBoth(g: ConvGeometry, requant: Requantization, filter: Int8Array, bias: Int32Array | undefined, input: Int8Array): [Int8Array, Int8Array] {
  const count = g.batches * g.outH * g.outW * g.outC;
  const expected = new Int8Array(count);
  conv2dInt8({ geometry: g, requant, input, filter, bias, output: expected });
  const actual = new Int8Array(count).fill(99);
  const plan = simdConvPlan(g, requant, filter, bias, input, actual);
  assert.ok(plan, 'WebAssembly SIMD is available on Node 20');
  simdConv2dInt8(plan);
  actual.fill(99);
  simdConv2dInt8(plan); // a second run must not depend on what the first left in memory
  return [expected, actual];
}

test('the assembled SIMD module validates', () => {
  assert.equal(simdDotsAvailable(), true);
});

test('SIMD CONV_2D equals the reference kernel on random one-row geometries and data', () => {
  let checked = 0;
  fc.assert(
    fc.property(convCaseArbitrary, fc.integer({ min: 1, max: 40 }), (c, inC) => {
      const g = geometryOf({ ...c, filterH: 1, dilationW: 1, inC });
      if (!g) return true;
      assert.ok(simdConvApplies(g, inC));
      const next = seededUniform(c.seed);
      const int8 = (): number => Math.floor(next() * 256) - 128;
      const depth = c.filterW * inC;
      const filter = Int8Array.from({ length: c.outC * depth }, int8);
      const bias = next() < 0.8 ? Int32Array.from({ length: c.outC }, () => Math.round((next() - 0.5) * 2e5)) : undefined;
      const input = Int8Array.from({ length: c.batches * c.inH * c.inW * inC }, int8);
      const [expected, actual] = runBoth(g, requantFor(depth, c.outC, next, int8(), next() < 0.5), filter, bias, input);
      assert.deepEqual(actual, expected, JSON.stringify({ ...c, inC }));
      checked++;
      return true;
    }),
    { numRuns: 300 },
  );
  assert.ok(checked > 150, `only ${checked} of 300 random cases had an output`);
});

test('SIMD CONV_2D is exact on a 5000-long dot product with every product at its extreme', () => {
  const inC = 1000;
  const g = geometryOf({ batches: 1, inH: 1, inW: 9, inC, filterH: 1, filterW: 5, outC: 5, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', seed: 1 })!;
  const depth = 5 * inC;
  for (const [w, x, zp] of [
    [-128, -128, 0],
    [-128, 127, -128],
    [127, -128, 100],
  ] as const) {
    const multipliers = new Int32Array(g.outC);
    const shifts = new Int32Array(g.outC);
    for (let oc = 0; oc < g.outC; oc++) {
      const q = quantizeMultiplier((20 + 20 * oc) / (2 ** 15 * depth));
      multipliers[oc] = q.multiplier;
      shifts[oc] = q.shift;
    }
    const requant: Requantization = { multipliers, shifts, inputOffset: -zp, outputOffset: 0, actMin: -128, actMax: 127 };
    const [expected, actual] = runBoth(g, requant, new Int8Array(g.outC * depth).fill(w), undefined, new Int8Array(g.inW * inC).fill(x));
    assert.deepEqual(actual, expected);
    assert.ok(new Set(expected).size > 2 && expected.every((v) => v > -128 && v < 127), `outputs saturate, the check would be weak: ${expected.slice(0, 10).join(',')}`);
  }
});

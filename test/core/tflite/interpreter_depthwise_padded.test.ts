// The padded DEPTHWISE_CONV_2D kernel (the one the interpreter runs) against
// the direct transcription of the reference (depthwiseConv2dInt8): the same
// integers on random geometries, depth multipliers and data. Both are also
// checked against the native runtime in interpreter_kernels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { seededUniform } from '../../../src/core/tflite/interpreter/graph_builder.ts';
import { depthwiseConv2dInt8, depthwisePaddedInt8, depthwisePaddedPlan, type DepthwiseInt8Args } from '../../../src/core/tflite/interpreter/kernels/depthwise_conv2d.ts';
import { convCaseArbitrary, geometryOf, requantFor } from '../../helpers/interpreter_conv_cases.ts';

test('padded DEPTHWISE_CONV_2D equals the reference kernel on random geometries and data', () => {
  let checked = 0;
  fc.assert(
    fc.property(convCaseArbitrary, fc.integer({ min: 1, max: 3 }), (c, multiplier) => {
      const g = geometryOf({ ...c, outC: c.inC * multiplier });
      if (!g) return true;
      const next = seededUniform(c.seed);
      const int8 = (): number => Math.floor(next() * 256) - 128;
      const taps = c.filterH * c.filterW;
      const args = (output: Int8Array): DepthwiseInt8Args => ({ geometry: g, depthMultiplier: multiplier, requant, input, filter, bias, output });
      const filter = Int8Array.from({ length: taps * g.outC }, int8);
      const bias = next() < 0.8 ? Int32Array.from({ length: g.outC }, () => Math.round((next() - 0.5) * 2e4)) : undefined;
      const input = Int8Array.from({ length: c.batches * c.inH * c.inW * c.inC }, int8);
      const requant = requantFor(taps, g.outC, next, int8(), next() < 0.5);
      const count = g.batches * g.outH * g.outW * g.outC;
      const expected = new Int8Array(count);
      depthwiseConv2dInt8(args(expected));
      const actual = new Int8Array(count).fill(99);
      const plan = depthwisePaddedPlan(args(actual));
      depthwisePaddedInt8(plan);
      actual.fill(99);
      depthwisePaddedInt8(plan); // a second run must not depend on what the first left in the scratch
      assert.deepEqual(actual, expected, JSON.stringify({ ...c, multiplier }));
      checked++;
      return true;
    }),
    { numRuns: 300 },
  );
  assert.ok(checked > 150, `only ${checked} of 300 random cases had an output`);
});

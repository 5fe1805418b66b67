import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  frexp,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierRuyX86,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../../src/core/tflite/interpreter/quant_math.ts';

// Straight transcriptions of the 64-bit integer definitions, in BigInt, as the oracle.
function srdhmBig(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C++ does
}

function rdpotBig(x: number, e: number): number {
  const mask = (1n << BigInt(e)) - 1n;
  const rem = BigInt(x) & mask;
  const threshold = (mask >> 1n) + (x < 0 ? 1n : 0n);
  return Number((BigInt(x) >> BigInt(e)) + (rem > threshold ? 1n : 0n));
}

function mbqmBig(x: number, m: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = Number(BigInt.asIntN(32, BigInt(x) << BigInt(left)));
  return rdpotBig(srdhmBig(shifted, m), right);
}

function ruyBig(x: number, m: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = BigInt.asIntN(32, BigInt(x) << BigInt(left));
  const r = BigInt.asIntN(32, (shifted * BigInt(m) + (1n << 30n)) >> 31n);
  if (right === 0) return Number(r);
  return Number(BigInt.asIntN(32, r + (1n << BigInt(right - 1))) >> BigInt(right));
}

const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const multiplier = fc.integer({ min: 1073741824, max: 2147483647 });
const accumulator = fc.integer({ min: -(2 ** 24), max: 2 ** 24 });

test('saturatingRoundingDoublingHighMul equals the 64-bit definition', () => {
  fc.assert(fc.property(int32, int32, (a, b) => saturatingRoundingDoublingHighMul(a, b) === srdhmBig(a, b)), { numRuns: 20000 });
  assert.equal(saturatingRoundingDoublingHighMul(-2147483648, -2147483648), 2147483647);
  // 2 * 2^30 * 2^30 / 2^32 = 2^29
  assert.equal(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
});

test('saturatingRoundingDoublingHighMul rounds exact halves toward +infinity', () => {
  // 2*a*b/2^32 = 0.5 exactly for a=1, b=2^30; -0.5 for a=-1 (the nudge is 1 - 2^30, then truncation).
  assert.equal(saturatingRoundingDoublingHighMul(1, 1 << 30), 1);
  assert.equal(saturatingRoundingDoublingHighMul(-1, 1 << 30), 0);
  assert.equal(saturatingRoundingDoublingHighMul(-3, 1 << 30), -1); // -1.5 -> -1
});

test('roundingDivideByPOT equals the definition and rounds halves away from zero', () => {
  fc.assert(fc.property(int32, fc.integer({ min: 0, max: 30 }), (x, e) => roundingDivideByPOT(x, e) === rdpotBig(x, e)), { numRuns: 20000 });
  assert.equal(roundingDivideByPOT(5, 1), 3);
  assert.equal(roundingDivideByPOT(-5, 1), -3);
  assert.equal(roundingDivideByPOT(-6, 2), -2); // -1.5 -> -2
  assert.equal(roundingDivideByPOT(6, 2), 2); // 1.5 -> 2
});

test('multiplyByQuantizedMultiplier equals the definition for accumulator-sized inputs', () => {
  fc.assert(
    fc.property(accumulator, multiplier, fc.integer({ min: -31, max: 6 }), (x, m, s) => multiplyByQuantizedMultiplier(x, m, s) === mbqmBig(x, m, s)),
    { numRuns: 20000 },
  );
});

test('the ruy x86 variant equals its definition and differs from the reference on negative ties of the final shift', () => {
  fc.assert(
    fc.property(accumulator, multiplier, fc.integer({ min: -31, max: 6 }), (x, m, s) => multiplyByQuantizedMultiplierRuyX86(x, m, s) === ruyBig(x, m, s)),
    { numRuns: 20000 },
  );
  // x * 0.5 * 2^-1 = -0.25 * 3 = -0.75 -> -1 in both; -2 * 0.25 = -0.5: reference gives -1, ruy gives 0.
  assert.equal(multiplyByQuantizedMultiplier(-2, 1 << 30, -1), -1);
  assert.equal(multiplyByQuantizedMultiplierRuyX86(-2, 1 << 30, -1), 0);
  assert.equal(multiplyByQuantizedMultiplier(2, 1 << 30, -1), 1);
  assert.equal(multiplyByQuantizedMultiplierRuyX86(2, 1 << 30, -1), 1);
});

test('quantizeMultiplier matches known values of quantization_util', () => {
  assert.deepEqual(quantizeMultiplier(0), { multiplier: 0, shift: 0 });
  assert.deepEqual(quantizeMultiplier(0.5), { multiplier: 1073741824, shift: 0 });
  assert.deepEqual(quantizeMultiplier(1), { multiplier: 1073741824, shift: 1 });
  assert.deepEqual(quantizeMultiplier(0.25), { multiplier: 1073741824, shift: -1 });
  assert.deepEqual(quantizeMultiplier(0.75), { multiplier: 1610612736, shift: 0 });
  // A fraction so close to 1 that it rounds up to 2^31 moves to the next exponent.
  assert.deepEqual(quantizeMultiplier(1 - 2 ** -40), { multiplier: 1073741824, shift: 1 });
  // Below 2^-31 the multiplier flushes to zero.
  assert.deepEqual(quantizeMultiplier(2 ** -40), { multiplier: 0, shift: 0 });
});

test('quantizeMultiplier round-trips any positive scale to within half a unit of 2^-31', () => {
  fc.assert(
    fc.property(fc.double({ min: 1e-8, max: 1e3, noNaN: true }), (real) => {
      const { multiplier, shift } = quantizeMultiplier(real);
      const back = multiplier * 2 ** (shift - 31);
      return multiplier >= 2 ** 30 && multiplier < 2 ** 31 && Math.abs(back - real) <= 2 ** (shift - 32) * (1 + 1e-12);
    }),
    { numRuns: 5000 },
  );
});

test('frexp splits into a fraction in [0.5, 1) and an exponent', () => {
  fc.assert(
    fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => {
      const { fraction, exponent } = frexp(x);
      return fraction >= 0.5 && fraction < 1 && fraction * 2 ** exponent === x;
    }),
    { numRuns: 5000 },
  );
  assert.deepEqual(frexp(8), { fraction: 0.5, exponent: 4 });
  assert.deepEqual(frexp(-3), { fraction: -0.75, exponent: 2 });
});

// The fast paths take factors below 2^22 in magnitude without splitting the product; these
// properties straddle that bound and the int32 extremes, against the BigInt definitions.
const nearBound = fc.oneof(
  fc.integer({ min: -(2 ** 23), max: 2 ** 23 }),
  fc.integer({ min: 2 ** 22 - 64, max: 2 ** 22 + 64 }),
  fc.integer({ min: -(2 ** 22) - 64, max: -(2 ** 22) + 64 }),
  fc.integer({ min: 2 ** 21 - 64, max: 2 ** 21 + 64 }),
  fc.integer({ min: -(2 ** 21) - 64, max: -(2 ** 21) + 64 }),
  int32,
);
const anyMultiplier = fc.oneof(multiplier, int32, fc.constantFrom(-2147483648, 2147483647, 0, 1, -1));

test('saturatingRoundingDoublingHighMul: fast path and split path agree with the definition on both sides of 2^22', () => {
  fc.assert(fc.property(nearBound, anyMultiplier, (a, b) => Object.is(saturatingRoundingDoublingHighMul(a, b), srdhmBig(a, b))), { numRuns: 50000 });
  for (const a of [2 ** 22 - 1, 2 ** 22, -(2 ** 22) + 1, -(2 ** 22), 2147483647, -2147483648]) {
    for (const b of [2147483647, -2147483648, 1073741824, -1]) assert.ok(Object.is(saturatingRoundingDoublingHighMul(a, b), srdhmBig(a, b)), `${a} * ${b}`);
  }
});

test('multiplyByQuantizedMultiplier and the ruy x86 variant equal their definitions over all int32 inputs and every shift', () => {
  const shift = fc.integer({ min: -31, max: 30 });
  fc.assert(fc.property(nearBound, multiplier, shift, (x, m, s) => Object.is(multiplyByQuantizedMultiplier(x, m, s), mbqmBig(x, m, s))), { numRuns: 50000 });
  fc.assert(fc.property(nearBound, multiplier, shift, (x, m, s) => Object.is(multiplyByQuantizedMultiplierRuyX86(x, m, s), ruyBig(x, m, s))), { numRuns: 50000 });
  for (const x of [2 ** 22 - 1, 2 ** 22, -(2 ** 22) + 1, -(2 ** 22), 2 ** 21 - 1, 2 ** 21, -(2 ** 21) + 1, -(2 ** 21), 2147483647, -2147483648, 0, -1]) {
    for (const s of [-31, -1, 0, 1, 30]) {
      assert.ok(Object.is(multiplyByQuantizedMultiplierRuyX86(x, 2147483647, s), ruyBig(x, 2147483647, s)), `ruy ${x} shift ${s}`);
      assert.ok(Object.is(multiplyByQuantizedMultiplier(x, 2147483647, s), mbqmBig(x, 2147483647, s)), `reference ${x} shift ${s}`);
    }
  }
});

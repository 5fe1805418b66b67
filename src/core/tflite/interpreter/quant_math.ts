/**
 * The fixed-point arithmetic of TensorFlow Lite's integer kernels
 * (quantization_util.cc, common.h and gemmlowp's fixedpoint.h), in plain
 * JavaScript numbers. 64-bit intermediate products are split so that every
 * step stays exact in a double: no BigInt, no allocation, safe on the hot path.
 */

const TWO_POW_31 = 2147483648;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
/**
 * An int32 factor below this bound in magnitude times any int32 stays below
 * 2^53, so the 64-bit product is exact in a double and the fast paths need
 * no splitting; accumulators of int8 kernels nearly always qualify.
 */
const EXACT_FACTOR_BOUND = 4194304; // 2^22

/** A real multiplier as TFLite stores it: `multiplier * 2^(shift - 31)`, multiplier in [2^30, 2^31). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** std::frexp for finite x: x = fraction * 2^exponent, |fraction| in [0.5, 1). */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  const sign = x < 0 ? -1 : 1;
  let ax = Math.abs(x);
  let exponent = Math.max(-1073, Math.floor(Math.log2(ax)) + 1);
  // Scale in two steps so that 2^-exponent never overflows for subnormal x.
  let fraction = ax * 2 ** -Math.floor(exponent / 2) * 2 ** -(exponent - Math.floor(exponent / 2));
  while (fraction >= 1) {
    fraction /= 2;
    exponent += 1;
  }
  while (fraction < 0.5) {
    fraction *= 2;
    exponent -= 1;
  }
  ax = fraction;
  return { fraction: sign * ax, exponent };
}

/** TfLiteRound / std::round: half away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * QuantizeMultiplier of quantization_util.cc: a double becomes a Q31
 * multiplier and a power-of-two exponent, rounding half away from zero.
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent } = frexp(real);
  let shift = exponent;
  let qFixed = roundHalfAwayFromZero(fraction * TWO_POW_31);
  if (qFixed === TWO_POW_31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  if (shift > 30) {
    shift = 30;
    qFixed = INT32_MAX;
  }
  return { multiplier: qFixed, shift };
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: the high 32 bits of 2*a*b,
 * rounded to nearest (ties toward +infinity), with the one overflow case
 * (INT32_MIN * INT32_MIN) saturated.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a > -EXACT_FACTOR_BOUND && a < EXACT_FACTOR_BOUND) {
    // |a*b| < 2^22 * 2^31 = 2^53: the product, the nudged sum and the division by 2^31 are exact.
    // `| 0` truncates toward zero as C++ division does (the quotient is far inside int32) and never yields -0.
    const ab = a * b;
    return ((ab + (ab >= 0 ? 1073741824 : 1 - 1073741824)) / TWO_POW_31) | 0;
  }
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a*b = a*bHigh*2^16 + a*bLow, each part exact in a double.
  const bLow = b & 0xffff;
  const bHigh = (b - bLow) / 65536;
  const high = a * bHigh;
  const nudge = a * b >= 0 ? 1073741824 : 1 - 1073741824;
  const low = a * bLow + nudge;
  // (high*2^16 + low) / 2^31 = highQ + (highR*2^16 + low) / 2^31, with high = highQ*2^15 + highR.
  const highQ = Math.floor(high / 32768);
  const rest = (high - highQ * 32768) * 65536 + low;
  const restQ = Math.floor(rest / TWO_POW_31);
  let q = highQ + restQ;
  // C++ int64 division truncates toward zero: floor + 1 for inexact negatives.
  if (q < 0 && rest !== restQ * TWO_POW_31) q += 1;
  return q;
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * MultiplyByQuantizedMultiplier of common.h (double rounding, the default
 * build of TensorFlow Lite): x * multiplier * 2^(shift - 31), rounded.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  const shifted = leftShift === 0 ? x : (x * (1 << leftShift)) | 0;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), rightShift);
}

/** Saturating cast of an integer to [min, max]. */
export function clamp(x: number, min: number, max: number): number {
  return x < min ? min : x > max ? max : x;
}

/**
 * The multiplier as ruy's x86 (AVX2 / AVX-512) GEMM kernels apply it, which
 * is what the native runtime uses for FULLY_CONNECTED and CONV_2D on x86-64:
 * the same two steps as multiplyByQuantizedMultiplier (high half of the
 * doubled product, identical, then a rounding right shift), but the shift
 * rounds ties toward +infinity instead of away from zero. The results differ
 * only when a negative value sits exactly halfway.
 */
export function multiplyByQuantizedMultiplierRuyX86(x: number, multiplier: number, shift: number): number {
  // Allocates the parts: per-element loops take ruyChannelParts once per channel and call ruyRequantize.
  return ruyRequantize(x, ruyChannelParts(multiplier, shift));
}

/**
 * One channel's multiplier and shift in the forms ruyRequantize takes, so
 * that a per-channel loop computes them once and never branches on the shift.
 */
export interface RuyChannelParts {
  multiplier: number;
  /** 2^shift for a left shift, else 1. */
  leftFactor: number;
  /** multiplier * 2^-(31 + right shift): exact, a power-of-two scaling. */
  scale: number;
  /** 1/2 + (right shift > 0 ? 2^-(right shift + 1) : 0): both roundings folded into one floor. */
  offset: number;
  /** The rounding addend and the right shift of the second step, for the general path. */
  roundingAdd: number;
  rightShift: number;
}

export function ruyChannelParts(multiplier: number, shift: number): RuyChannelParts {
  const rightShift = shift < 0 ? -shift : 0;
  return {
    multiplier,
    leftFactor: shift > 0 ? 2 ** shift : 1,
    scale: multiplier * 2 ** -(31 + rightShift),
    offset: 0.5 + (rightShift > 0 ? 2 ** -(rightShift + 1) : 0),
    roundingAdd: rightShift > 0 ? 2 ** (rightShift - 1) : 0,
    rightShift,
  };
}

/**
 * The ruy x86 multiply, x taken as int32 (as the native accumulator is):
 * s = x * 2^left shift (wrapped), r = (s * multiplier + 2^30) >> 31, then
 * (r + roundingAdd) >> right shift with a wrapping 32-bit add.
 *
 * Fast path: the two floors are one, floor(s * multiplier / 2^(31 + n) +
 * 2^-(n + 1) + 1/2) for a right shift n > 0 (floor((floor(y) + k) / 2^n) =
 * floor((y + k) / 2^n) for an integer k), floor(s * multiplier / 2^31 + 1/2)
 * for n = 0. With |s| < 2^21, s * multiplier < 2^52 and the sum spans at
 * most 53 significant bits, so the double computes it exactly; |r| < 2^21
 * keeps the 32-bit add from wrapping.
 */
export function ruyRequantize(x: number, parts: RuyChannelParts): number {
  // Without a left shift an accumulator in the fast range is already an int32: no conversion needed.
  const shifted = parts.leftFactor === 1 ? x : (x * parts.leftFactor) | 0;
  // A literal rather than a module constant: each read of a module-level const costs a check on the hot path.
  if (shifted > -2097152 && shifted < 2097152) return Math.floor(shifted * parts.scale + parts.offset);
  return (ruyHighMulSplit(shifted | 0, parts.multiplier) + parts.roundingAdd) >> parts.rightShift;
}

/** (shifted * multiplier + 2^30) >> 31 for any int32 `shifted`, the product split so that each part is exact. */
function ruyHighMulSplit(shifted: number, multiplier: number): number {
  const mLow = multiplier & 0xffff;
  const mHigh = (multiplier - mLow) / 65536;
  // shifted * multiplier + 2^30, split so that each part is exact in a double.
  const high = shifted * mHigh;
  const low = shifted * mLow + 1073741824;
  const highQ = Math.floor(high / 32768);
  const rest = (high - highQ * 32768) * 65536 + low;
  return highQ + Math.floor(rest / 2147483648);
}

/**
 * Fused activations as clamp ranges (CalculateActivationRangeQuantized and
 * CalculateActivationRange of kernel_util.cc).
 */
import { roundHalfAwayFromZero } from './quant_math.ts';

export interface ActivationRange {
  min: number;
  max: number;
}

const INT_RANGES: Record<string, ActivationRange> = {
  int8: { min: -128, max: 127 },
  uint8: { min: 0, max: 255 },
  int16: { min: -32768, max: 32767 },
};

/** The representable range of an integer tensor type. */
export function integerRange(type: string): ActivationRange {
  const range = INT_RANGES[type];
  if (!range) throw new RangeError(`no integer range for tensor type ${type}`);
  return range;
}

/**
 * Clamp range of a quantized output for a fused activation. The real bound is
 * divided by the scale in float32, as the reference computes it.
 */
export function quantizedActivationRange(activation: string | undefined, type: string, scale: number, zeroPoint: number): ActivationRange {
  const { min: qmin, max: qmax } = integerRange(type);
  const quantize = (real: number): number => zeroPoint + roundHalfAwayFromZero(Math.fround(real / scale));
  switch (activation ?? 'NONE') {
    case 'RELU':
      return { min: Math.max(qmin, quantize(0)), max: qmax };
    case 'RELU6':
      return { min: Math.max(qmin, quantize(0)), max: Math.min(qmax, quantize(6)) };
    case 'RELU_N1_TO_1':
      return { min: Math.max(qmin, quantize(-1)), max: Math.min(qmax, quantize(1)) };
    case 'NONE':
      return { min: qmin, max: qmax };
    default:
      throw new RangeError(`fused activation ${activation} is not supported on quantized outputs`);
  }
}

/** Clamp range of a float output for a fused activation. */
export function floatActivationRange(activation: string | undefined): ActivationRange {
  switch (activation ?? 'NONE') {
    case 'RELU':
      return { min: 0, max: Infinity };
    case 'RELU6':
      return { min: 0, max: 6 };
    case 'RELU_N1_TO_1':
      return { min: -1, max: 1 };
    case 'NONE':
      return { min: -Infinity, max: Infinity };
    default:
      throw new RangeError(`fused activation ${activation} is not supported on float outputs`);
  }
}

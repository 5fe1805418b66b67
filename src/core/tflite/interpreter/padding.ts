/** Output sizes and padding of windowed operators (padding.h of TensorFlow Lite). */

export type Padding = 'SAME' | 'VALID';

/** Output length of one spatial dimension. */
export function outputSize(padding: Padding, inSize: number, filterSize: number, stride: number, dilation: number): number {
  const effectiveFilter = (filterSize - 1) * dilation + 1;
  if (padding === 'SAME') return Math.floor((inSize + stride - 1) / stride);
  return Math.floor((inSize - effectiveFilter + stride) / stride);
}

/** Leading padding of one spatial dimension (ComputePaddingWithOffset: half the total, rounded down). */
export function leadingPadding(inSize: number, filterSize: number, stride: number, dilation: number, outSize: number): number {
  const effectiveFilter = (filterSize - 1) * dilation + 1;
  const total = Math.max(0, (outSize - 1) * stride + effectiveFilter - inSize);
  return Math.floor(total / 2);
}

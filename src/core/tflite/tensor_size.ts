import type { TensorType } from './model.ts';

/** Bytes per element of each fixed-size tensor type; string, resource and variant have no fixed size. */
const ELEMENT_BYTES: Partial<Record<TensorType, number>> = {
  float32: 4, float16: 2, int32: 4, uint8: 1, int64: 8, bool: 1, int16: 2, complex64: 8, int8: 1, float64: 8,
  complex128: 16, uint64: 8, uint32: 4, uint16: 2,
};

export function elementByteSize(type: TensorType): number | undefined {
  return ELEMENT_BYTES[type];
}

/** Bytes that `elements` values of `type` occupy in a buffer (int4 packs two per byte), or undefined for variable-size types. */
export function tensorByteLength(type: TensorType, elements: number): number | undefined {
  if (type === 'int4') return Math.ceil(elements / 2);
  const size = ELEMENT_BYTES[type];
  return size === undefined ? undefined : size * elements;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

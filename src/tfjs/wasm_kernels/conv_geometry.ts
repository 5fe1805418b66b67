/**
 * Convolution geometry shared by the wasm training kernels: the same
 * `computeConv2DInfo` the forward kernels use, so padding ('same', 'valid',
 * a number with a rounding mode, or explicit pairs), strides and dilations
 * mean exactly what they mean in the forward pass.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { HeadstartError } from '../../core/errors.ts';

export type Conv2DInfo = backend_util.Conv2DInfo;
export type Shape4D = [number, number, number, number];

export function asShape4D(info: TensorInfo | number[], what: string): Shape4D {
  const shape = Array.isArray(info) ? info : info.shape;
  if (shape.length !== 4) {
    throw new HeadstartError('INTERNAL', `${what} must be a 4-D NHWC tensor, got shape [${shape.join(', ')}]`);
  }
  return shape as Shape4D;
}

/** The wasm forward convolutions are NHWC only, so their gradients are too. */
export function requireChannelsLast(dataFormat: string | undefined, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new HeadstartError(
      'INTERNAL',
      `${kernel} on the wasm backend supports NHWC data only (got ${dataFormat}); use channelsLast layers`,
    );
  }
}

/** Zero rows/columns to add on each side of the input so that every tap of every output stays in range. */
export function paddingForAllTaps(info: Conv2DInfo): { top: number; bottom: number; left: number; right: number } {
  const rowsNeeded = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight;
  const colsNeeded = (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  return {
    top,
    left,
    // 'ceil' rounding can make the last window overhang the stated padding;
    // the reference kernels read zeros there, so pad with zeros too.
    bottom: Math.max(info.padInfo.bottom, rowsNeeded - info.inHeight - top),
    right: Math.max(info.padInfo.right, colsNeeded - info.inWidth - left),
  };
}

/**
 * Refuses a dy whose shape is not the convolution's output shape: the wasm
 * kernels write by index into preallocated heap buffers, so a mismatch would
 * corrupt memory instead of failing.
 */
export function requireOutputShape(dy: TensorInfo, info: Conv2DInfo, kernel: string): void {
  const expected = info.outShape;
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== expected[i])) {
    throw new HeadstartError(
      'INTERNAL',
      `${kernel}: dy has shape [${dy.shape.join(', ')}] but the convolution's output is [${expected.join(', ')}]; ` +
        'pass the gradient of the output of the same convolution (same strides, padding and dilations)',
    );
  }
}

/**
 * The input gradient of a convolution is a convolution of the output gradient
 * with the spatially flipped filter ("transposed convolution"). This lines dy
 * up for that forward convolution, which then runs in XNNPACK:
 *   1. spread dy by the stride (stride - 1 zero rows/columns after each),
 *   2. pad or crop it so that input row i sees dy row oh through tap fh when
 *      i = oh * strideH + fh * dilationH - padTop.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { Conv2DInfo } from './conv_geometry.ts';
import type { WasmKernelRunner } from './kernel_runner.ts';

/** dy [B, OH, OW, C] with (stride - 1) zeros after each row/column: [B, OH*sh, OW*sw, C]. */
function spreadByStride(k: WasmKernelRunner, dy: TensorInfo, strideH: number, strideW: number): TensorInfo {
  if (strideH === 1 && strideW === 1) return dy;
  const [batch, rows, cols, channels] = dy.shape as [number, number, number, number];
  const apart = k.reshape(dy, [batch * rows, 1, cols, 1, channels]);
  const spread = k.run(
    'PadV2',
    { x: apart },
    { paddings: [[0, 0], [0, strideH - 1], [0, 0], [0, strideW - 1], [0, 0]], constantValue: 0 },
  );
  return k.reshape(spread, [batch, rows * strideH, cols * strideW, channels]);
}

export interface AlignedGradient {
  /** dy spread by the stride and cropped where the alignment needs negative padding. */
  dy: TensorInfo;
  /** Explicit NHWC padding for the stride-1 forward convolution that produces dx. */
  pad: [[number, number], [number, number], [number, number], [number, number]];
}

export function alignForInputGradient(k: WasmKernelRunner, dy: TensorInfo, info: Conv2DInfo): AlignedGradient {
  const spread = spreadByStride(k, dy, info.strideHeight, info.strideWidth);
  const [batch, rows, cols, channels] = spread.shape as [number, number, number, number];
  const top = info.effectiveFilterHeight - 1 - info.padInfo.top;
  const left = info.effectiveFilterWidth - 1 - info.padInfo.left;
  const bottom = info.inHeight + info.effectiveFilterHeight - 1 - top - rows;
  const right = info.inWidth + info.effectiveFilterWidth - 1 - left - cols;
  const cut = { top: Math.max(0, -top), bottom: Math.max(0, -bottom), left: Math.max(0, -left), right: Math.max(0, -right) };
  const cropped =
    cut.top + cut.bottom + cut.left + cut.right === 0
      ? spread
      : k.run(
          'Slice',
          { x: spread },
          { begin: [0, cut.top, cut.left, 0], size: [batch, rows - cut.top - cut.bottom, cols - cut.left - cut.right, channels] },
        );
  return {
    dy: cropped,
    pad: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]],
  };
}

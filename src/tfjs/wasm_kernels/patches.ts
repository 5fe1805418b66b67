/**
 * The input values seen by each filter tap, laid out channel-major, built with
 * wasm Pad, Transpose and StridedSlice kernels (the im2col step of a filter
 * gradient, one strided view per tap instead of a JavaScript gather loop).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { paddingForAllTaps, type Conv2DInfo } from './conv_geometry.ts';
import type { WasmKernelRunner } from './kernel_runner.ts';

/**
 * For each tap (fh, fw) of the filter, in row-major tap order, the tensor
 * [inChannels, batch, outHeight, outWidth] of input values it multiplies.
 */
export function inputPerTap(k: WasmKernelRunner, x: TensorInfo, info: Conv2DInfo): TensorInfo[] {
  const pad = paddingForAllTaps(info);
  const needsPadding = pad.top + pad.bottom + pad.left + pad.right > 0;
  const padded = needsPadding
    ? k.run('PadV2', { x }, { paddings: [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]], constantValue: 0 })
    : x;
  const channelMajor = k.transpose(padded, [3, 0, 1, 2]);
  const [channels, batch] = channelMajor.shape as [number, number, number, number];
  const taps: TensorInfo[] = [];
  for (let fh = 0; fh < info.filterHeight; fh++) {
    for (let fw = 0; fw < info.filterWidth; fw++) {
      const row0 = fh * info.dilationHeight;
      const col0 = fw * info.dilationWidth;
      taps.push(
        k.run(
          'StridedSlice',
          { x: channelMajor },
          {
            begin: [0, 0, row0, col0],
            end: [
              channels,
              batch,
              row0 + (info.outHeight - 1) * info.strideHeight + 1,
              col0 + (info.outWidth - 1) * info.strideWidth + 1,
            ],
            strides: [1, 1, info.strideHeight, info.strideWidth],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          },
        ),
      );
    }
  }
  return taps;
}

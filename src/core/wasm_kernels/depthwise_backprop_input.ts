/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend: the input gradient
 * of a depthwise convolution, as a forward depthwise convolution (XNNPACK) of
 * the output gradient with the spatially flipped filter:
 *   1. spread dy by the stride (zeros between rows/columns),
 *   2. pad (or crop) it so that the flipped, dilated filter lines up with x,
 *   3. depthwise-convolve with stride 1 and the original dilation,
 *   4. sum the channel-multiplier outputs that came from the same input channel.
 */
import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asShape4D, requireOutputShape } from './conv_geometry.ts';
import { withWasmKernels, type WasmKernelRunner } from './kernel_runner.ts';

/** dy [B, OH, OW, C] with (stride - 1) zero rows/columns after each row/column: [B, OH*sh, OW*sw, C]. */
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

/** Crops the sides given negative amounts (Slice); the positive amounts are returned for the convolution to pad. */
function cropNegativeSides(
  k: WasmKernelRunner,
  x: TensorInfo,
  sides: { top: number; bottom: number; left: number; right: number },
): { cropped: TensorInfo; pads: [[number, number], [number, number]] } {
  const [batch, rows, cols, channels] = x.shape as [number, number, number, number];
  const cut = {
    top: Math.max(0, -sides.top),
    bottom: Math.max(0, -sides.bottom),
    left: Math.max(0, -sides.left),
    right: Math.max(0, -sides.right),
  };
  const cropped =
    cut.top + cut.bottom + cut.left + cut.right === 0
      ? x
      : k.run(
          'Slice',
          { x },
          { begin: [0, cut.top, cut.left, 0], size: [batch, rows - cut.top - cut.bottom, cols - cut.left - cut.right, channels] },
        );
  return {
    cropped,
    pads: [
      [Math.max(0, sides.top), Math.max(0, sides.bottom)],
      [Math.max(0, sides.left), Math.max(0, sides.right)],
    ],
  };
}

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    asShape4D(inputShape, 'inputShape'),
    asShape4D(filter, 'filter'),
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );
  requireOutputShape(dy, info, DepthwiseConv2dNativeBackpropInput);
  const multiplier = info.outChannels / info.inChannels;
  return withWasmKernels(backend, (k) => {
    const spread = spreadByStride(k, dy, info.strideHeight, info.strideWidth);
    // Input row i receives dy row oh through tap fh when i = oh*sh + fh*dh - top;
    // with the filter flipped that is a plain correlation over the spread dy
    // shifted by (effective filter height - 1 - top).
    const top = info.effectiveFilterHeight - 1 - info.padInfo.top;
    const left = info.effectiveFilterWidth - 1 - info.padInfo.left;
    const { cropped, pads } = cropNegativeSides(k, spread, {
      top,
      left,
      bottom: info.inHeight + info.effectiveFilterHeight - 1 - top - spread.shape[1]!,
      right: info.inWidth + info.effectiveFilterWidth - 1 - left - spread.shape[2]!,
    });
    const flipped = k.run('Reverse', { x: filter }, { dims: [0, 1] });
    const perOutputChannel = k.reshape(flipped, [info.filterHeight, info.filterWidth, info.outChannels, 1]);
    const dxPerProduct = k.run(
      'DepthwiseConv2dNative',
      { x: cropped, filter: perOutputChannel },
      {
        strides: [1, 1],
        dilations: [info.dilationHeight, info.dilationWidth],
        pad: [[0, 0], pads[0], pads[1], [0, 0]],
        dataFormat: 'NHWC',
      },
    ); // [B, H, W, C*M]
    if (multiplier === 1) return dxPerProduct;
    const split = k.reshape(dxPerProduct, [info.batchSize, info.inHeight, info.inWidth, info.inChannels, multiplier]);
    return k.run('Sum', { x: split }, { axis: [4], keepDims: false });
  });
};

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput,
};

/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend: the input gradient
 * of a depthwise convolution, as a forward depthwise convolution (XNNPACK) of
 * the aligned output gradient with the spatially flipped filter, one output
 * channel per (input channel, multiplier) pair, then summed over the
 * multiplier.
 */
import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asShape4D, requireOutputShape } from './conv_geometry.ts';
import { withWasmKernels } from './kernel_runner.ts';
import { alignForInputGradient } from './transposed_conv.ts';

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
    const aligned = alignForInputGradient(k, dy, info);
    const flipped = k.run('Reverse', { x: filter }, { dims: [0, 1] });
    const perOutputChannel = k.reshape(flipped, [info.filterHeight, info.filterWidth, info.outChannels, 1]);
    const dxPerProduct = k.run(
      'DepthwiseConv2dNative',
      { x: aligned.dy, filter: perOutputChannel },
      { strides: [1, 1], dilations: [info.dilationHeight, info.dilationWidth], pad: aligned.pad, dataFormat: 'NHWC' },
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

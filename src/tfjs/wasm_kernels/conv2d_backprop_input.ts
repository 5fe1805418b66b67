/**
 * Conv2DBackpropInput for the wasm backend, replacing the one tfjs-backend-wasm
 * 4.22 ships (a direct loop, about ten times slower than its forward
 * convolution on the extractor's shapes): a forward XNNPACK convolution of the
 * aligned output gradient with the filter flipped in space and with its
 * input/output channels swapped.
 */
import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asShape4D, requireChannelsLast, requireOutputShape } from './conv_geometry.ts';
import { withWasmKernels } from './kernel_runner.ts';
import { alignForInputGradient } from './transposed_conv.ts';

const conv2dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  requireChannelsLast(dataFormat, Conv2DBackpropInput);
  const info = backend_util.computeConv2DInfo(
    asShape4D(inputShape, 'inputShape'),
    asShape4D(filter, 'filter'),
    strides,
    1, // no dilation attribute: tfjs only differentiates undilated conv2d
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  requireOutputShape(dy, info, Conv2DBackpropInput);
  return withWasmKernels(backend, (k) => {
    const aligned = alignForInputGradient(k, dy, info);
    const flipped = k.run('Reverse', { x: filter }, { dims: [0, 1] });
    const outToIn = k.transpose(flipped, [0, 1, 3, 2]); // [FH, FW, outChannels, inChannels]
    return k.run(
      'Conv2D',
      { x: aligned.dy, filter: outToIn },
      { strides: [1, 1], dilations: [1, 1], pad: aligned.pad, dataFormat: 'NHWC' },
    );
  });
};

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};

/**
 * Conv2DBackpropFilter for the wasm backend: the filter gradient of a 2-D
 * convolution (what conv1d/conv2d layers need to train), as one matrix
 * product of the per-tap input views with the output gradient:
 *   dW[(fh, fw, c), o] = sum over (b, oh, ow) of x[b, oh*sh + fh - top, ow*sw + fw - left, c] * dy[b, oh, ow, o]
 */
import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asShape4D, requireOutputShape, requireChannelsLast } from './conv_geometry.ts';
import { withWasmKernels } from './kernel_runner.ts';
import { inputPerTap } from './patches.ts';

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  requireChannelsLast(dataFormat, Conv2DBackpropFilter);
  const info = backend_util.computeConv2DInfo(
    asShape4D(x, 'x'),
    asShape4D(filterShape, 'filterShape'),
    strides,
    1, // the kernel has no dilation attribute: tfjs only differentiates undilated conv2d
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  requireOutputShape(dy, info, Conv2DBackpropFilter);
  return withWasmKernels(backend, (k) => {
    const positions = info.batchSize * info.outHeight * info.outWidth;
    const rows = inputPerTap(k, x, info).map((tap) => k.reshape(tap, [info.inChannels, positions]));
    const patches = rows.length === 1 ? rows[0]! : k.run('Concat', rows, { axis: 0 });
    const dyMatrix = k.reshape(dy, [positions, info.outChannels]);
    // Neither operand transposed: that is the XNNPACK path of BatchMatMul.
    const dw = k.run('BatchMatMul', { a: patches, b: dyMatrix }, { transposeA: false, transposeB: false });
    return k.reshape(dw, [...filterShape]);
  });
};

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};

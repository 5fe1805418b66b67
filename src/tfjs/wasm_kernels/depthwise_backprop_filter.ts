/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend: the filter
 * gradient of a depthwise convolution (depthwiseConv2d and separableConv2d
 * layers). Each input channel c has its own small matrix product:
 *   dW[fh, fw, c, m] = sum over (b, oh, ow) of tap(fh, fw)[c, b, oh, ow] * dy[b, oh, ow, c*M + m]
 * done as one batched product over channels.
 */
import { backend_util, DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asShape4D, requireOutputShape } from './conv_geometry.ts';
import { withWasmKernels } from './kernel_runner.ts';
import { inputPerTap } from './patches.ts';

const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } =
    attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    asShape4D(x, 'x'),
    asShape4D(filterShape, 'filterShape'),
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );
  requireOutputShape(dy, info, DepthwiseConv2dNativeBackpropFilter);
  const channels = info.inChannels;
  const multiplier = info.outChannels / info.inChannels;
  const taps = info.filterHeight * info.filterWidth;
  return withWasmKernels(backend, (k) => {
    const positions = info.batchSize * info.outHeight * info.outWidth;
    const rows = inputPerTap(k, x, info).map((tap) => k.reshape(tap, [channels, 1, positions]));
    const patches = rows.length === 1 ? rows[0]! : k.run('Concat', rows, { axis: 1 }); // [C, taps, N]
    const dyPerChannel = k.transpose(k.reshape(dy, [positions, channels, multiplier]), [1, 0, 2]); // [C, N, M]
    const dw = k.run('BatchMatMul', { a: patches, b: dyPerChannel }, { transposeA: false, transposeB: false }); // [C, taps, M]
    const tapMajor = k.transpose(k.reshape(dw, [channels, taps, multiplier]), [1, 0, 2]);
    return k.reshape(tapMajor, [...filterShape]);
  });
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter,
};

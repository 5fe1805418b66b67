/** The operators the TypeScript interpreter runs, by BuiltinOperator name. */
import type { OpPreparer } from './context.ts';
import { prepareAdd } from './kernels/add.ts';
import { prepareConv2D } from './kernels/conv2d.ts';
import { prepareDepthwiseConv2D } from './kernels/depthwise_conv2d.ts';
import { prepareFullyConnected } from './kernels/fully_connected.ts';
import { prepareMean } from './kernels/mean.ts';
import { prepareAveragePool2D, prepareMaxPool2D } from './kernels/pooling.ts';
import { prepareDequantize, prepareQuantize } from './kernels/quantize.ts';
import { prepareReshape } from './kernels/reshape.ts';
import { prepareSoftmax } from './kernels/softmax.ts';

const PREPARERS: Readonly<Record<string, OpPreparer>> = {
  ADD: prepareAdd,
  AVERAGE_POOL_2D: prepareAveragePool2D,
  CONV_2D: prepareConv2D,
  DEPTHWISE_CONV_2D: prepareDepthwiseConv2D,
  DEQUANTIZE: prepareDequantize,
  EXPAND_DIMS: prepareReshape,
  FULLY_CONNECTED: prepareFullyConnected,
  MAX_POOL_2D: prepareMaxPool2D,
  MEAN: prepareMean,
  QUANTIZE: prepareQuantize,
  RESHAPE: prepareReshape,
  SOFTMAX: prepareSoftmax,
  SQUEEZE: prepareReshape,
};

export function preparerFor(builtin: string): OpPreparer | undefined {
  return Object.hasOwn(PREPARERS, builtin) ? PREPARERS[builtin] : undefined;
}

/** Names of the supported operators, sorted, for messages and `--help`. */
export function supportedOperators(): string[] {
  return Object.keys(PREPARERS).sort();
}
